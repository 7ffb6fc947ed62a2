"""Never retrain in vain: pure. The model card's version history (`previous`, `history`,
`last_attempt`, written by `retrain-gate record`) against a decision to retrain.

- `in_vain` (default {count: 3, per: 30d}): when each of the last `count` retrains, all
  within `per`, was followed by the same trigger still firing (on metric observations after
  that retrain, before the next one), a fourth will not help either: `blocked`.
- `max_retrains` ({count, per}, off by default): at most `count` retrain attempts within
  `per`, promoted versions and a last attempt that kept the old model or failed alike.

A retrain is a card version that replaced an earlier one; the first version is not one.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from datetime import datetime

from retrain_gate.durations import format_duration
from retrain_gate.engine.load import ModelData
from retrain_gate.kinds import judge, registry
from retrain_gate.kinds.days import Days
from retrain_gate.kinds.series import day
from retrain_gate.model import ModelConfig, RuleConfig
from retrain_gate.results import Decision, Outcome
from retrain_gate.sources.card import Baseline, CardVersion

IN_VAIN = "retraining has not helped: the data, not the model, needs a look"


@dataclass(frozen=True)
class Retrain:
    """One retrain the card records: the version it made and when it was trained."""

    version: int | None
    trained_at: datetime
    card: Baseline  # the card as it was at that version


def retrains(card: Baseline) -> tuple[Retrain, ...]:
    """The card's retrains, oldest first: every version with an earlier one before it (the
    oldest kept counts when its number says it had a predecessor)."""
    current = CardVersion(card.version, card.trained_at, card.values)
    versions = [current, *card.history]  # newest first
    found = []
    for index, version in enumerate(versions):
        replaced = index < len(versions) - 1 or (version.version or 0) > 1
        if replaced and version.trained_at is not None:
            at = card if index == 0 else card.at_version(version)
            found.append(Retrain(version.version, version.trained_at, at))
    return tuple(sorted(found, key=lambda r: r.trained_at))


def _still_fired(
    model: ModelConfig, rule: RuleConfig, data: ModelData, retrain: Retrain, until: datetime
) -> bool:
    """Did `rule` fire on the observations after `retrain` and before `until`, judged with
    the card of that version? No observation in between: not known, so no."""
    from retrain_gate.engine.context import context_for

    series = data.series
    if series is None:
        return False
    start = bisect.bisect_right(series.times, retrain.trained_at)
    end = bisect.bisect_left(series.times, until)
    if end <= start:
        return False
    ctx = context_for(model, replace(data, baseline=retrain.card), now=until, end=end)
    return judge(rule, Days.of(ctx)).statuses[0] == "fired"


def in_vain(
    model: ModelConfig, data: ModelData, triggers: tuple[Outcome, ...], *, now: datetime
) -> str | None:
    """The reason to block when the last retrains did not quiet a trigger now firing."""
    limit, card = model.in_vain, data.baseline
    if limit is None or card is None:
        return None
    recent = [r for r in retrains(card) if now - limit.per < r.trained_at <= now]
    if len(recent) < limit.count:
        return None
    last = recent[-limit.count :]
    ends = [r.trained_at for r in last[1:]] + [now]
    fired = [
        rule
        for rule, outcome in zip(model.triggers, triggers)
        if outcome.status == "fired" and registry("trigger")[rule.kind].uses_series
    ]
    for rule in fired:
        if all(_still_fired(model, rule, data, r, end) for r, end in zip(last, ends)):
            count = f"{limit.count} retrain{'s' if limit.count != 1 else ''}"
            return (
                f"{IN_VAIN}: {rule.name} still fired after each of the last {count} "
                f"(since {day(last[0].trained_at)}, within {format_duration(limit.per)})"
            )
    return None


def over_limit(model: ModelConfig, card: Baseline | None, *, now: datetime) -> str | None:
    """The reason to block when `max_retrains` retrains were already made within its period."""
    limit = model.max_retrains
    if limit is None or card is None:
        return None
    since = now - limit.per
    times = [r.trained_at for r in retrains(card) if since < r.trained_at <= now]
    attempt = card.last_attempt
    if (
        attempt is not None
        and attempt.result != "promoted"
        and since < attempt.at <= now
        and (card.trained_at is None or attempt.at >= card.trained_at)
    ):
        times.append(attempt.at)
    if len(times) < limit.count:
        return None
    return (
        f"max_retrains: {len(times)} retrain{'s' if len(times) != 1 else ''} within "
        f"{format_duration(limit.per)} (since {day(min(times))}), the limit is {limit.count}: "
        "not asking for another"
    )


def retrain_policy(
    model: ModelConfig,
    data: ModelData,
    triggers: tuple[Outcome, ...],
    decision: Decision,
    summary: str,
    *,
    now: datetime,
) -> tuple[Decision, str]:
    """The decision after the retrain history: a `retrain` may become `blocked`."""
    if decision != "retrain":
        return decision, summary
    reason = in_vain(model, data, triggers, now=now) or over_limit(model, data.baseline, now=now)
    if reason is None:
        return decision, summary
    return "blocked", f"{summary}; but {reason}"

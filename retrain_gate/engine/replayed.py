"""What "as if it had run that day" changes in a rule's judgement, for the backtest (see
`engine.backtest`): before the card's trained_at the rules that compare with it are quiet;
rules that read files without history are judged from the newest observation's day on; and
each day is judged with the card version of the model in use that day."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from retrain_gate.kinds import Adjust, judge
from retrain_gate.kinds.base import Judgement, Kind, on_days, outcome
from retrain_gate.kinds.days import Days
from retrain_gate.kinds.series import day as show_day
from retrain_gate.model import RuleConfig
from retrain_gate.results import Outcome, Status
from retrain_gate.sources.card import Baseline


def replay_adjust(days: Days, *, before_card: int, before_files: int) -> Adjust:
    """What "as if it had run that day" changes in a rule's judgement (see the module's
    docstring): before the card's trained_at the rules that compare with it are quiet; rules
    that read files without history are judged from the newest observation's day on."""
    card = days.ctx.baseline

    def not_trained(rule: RuleConfig) -> Outcome:
        assert card is not None and card.trained_at is not None
        return outcome(
            rule,
            status="quiet",
            observed=None,
            threshold=None,
            reason=f"not trained yet: the model card {card.source} dates from "
            f"{show_day(card.trained_at)}",
        )

    def not_replayed(rule: RuleConfig) -> Outcome:
        return outcome(
            rule,
            status="quiet" if rule.role == "trigger" else "passed",
            observed=None,
            threshold=None,
            reason="not replayed: its files have no history (judged from the newest "
            "observation's day on)",
        )

    def adjust(rule: RuleConfig, kind: Kind, judgement: Judgement) -> Judgement:
        if kind.inputs(rule.options):
            instead = not_replayed(rule)
            judgement = on_days(
                judgement, range(before_files), lambda _i: instead, status=instead.status
            )
        if kind.uses_baseline and before_card:
            instead = not_trained(rule)
            judgement = on_days(judgement, range(before_card), lambda _i: instead, status="quiet")
        return judgement

    return adjust


def _trained(card: Baseline) -> datetime:
    assert card.trained_at is not None  # card_versions keeps only dated versions
    return card.trained_at


def judged_by_version(
    rules: Sequence[RuleConfig], days: Days, versions: Sequence[Baseline], *, before_files: int
) -> list[Judgement]:
    """Each rule judged on each run of days that one card version covers (from its
    trained_at until the next's), the days before the first version as "not trained yet"."""
    starts = [0] + [bisect.bisect_left(days.nows, _trained(v)) for v in versions[1:]]
    bounds = [*starts, len(days)]
    parts: list[tuple[int, list[Judgement]]] = []
    for k, card in enumerate(versions):
        lo, hi = bounds[k], bounds[k + 1]
        if lo >= hi:
            continue
        part = Days(
            ctx=replace(days.ctx, baseline=card),
            nows=days.nows[lo:hi],
            ends=days.ends[lo:hi],
            as_of=days.as_of,
        )
        before_card = (
            bisect.bisect_left(part.nows, card.trained_at) if card.trained_at is not None else 0
        )
        adjust = replay_adjust(
            part, before_card=before_card, before_files=min(max(before_files - lo, 0), hi - lo)
        )
        parts.append((lo, [judge(rule, part, adjust=adjust) for rule in rules]))
    joined = []
    for index in range(len(rules)):
        statuses: list[Status] = []
        for _, judged in parts:
            statuses.extend(judged[index].statuses)
        joined.append(Judgement(statuses=statuses, explain=_explain_in(parts, index)))
    return joined


def _explain_in(
    parts: Sequence[tuple[int, Sequence[Judgement]]], index: int
) -> Callable[[int], Outcome]:
    """Day i's outcome of rule `index`, from the part of the days that holds it."""
    starts = [lo for lo, _ in parts]

    def explain(i: int) -> Outcome:
        k = bisect.bisect_right(starts, i) - 1
        lo, judged = parts[k]
        return judged[index].outcome(i - lo)

    return explain

"""The range check: a metric within limits (rows at least N, a null rate at most r)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from retrain_gate.kinds.base import (
    CHECK_COMMON,
    NUMBER,
    SERIES_OPTIONS,
    Context,
    Kind,
    error_outcome,
    outcome,
    persistence_semantic,
    subject_of,
    unreadable_series,
)
from retrain_gate.kinds.series import (
    NoData,
    day,
    exceeds,
    fmt,
    persisted,
    persistence,
    persistence_phrase,
    rule_points,
)
from retrain_gate.kinds.windows import Days, _persisted, _same
from retrain_gate.model import RuleConfig
from retrain_gate.results import Outcome, Status


def evaluate_range(rule: RuleConfig, ctx: Context) -> Outcome:
    """Passes when a metric is within bounds: `at_least: X` and/or `at_most: Y` (inclusive).

    Use it for minimum rows (`metric: rows, at_least: 1000`), null rates
    (`metric: null_rate.age, at_most: 0.05`) or any value range. Judged on the latest
    observation, or an aggregate over a `window`; with `for: N` it fails only when the
    value was out of range on N consecutive observations. A missing value is an error
    (`missing: error`, the default) so the check vetoes: never retrain on data you cannot see.
    """
    if problem := unreadable_series(rule, ctx):
        return problem
    low = rule.options.get("at_least")
    high = rule.options.get("at_most")

    def outside(value: float) -> bool:
        return (low is not None and exceeds(low, value)) or (
            high is not None and exceeds(value, high)
        )

    try:
        failed, observed, matching = persisted(rule, ctx, outside)
    except NoData as exc:
        return error_outcome(rule, str(exc))
    latest = observed[-1]
    bounds = " and ".join(
        part
        for part in (
            f">= {fmt(float(low))}" if low is not None else "",
            f"<= {fmt(float(high))}" if high is not None else "",
        )
        if part
    )
    subject = subject_of(rule)
    near = float(low) if low is not None and (high is None or latest.value < low) else high
    value = fmt(latest.value, apart_from=None if near is None else float(near))
    needed, of_last = persistence(rule)
    if failed and of_last > 1:
        shown = ", ".join(fmt(o.value) for o in matching[-3:])
        verb = "are" if len(matching) > 1 else "is"
        reason = f"{subject} {shown} {verb} not {bounds}{persistence_phrase(rule, matching)}"
    elif failed:
        reason = f"{subject} {value} on {day(latest.time)} is not {bounds}"
    elif outside(latest.value):  # out of range now, but not on enough observations yet
        reason = (
            f"{subject} {value} on {day(latest.time)} is not {bounds}, but only "
            f"{len(matching)} of the last {of_last} observations (fails on {needed})"
        )
    else:
        reason = f"{subject} {value} on {day(latest.time)} is {bounds}"
    return outcome(
        rule,
        status="failed" if failed else "passed",
        observed=latest.value,
        threshold=bounds,
        reason=reason,
        recent=rule_points(rule, ctx),
        recent_label=subject_of(rule),
        limit=float(low) if low is not None else float(high) if high is not None else None,
    )


def _range_semantic(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    if "at_least" not in options and "at_most" not in options:
        return [("at_least", "give at_least, at_most or both")]
    low, high = options.get("at_least"), options.get("at_most")
    if low is not None and high is not None and low > high:
        return [("at_most", f"at_most {high} is below at_least {low}: nothing could pass")]
    return persistence_semantic(options)


def _range(rule: RuleConfig, days: Days) -> list[Status]:
    if days.ctx.series is None:
        return _same(days, "error")
    low = rule.options.get("at_least")
    high = rule.options.get("at_most")

    def outside(value: float) -> bool:
        return (low is not None and exceeds(low, value)) or (
            high is not None and exceeds(value, high)
        )

    needed, of_last = persistence(rule)
    failed: Status = "warned" if rule.severity == "warn" else "failed"
    return _persisted(
        rule, days, outside, needed=needed, of_last=of_last, holds=failed, not_holds="passed"
    )


KIND = Kind(
    name="range",
    role="check",
    keys=("at_least", "at_most"),
    options={**CHECK_COMMON, **SERIES_OPTIONS, "at_least": NUMBER, "at_most": NUMBER},
    required=("metric",),
    evaluate=evaluate_range,
    semantic=_range_semantic,
    statuses=_range,
)

"""The range check: a metric within limits (rows at least N, a null rate at most r)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from retrain_gate.kinds.base import (
    CHECK_COMMON,
    NUMBER,
    SERIES_OPTIONS,
    Judgement,
    Kind,
    as_check,
    constant,
    error_outcome,
    outcome,
    persistence_semantic,
    subject_of,
    unreadable_series,
)
from retrain_gate.kinds.days import Days
from retrain_gate.kinds.series import (
    Persisted,
    day,
    exceeds,
    fmt,
    persistence,
    persistence_phrase,
    rule_points,
)
from retrain_gate.model import RuleConfig
from retrain_gate.results import Outcome


def judge_range(rule: RuleConfig, days: Days) -> Judgement:
    """Passes when a metric is within bounds: `at_least: X` and/or `at_most: Y` (inclusive).

    Use it for minimum rows (`metric: rows, at_least: 1000`), null rates
    (`metric: null_rate.age, at_most: 0.05`) or any value range. Judged on the latest
    observation, or an aggregate over a `window`; with `for: N` it fails only when the
    value was out of range on N consecutive observations. A missing value is an error
    (`missing: error`, the default) so the check vetoes: never retrain on data you cannot see.
    """
    if problem := unreadable_series(rule, days.ctx):
        return constant(days, problem)
    low = rule.options.get("at_least")
    high = rule.options.get("at_most")

    outside = _outside(low, high)
    track = Persisted(rule, days, outside)
    bounds = " and ".join(
        part
        for part in (
            f">= {fmt(float(low))}" if low is not None else "",
            f"<= {fmt(float(high))}" if high is not None else "",
        )
        if part
    )
    subject = subject_of(rule)
    needed, of_last = persistence(rule)

    def explain(i: int) -> Outcome:
        if track.holds[i] is None:
            return error_outcome(rule, track.problem(i))
        failed = track.holds[i]
        latest = track.observed(i)[-1]
        matching = track.matching(i)
        near = float(low) if low is not None and (high is None or latest.value < low) else high
        value = fmt(latest.value, apart_from=None if near is None else float(near))
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
            recent=rule_points(rule, days, i),
            recent_label=subject,
            limit=float(low) if low is not None else float(high) if high is not None else None,
        )

    return Judgement(statuses=as_check(rule, track.holds), explain=explain)


def _range_semantic(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    if "at_least" not in options and "at_most" not in options:
        return [("at_least", "give at_least, at_most or both")]
    low, high = options.get("at_least"), options.get("at_most")
    if low is not None and high is not None and low > high:
        return [("at_most", f"at_most {high} is below at_least {low}: nothing could pass")]
    return persistence_semantic(options)


def _outside(low: float | None, high: float | None) -> Callable[[float], bool]:
    """Whether a value is out of bounds; the test chosen once, asked of every value."""
    if low is not None and high is not None:
        return lambda value: exceeds(low, value) or exceeds(value, high)
    if low is not None:
        return lambda value: exceeds(low, value)
    if high is not None:
        return lambda value: exceeds(value, high)
    return lambda _value: False  # validate refuses a range with neither bound


KIND = Kind(
    name="range",
    role="check",
    keys=("at_least", "at_most"),
    options={
        **CHECK_COMMON,
        **SERIES_OPTIONS,
        "at_least": {
            **NUMBER,
            "description": "A number: fails when the value is below it; equal passes.",
        },
        "at_most": {
            **NUMBER,
            "description": "A number: fails when the value is above it; equal passes.",
        },
    },
    required=("metric",),
    judge=judge_range,
    semantic=_range_semantic,
)

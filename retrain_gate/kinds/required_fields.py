"""The required_fields check: the latest observations carry every field named."""

from __future__ import annotations

import itertools

from retrain_gate.kinds.base import (
    CHECK_COMMON,
    MAX_OBSERVATIONS,
    SOURCE,
    Judgement,
    Kind,
    as_check,
    constant,
    error_outcome,
    outcome,
    unreadable_series,
)
from retrain_gate.kinds.days import Days
from retrain_gate.kinds.series import day
from retrain_gate.model import RuleConfig
from retrain_gate.results import Outcome


def judge_required_fields(rule: RuleConfig, days: Days) -> Judgement:
    """Passes when every field in `required:` is present and not empty in the latest
    observation (or, with `window: N`, in each of the last N). Missing data is what it
    looks for: an absent or empty field fails; no observations at all is an error."""
    if problem := unreadable_series(rule, days.ctx):
        return constant(days, problem)
    series = days.ctx.series
    assert series is not None
    fields = [str(f) for f in rule.options["required"]]
    count = int(rule.options.get("window", 1))
    starts = [max(0, end - count) for end in days.ends]
    lo, hi = min(starts, default=0), max(days.ends, default=0)
    # per field: how many of the observations lo, lo + 1, ... lack it (absent or empty)
    absent_before = []
    for name in fields:
        column = series.columns.get(name)
        lacking = (
            (True for _ in range(lo, hi))
            if column is None
            else (column[i] is None for i in range(lo, hi))
        )
        absent_before.append(list(itertools.accumulate(lacking, initial=0)))

    def explain(i: int) -> Outcome:
        start, end = starts[i], days.ends[i]
        if end == 0:
            return error_outcome(rule, "no observations at all")
        absent = []
        for name, before in zip(fields, absent_before):
            gap = next((j for j in range(start, end) if before[j + 1 - lo] > before[j - lo]), None)
            if gap is not None:
                absent.append((name, gap))
        if absent:
            listed = ", ".join(f"{name} ({series.where[j]})" for name, j in absent)
            return outcome(
                rule,
                status="failed",
                observed=f"{len(absent)} missing",
                threshold="all present",
                reason=f"missing or empty: {listed}",
            )
        return outcome(
            rule,
            status="passed",
            observed="all present",
            threshold="all present",
            reason=f"{', '.join(fields)} present on {day(series.times[end - 1])}",
        )

    failed = [
        None if end == 0 else any(a[end - lo] > a[start - lo] for a in absent_before)
        for start, end in zip(starts, days.ends)
    ]
    return Judgement(statuses=as_check(rule, failed), explain=explain)


KIND = Kind(
    name="required_fields",
    role="check",
    keys=("required",),
    options={
        **CHECK_COMMON,
        "source": SOURCE,
        "required": {
            "type": "array",
            "items": {"type": "string"},
            "minItems": 1,
            "description": "The fields that must be present and not empty.",
        },
        "window": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_OBSERVATIONS,
            "default": 1,
            "description": "Check each of the last N observations (default: the latest).",
        },
    },
    required=(),
    judge=judge_required_fields,
    presence=lambda options: tuple(str(f) for f in options["required"]),
)

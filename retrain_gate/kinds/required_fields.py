"""The required_fields check: the latest observations carry every field named."""

from __future__ import annotations

import itertools

from retrain_gate.kinds.base import (
    CHECK_COMMON,
    MAX_OBSERVATIONS,
    Context,
    Kind,
    error_outcome,
    outcome,
    unreadable_series,
)
from retrain_gate.kinds.series import (
    day,
)
from retrain_gate.kinds.windows import Days, _as_check, _same
from retrain_gate.model import RuleConfig
from retrain_gate.results import Outcome, Status


def evaluate_required_fields(rule: RuleConfig, ctx: Context) -> Outcome:
    """Passes when every field in `required:` is present and not empty in the latest
    observation (or, with `window: N`, in each of the last N). Missing data is what it
    looks for: an absent or empty field fails; no observations at all is an error."""
    if problem := unreadable_series(rule, ctx):
        return problem
    assert ctx.series is not None
    fields = [str(f) for f in rule.options["required"]]
    count = int(rule.options.get("window", 1))
    start = max(0, ctx.end - count)
    absent = []
    for name in fields:
        column = ctx.series.columns.get(name)
        for i in range(start, ctx.end):
            if column is None or column[i] is None:
                absent.append((name, i))
                break
    if ctx.end == 0:
        return error_outcome(rule, "no observations at all")
    if absent:
        listed = ", ".join(f"{name} ({ctx.series.where[i]})" for name, i in absent)
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
        reason=f"{', '.join(fields)} present on {day(ctx.series.times[ctx.end - 1])}",
    )


def _required_fields(rule: RuleConfig, days: Days) -> list[Status]:
    series = days.ctx.series
    if series is None:
        return _same(days, "error")
    count = int(rule.options.get("window", 1))
    absent_before = []
    for name in (str(f) for f in rule.options["required"]):
        column = series.columns.get(name)
        if column is None:
            absent_before.append(list(range(len(series) + 1)))  # absent on every observation
        else:
            absent_before.append(list(itertools.accumulate((v is None for v in column), initial=0)))
    failed: list[bool | None] = []
    for end in days.ends:
        start = max(0, end - count)
        if end == 0:
            failed.append(None)
        else:
            failed.append(any(a[end] - a[start] for a in absent_before))
    return _as_check(rule, failed)


KIND = Kind(
    name="required_fields",
    role="check",
    keys=("required",),
    options={
        **CHECK_COMMON,
        "required": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "window": {"type": "integer", "minimum": 1, "maximum": MAX_OBSERVATIONS},
    },
    required=(),
    evaluate=evaluate_required_fields,
    statuses=_required_fields,
)

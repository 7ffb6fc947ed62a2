"""The freshness check: the newest observation is recent enough."""

from __future__ import annotations

from retrain_gate.durations import format_duration, parse_duration
from retrain_gate.kinds.base import (
    CHECK_COMMON,
    DURATION,
    Context,
    Kind,
    error_outcome,
    outcome,
    unreadable_series,
)
from retrain_gate.kinds.series import (
    day,
)
from retrain_gate.kinds.windows import _NO_TIME, Days, _as_check, _same
from retrain_gate.model import RuleConfig
from retrain_gate.results import Outcome, Status


def evaluate_freshness(rule: RuleConfig, ctx: Context) -> Outcome:
    """Passes when the newest observation is at most `freshness` old (e.g. `2d`) at `now`.

    Inclusive: data exactly `freshness` old passes. An observation dated after `now`
    fails: a clock or time-zone error in the metric job is bad data too. Missing data:
    a series with no observations at all makes the check an error.
    """
    if problem := unreadable_series(rule, ctx):
        return problem
    assert ctx.series is not None
    limit = parse_duration(str(rule.options["freshness"]))
    if ctx.end == 0:
        return error_outcome(rule, "no observations at all")
    newest = ctx.series.times[ctx.end - 1]
    age = ctx.now - newest
    hours = age.total_seconds() / 3600
    shown = f"{hours / 24:.1f}d" if abs(hours) >= 48 else f"{hours:.0f}h"
    if age.total_seconds() < 0:
        return outcome(
            rule,
            status="failed",
            observed=shown,
            threshold=f"<= {format_duration(limit)}",
            reason=f"newest observation {day(newest)} is in the future "
            f"({ctx.series.where[ctx.end - 1]})",
        )
    fresh = age <= limit
    relation = "within" if fresh else "older than"
    return outcome(
        rule,
        status="passed" if fresh else "failed",
        observed=shown,
        threshold=f"<= {format_duration(limit)}",
        reason=f"newest observation {day(newest)} is {shown} old: "
        f"{relation} {format_duration(limit)}",
    )


def _freshness(rule: RuleConfig, days: Days) -> list[Status]:
    if days.ctx.series is None:
        return _same(days, "error")
    limit = parse_duration(str(rule.options["freshness"]))
    times = days.times
    failed: list[bool | None] = []
    for end, now in zip(days.ends, days.nows):
        if end == 0:
            failed.append(None)
        else:
            age = now - times[end - 1]
            failed.append(age < _NO_TIME or age > limit)  # in the future, or too old
    return _as_check(rule, failed)


KIND = Kind(
    name="freshness",
    role="check",
    keys=("freshness",),
    options={**CHECK_COMMON, "freshness": DURATION},
    required=(),
    evaluate=evaluate_freshness,
    statuses=_freshness,
)

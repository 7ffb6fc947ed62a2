"""The freshness check: the newest observation is recent enough."""

from __future__ import annotations

from datetime import timedelta

from retrain_gate.durations import format_duration, parse_duration
from retrain_gate.kinds.base import (
    CHECK_COMMON,
    DURATION,
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


def judge_freshness(rule: RuleConfig, days: Days) -> Judgement:
    """Passes when the newest observation is at most `freshness` old (e.g. `2d`) at `now`.

    Inclusive: data exactly `freshness` old passes. An observation dated after `now`
    fails: a clock or time-zone error in the metric job is bad data too. Missing data:
    a series with no observations at all makes the check an error.
    """
    if problem := unreadable_series(rule, days.ctx):
        return constant(days, problem)
    assert days.ctx.series is not None
    series = days.ctx.series
    limit = parse_duration(str(rule.options["freshness"]))
    threshold = f"<= {format_duration(limit)}"
    # the newest observation's age on each day; None: there is none
    ages = [now - series.times[end - 1] if end else None for end, now in zip(days.ends, days.nows)]

    def explain(i: int) -> Outcome:
        age = ages[i]
        if age is None:
            return error_outcome(rule, "no observations at all")
        newest = series.times[days.ends[i] - 1]
        hours = age.total_seconds() / 3600
        shown = f"{hours / 24:.1f}d" if abs(hours) >= 48 else f"{hours:.0f}h"
        if age < _NO_TIME:
            return outcome(
                rule,
                status="failed",
                observed=shown,
                threshold=threshold,
                reason=f"newest observation {day(newest)} is in the future "
                f"({series.where[days.ends[i] - 1]})",
            )
        fresh = age <= limit
        relation = "within" if fresh else "older than"
        return outcome(
            rule,
            status="passed" if fresh else "failed",
            observed=shown,
            threshold=threshold,
            reason=f"newest observation {day(newest)} is {shown} old: "
            f"{relation} {format_duration(limit)}",
        )

    # in the future, or too old
    failed = [None if age is None else age < _NO_TIME or age > limit for age in ages]
    return Judgement(statuses=as_check(rule, failed), explain=explain)


_NO_TIME = timedelta(0)


KIND = Kind(
    name="freshness",
    role="check",
    keys=("freshness",),
    options={**CHECK_COMMON, "source": SOURCE, "freshness": DURATION},
    required=(),
    judge=judge_freshness,
)

"""The threshold trigger: a metric (or its aggregate over a window) below or above a limit."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from retrain_gate.kinds.base import (
    COMMON,
    NUMBER,
    SERIES_OPTIONS,
    Judgement,
    Kind,
    _one_of,
    as_trigger,
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


def judge_threshold(rule: RuleConfig, days: Days) -> Judgement:
    """Fires when a metric is below (or above) a fixed value.

    Options: `metric`, and `below: X` or `above: X` (strict: a value equal to the threshold,
    up to floating-point rounding, does not fire). The value is the latest observation, or
    with `aggregate` (mean, median, min, max, sum) and `window` (the last N observations, or
    a duration such as `7d` back from each observation) an aggregate. Persistence: `for: N` needs N
    consecutive observations past the threshold; with `of_last: M`, N of the last M.
    `for` counts observations, not calendar days: a date missing from the file does not
    break a streak (the `gaps` check catches missing dates).
    Missing values: `missing: error` (default) makes the rule an error, `ignore` drops them.
    """
    if problem := unreadable_series(rule, days.ctx):
        return constant(days, problem)
    below = rule.options.get("below")
    limit = float(below if below is not None else rule.options["above"])
    op = "<" if below is not None else ">"
    # exceeds(limit, value) / exceeds(value, limit), called without a closure in between
    past: Callable[[float], bool] = (
        partial(exceeds, limit) if below is not None else partial(exceeds, limit=limit)
    )
    track = Persisted(rule, days, past)
    subject = subject_of(rule)
    needed, of_last = persistence(rule)

    def explain(i: int) -> Outcome:
        if track.holds[i] is None:
            return error_outcome(rule, track.problem(i))
        latest = track.observed(i)[-1]
        matching = track.matching(i)
        if track.holds[i]:
            shown = ", ".join(fmt(o.value, apart_from=limit) for o in matching[-3:])
            when = persistence_phrase(rule, matching) or f" on {day(latest.time)}"
            reason = f"{subject} {shown} {op} {fmt(limit)}{when}"
        elif past(latest.value):
            reason = (
                f"{subject} {fmt(latest.value, apart_from=limit)} {op} {fmt(limit)} "
                f"on {day(latest.time)}, but only "
                f"{len(matching)} of the last {of_last} observations (needs {needed})"
            )
        else:
            other = ">=" if op == "<" else "<="
            shown = fmt(latest.value, apart_from=limit)
            reason = f"{subject} {shown} {other} {fmt(limit)} on {day(latest.time)}"
        return outcome(
            rule,
            status="fired" if track.holds[i] else "quiet",
            observed=latest.value,
            threshold=f"{op} {fmt(limit)}",
            reason=reason,
            recent=rule_points(rule, days, i),
            recent_label=subject,
            limit=limit,
        )

    return Judgement(statuses=as_trigger(track.holds), explain=explain)


KIND = Kind(
    name="threshold",
    role="trigger",
    keys=("below", "above"),
    options={
        **COMMON,
        **SERIES_OPTIONS,
        "below": {
            **NUMBER,
            "description": "A number: fires when the value is below it; equal does not fire.",
        },
        "above": {
            **NUMBER,
            "description": "A number: fires when the value is above it; equal does not fire.",
        },
    },
    required=("metric",),
    judge=judge_threshold,
    semantic=lambda o: _one_of(o, ("below", "above")) + persistence_semantic(o),
)

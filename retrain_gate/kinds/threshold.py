"""The threshold trigger: a metric (or its aggregate over a window) below or above a limit."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from retrain_gate.kinds.base import (
    COMMON,
    NUMBER,
    SERIES_OPTIONS,
    Context,
    Kind,
    _one_of,
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


def evaluate_threshold(rule: RuleConfig, ctx: Context) -> Outcome:
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
    if problem := unreadable_series(rule, ctx):
        return problem
    below = rule.options.get("below")
    limit = float(below if below is not None else rule.options["above"])
    op = "<" if below is not None else ">"

    def past(value: float) -> bool:
        return exceeds(limit, value) if op == "<" else exceeds(value, limit)

    try:
        holds, observed, matching = persisted(rule, ctx, past)
    except NoData as exc:
        return error_outcome(rule, str(exc))
    latest = observed[-1]
    subject = subject_of(rule)
    needed, of_last = persistence(rule)
    if holds:
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
        status="fired" if holds else "quiet",
        observed=latest.value,
        threshold=f"{op} {fmt(limit)}",
        reason=reason,
        recent=rule_points(rule, ctx),
        recent_label=subject_of(rule),
        limit=limit,
    )


def _threshold(rule: RuleConfig, days: Days) -> list[Status]:
    if days.ctx.series is None:
        return _same(days, "error")
    below = rule.options.get("below")
    limit = float(below if below is not None else rule.options["above"])
    # exceeds(limit, value) / exceeds(value, limit), called without a closure in between
    condition: Callable[[float], bool] = (
        partial(exceeds, limit) if below is not None else partial(exceeds, limit=limit)
    )
    needed, of_last = persistence(rule)
    return _persisted(
        rule, days, condition, needed=needed, of_last=of_last, holds="fired", not_holds="quiet"
    )


KIND = Kind(
    name="threshold",
    role="trigger",
    keys=("below", "above"),
    options={**COMMON, **SERIES_OPTIONS, "below": NUMBER, "above": NUMBER},
    required=("metric",),
    evaluate=evaluate_threshold,
    semantic=lambda o: _one_of(o, ("below", "above")) + persistence_semantic(o),
    statuses=_threshold,
)

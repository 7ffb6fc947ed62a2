"""The anomaly trigger: a value more than k standard deviations from its reference window."""

from __future__ import annotations

import bisect
import itertools

from retrain_gate.durations import parse_duration
from retrain_gate.kinds.base import (
    COMMON,
    SERIES_OPTIONS,
    WINDOW,
    Context,
    Kind,
    error_outcome,
    outcome,
    persistence_semantic,
    subject_of,
    unreadable_series,
)
from retrain_gate.kinds.series import (
    anomalous,
    day,
    exact_scale,
    fmt,
    mean_and_sd,
    persistence,
    rule_points,
    scaled,
)
from retrain_gate.kinds.windows import Days, _same
from retrain_gate.model import RuleConfig
from retrain_gate.results import Outcome, Status


def evaluate_anomaly(rule: RuleConfig, ctx: Context) -> Outcome:
    """Fires when a metric leaves its own recent range: outside mean +/- k standard deviations.

    Options: `metric`, `outside_sigma: k`, `reference_window` (the last N observations
    before the one judged, or a duration such as `28d`; default 28 observations). The
    mean and sample standard deviation come from the reference window, which never
    includes the observation judged. Needs 3 reference values. `direction: below` fires
    only on a fall (accuracy: a jump up after a retraining is no reason to retrain),
    `above` only on a rise (a loss or an error rate), `both` (default) on either. Accepts
    `for` and `of_last`. Strict: exactly k standard deviations away does not fire.
    """
    if problem := unreadable_series(rule, ctx):
        return problem
    assert ctx.series is not None
    k = float(rule.options["outside_sigma"])
    direction = str(rule.options.get("direction", "both"))
    window = rule.options.get("reference_window", 28)
    column = ctx.series.columns[str(rule.metric)]
    times = ctx.series.times
    duration = None if isinstance(window, int) else parse_duration(str(window))
    needed, of_last = persistence(rule)
    judged = list(range(max(0, ctx.end - of_last), ctx.end))
    if len(judged) < of_last:
        return error_outcome(rule, f"only {len(judged)} observations; the rule needs {of_last}")
    bands = []
    for index in judged:
        value = column[index]
        if value is None:
            if rule.missing == "ignore":
                continue
            return error_outcome(
                rule,
                f"{rule.metric} is missing on {day(times[index])} ({ctx.series.where[index]})",
            )
        if duration is None:
            members = range(max(0, index - window), index)
        else:
            start = times[index] - duration
            members = range(bisect.bisect_left(times, start, 0, index), index)
        reference = [v for v in (column[j] for j in members) if v is not None]
        if len(reference) < 3:
            return error_outcome(
                rule, f"only {len(reference)} reference values before {day(times[index])}; needs 3"
            )
        # from exact sums, rounded once: a backtest gets the same mean and sd from running
        # sums (retrain_gate.replay) without summing each day's window again
        scale = exact_scale(reference)
        ints = [scaled(v, scale) for v in reference]
        mean, sd = mean_and_sd(len(ints), sum(ints), sum(i * i for i in ints), scale=scale)
        bands.append((index, value, mean, sd, anomalous(value, mean, sd, k=k, direction=direction)))
    if not bands:
        return error_outcome(rule, f"no values of {rule.metric} to judge")
    matching = [b for b in bands if b[4]]
    fired = len(matching) >= needed
    index, value, mean, sd, outside = bands[-1]
    distance = abs(value - mean) / sd if sd else float("inf") if value != mean else 0.0
    sign = {"below": "-", "above": "+"}.get(direction, "±")
    # say plainly which side counts: "more than 3σ below", not "outside -3σ"
    side = {"below": "below", "above": "above"}.get(direction, "away from")
    latest = (
        f"{fmt(value)} on {day(times[index])} is {distance:.1f}σ "
        f"{'below' if value < mean else 'above'} its reference mean {fmt(mean)} (σ {sd:.3g})"
    )
    if of_last > 1:  # persistence: what counted first, then the latest value
        dates = ", ".join(day(times[b[0]]) for b in matching[-6:])
        counted = f" ({dates})" if matching else ""
        short = "" if fired else f", needs {needed}"
        reason = (
            f"{rule.metric} more than {k:g}σ {side} its reference mean on {len(matching)} of "
            f"the last {of_last} observations{counted}{short}; latest {latest}"
        )
    else:
        more = "more" if outside else "not more"
        reason = f"{rule.metric} {latest}: {more} than {k:g}σ {side.removesuffix(' from')}"
    return outcome(
        rule,
        status="fired" if fired else "quiet",
        observed=value,
        threshold=f"{fmt(mean)} {sign} {k:g}σ",
        reason=reason,
        recent=rule_points(rule, ctx),
        recent_label=subject_of(rule),
    )


def _anomaly(rule: RuleConfig, days: Days) -> list[Status]:
    ctx = days.ctx
    if ctx.series is None:
        return _same(days, "error")
    metric = str(rule.metric)
    column = ctx.series.columns[metric]
    k = float(rule.options["outside_sigma"])
    direction = str(rule.options.get("direction", "both"))
    window = rule.options.get("reference_window", 28)
    needed, of_last = persistence(rule)
    ignore = rule.missing == "ignore"
    scale, sums, squares, present = days.exact_sums(metric)
    count = len(column)
    if isinstance(window, int):
        starts = [max(0, i - window) for i in range(count)]
    else:  # the reference window is [times[i] - span, times[i])
        span = parse_duration(str(window))
        times = days.times
        starts, first = [], 0
        for i, when in enumerate(times):
            while first < i and times[first] < when - span:
                first += 1
            starts.append(first)
    references = [present[i] - present[first] for i, first in enumerate(starts)]
    missing = [v is None for v in column]
    # the rule is an error when it judges an observation with fewer than 3 reference
    # values, or a missing one (unless missing values are ignored: then it skips them)
    failing = [
        (gone and not ignore) or (not gone and size < 3) for gone, size in zip(missing, references)
    ]
    outside = [False] * count
    # only the observations some replayed day judges
    for i in range(max(0, min(days.ends, default=0) - of_last), count):
        value, size, first = column[i], references[i], starts[i]
        if value is not None and size >= 3:
            mean, sd = mean_and_sd(
                size, sums[i] - sums[first], squares[i] - squares[first], scale=scale
            )
            outside[i] = anomalous(value, mean, sd, k=k, direction=direction)
    failing_before = list(itertools.accumulate(failing, initial=0))
    outside_before = list(itertools.accumulate(outside, initial=0))
    skipped_before = list(itertools.accumulate(missing, initial=0)) if ignore else None
    error: Status = "error"
    by_end = [error] * min(of_last, count + 1)
    for end in range(of_last, count + 1):
        begin = end - of_last
        if failing_before[end] - failing_before[begin] or (
            skipped_before and skipped_before[end] - skipped_before[begin] == of_last
        ):  # nothing left to judge
            by_end.append(error)
        else:
            by_end.append(
                "fired" if outside_before[end] - outside_before[begin] >= needed else "quiet"
            )
    return [by_end[end] for end in days.ends]


KIND = Kind(
    name="anomaly",
    role="trigger",
    keys=("outside_sigma",),
    options={
        **COMMON,
        "missing": SERIES_OPTIONS["missing"],
        "metric": SERIES_OPTIONS["metric"],
        "for": SERIES_OPTIONS["for"],
        "of_last": SERIES_OPTIONS["of_last"],
        "outside_sigma": {"type": "number", "exclusiveMinimum": 0},
        "reference_window": WINDOW,
        "direction": {
            "enum": ["both", "below", "above"],
            "description": "Which side fires: below (a fall), above (a rise) or both.",
        },
    },
    required=("metric",),
    evaluate=evaluate_anomaly,
    semantic=persistence_semantic,
    statuses=_anomaly,
)

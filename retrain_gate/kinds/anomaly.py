"""The anomaly trigger: a value more than k standard deviations from its reference window."""

from __future__ import annotations

import itertools

from retrain_gate.kinds.base import (
    COMMON,
    SERIES_OPTIONS,
    WINDOW,
    Judgement,
    Kind,
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
    day,
    fmt,
    mean_and_sd,
    metric_sums,
    persistence,
    rule_points,
    span_of,
    window_start,
    window_starts,
)
from retrain_gate.kinds.values import away_from_mean
from retrain_gate.model import RuleConfig
from retrain_gate.results import Outcome


def judge_anomaly(rule: RuleConfig, days: Days) -> Judgement:
    """Fires when a metric leaves its own recent range: outside mean +/- k standard deviations.

    Options: `metric`, `outside_sigma: k`, `reference_window` (the last N observations
    before the one judged, or a duration such as `28d`; default 28 observations). The
    mean and sample standard deviation come from the reference window, which never
    includes the observation judged. Needs 3 reference values. `direction: below` fires
    only on a fall (accuracy: a jump up after a retraining is no reason to retrain),
    `above` only on a rise (a loss or an error rate), `both` (default) on either. Accepts
    `for` and `of_last`. Strict: exactly k standard deviations away does not fire.
    """
    if problem := unreadable_series(rule, days.ctx):
        return constant(days, problem)
    series = days.ctx.series
    assert series is not None
    metric = str(rule.metric)
    column = series.columns[metric]
    times = series.times
    k = float(rule.options["outside_sigma"])
    direction = str(rule.options.get("direction", "both"))
    span = span_of(rule.options.get("reference_window", 28))
    needed, of_last = persistence(rule)
    ignore = rule.missing == "ignore"
    ends = days.ends
    hi = max(ends, default=0)
    first = max(0, min(ends, default=0) - of_last)  # the oldest observation some day judges
    lo = window_start(times, first, span, before=True) if first < hi else first
    # exact sums, rounded once (`mean_and_sd`): every window gives the floats it would
    # give summed on its own
    scale, sums, squares, present = metric_sums(days, metric, lo, hi)
    # each observation judged from `first` on: its reference values, mean and sd, whether
    # it is outside; failing: the rule is an error on a day that judges it
    starts = window_starts(times[lo:hi], span, before=True)  # from lo
    judged = range(first - lo, hi - lo)
    values = column[first:hi]
    sizes = [present[j] - present[starts[j]] for j in judged]
    bands = [
        mean_and_sd(size, sums[j] - sums[start], squares[j] - squares[start], scale=scale)
        if value is not None and size >= 3
        else None
        for j, start, size, value in zip(judged, starts[first - lo :], sizes, values)
    ]
    away = away_from_mean(k=k, direction=direction)
    outside = [
        band is not None and away(value, *band)  # type: ignore[arg-type]
        for value, band in zip(values, bands)
    ]
    failing = [
        band is None and (value is not None or not ignore) for value, band in zip(values, bands)
    ]
    failing_before = list(itertools.accumulate(failing, initial=0))
    outside_before = list(itertools.accumulate(outside, initial=0))
    skipped_before = list(itertools.accumulate([v is None for v in values], initial=0))
    fired: list[bool | None] = []
    for end in ends:
        begin = end - of_last - first
        if end < of_last or failing_before[end - first] > failing_before[begin]:
            fired.append(None)
        elif ignore and skipped_before[end - first] - skipped_before[begin] == of_last:
            fired.append(None)  # nothing left to judge
        else:
            fired.append(outside_before[end - first] - outside_before[begin] >= needed)

    def explain(i: int) -> Outcome:
        end = ends[i]
        if end < of_last:
            return error_outcome(rule, f"only {end} observations; the rule needs {of_last}")
        judged = []  # (index, value, mean, sd, outside)
        for j in range(end - of_last, end):
            value, band = column[j], bands[j - first]
            if value is None:
                if ignore:
                    continue
                return error_outcome(
                    rule, f"{rule.metric} is missing on {day(times[j])} ({series.where[j]})"
                )
            if band is None:
                return error_outcome(
                    rule,
                    f"only {sizes[j - first]} reference values before {day(times[j])}; needs 3",
                )
            judged.append((j, value, *band, outside[j - first]))
        if not judged:
            return error_outcome(rule, f"no values of {rule.metric} to judge")
        return _outcome(rule, days, i, judged, fired=bool(fired[i]))

    return Judgement(statuses=as_trigger(fired), explain=explain)


def _outcome(
    rule: RuleConfig,
    days: Days,
    i: int,
    judged: list[tuple[int, float, float, float, bool]],
    *,
    fired: bool,
) -> Outcome:
    """The day's outcome from the observations it judged (oldest first)."""
    times = days.times
    k = float(rule.options["outside_sigma"])
    direction = str(rule.options.get("direction", "both"))
    needed, of_last = persistence(rule)
    matching = [b for b in judged if b[4]]
    index, value, mean, sd, outside = judged[-1]
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
        recent=rule_points(rule, days, i),
        recent_label=subject_of(rule),
        band=(mean - k * sd, mean + k * sd),
    )


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
        "outside_sigma": {
            "type": "number",
            "exclusiveMinimum": 0,
            "description": "k: fires when the value is more than k standard deviations from "
            "the reference window's mean (strict).",
        },
        "reference_window": {
            **WINDOW,
            "default": 28,
            "description": "The observations before the one judged that give the mean and "
            "standard deviation: the last N or a duration (default 28 observations).",
        },
        "direction": {
            "enum": ["both", "below", "above"],
            "default": "both",
            "description": "Which side fires: below (a fall), above (a rise) or both.",
        },
    },
    required=("metric",),
    judge=judge_anomaly,
    semantic=persistence_semantic,
)

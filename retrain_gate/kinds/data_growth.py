"""The data_growth trigger: the data volume grew past the card's by more than allowed."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping
from typing import Any

from retrain_gate.durations import parse_amount
from retrain_gate.kinds.base import (
    AMOUNT,
    COMMON,
    SERIES_OPTIONS,
    Judgement,
    Kind,
    as_trigger,
    baseline_value,
    card_known,
    constant,
    error_on_every_day,
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
    percent,
    rule_points,
)
from retrain_gate.model import RuleConfig
from retrain_gate.results import Outcome


def judge_data_growth(rule: RuleConfig, days: Days) -> Judgement:
    """Fires when the data volume has grown by more than X since the model was trained.

    Options: `metric` (e.g. rows), `growth_since_baseline: 20%` (relative to the model
    card's value of the same metric) or a plain number of rows. `count: latest` (default)
    compares the latest value (the size of today's data) with the card's; `count:
    since_training` adds up the values observed after the card's `trained_at` (new rows
    since training) and compares the sum with the card's value. Strict: growth equal to X
    does not fire. A missing model card value, or a card trained after `now`, makes the
    rule an error.
    """
    ctx = days.ctx
    if problem := unreadable_series(rule, ctx):
        return constant(days, problem)
    base = baseline_value(rule, days)
    if isinstance(base, Judgement):
        return base
    amount, relative = parse_amount(rule.options["growth_since_baseline"])
    if relative and base == 0:
        card = ctx.baseline.source if ctx.baseline else "the model card"
        why = f"{card}: the model card's {rule.metric} is 0; growth is undefined"
        return card_known(rule, days, error_on_every_day(rule, days, why))
    assert ctx.series is not None and ctx.baseline is not None
    series = ctx.series
    metric = str(rule.metric)
    limit_text = percent(amount) if relative else fmt(amount)
    # day i: whether it grew enough (None: an error, `problem_of(i)` says why), how much
    # (`growth(i)`) and what grew (`what(i)`)
    fired: list[bool | None]
    growth: Callable[[int], float]
    what: Callable[[int], str]
    problem_of: Callable[[int], str]
    if rule.options.get("count", "latest") == "since_training":
        trained = ctx.baseline.trained_at
        if trained is None:
            return error_on_every_day(
                rule, days, "count: since_training needs `trained_at` in the model card"
            )
        column = series.columns[metric]
        after = bisect.bisect_right(series.times, trained)
        # running sums from the first observation: a day's sum is a difference of two
        sums, missing = [0.0], [0]
        for value in column[: max(days.ends, default=0)]:
            sums.append(sums[-1] + (value or 0.0))
            missing.append(missing[-1] + (value is None))

        def since(i: int) -> float:
            end = days.ends[i]
            return sums[end] - sums[min(after, end)]

        def growth(i: int) -> float:
            return since(i) / base if relative else since(i)

        fired = [
            None
            if missing[end] > missing[min(after, end)] and rule.missing == "error"
            else exceeds(growth(i), amount)
            for i, end in enumerate(days.ends)
        ]

        def what(i: int) -> str:
            return f"{fmt(since(i))} {metric} since training on {day(trained)}"

        def problem_of(i: int) -> str:
            end = days.ends[i]
            gap = next(j for j in range(min(after, end), end) if column[j] is None)
            return f"{metric} is missing on {day(series.times[gap])} ({series.where[gap]})"
    else:
        track = Persisted(
            rule, days, lambda v: exceeds(v / base - 1 if relative else v - base, amount)
        )
        fired = track.holds

        def growth(i: int) -> float:
            current = track.latest(i)
            return current / base - 1 if relative else current - base

        def what(i: int) -> str:
            latest = track.observed(i)[-1]
            return f"{subject_of(rule)} {fmt(latest.value)} on {day(latest.time)}"

        problem_of = track.problem

    def explain(i: int) -> Outcome:
        if fired[i] is None:
            return error_outcome(rule, problem_of(i))
        grown = growth(i)
        shown = f"{grown:+.1%}" if relative else ("+" if grown >= 0 else "") + fmt(grown)
        verb = "more than" if fired[i] else "not more than"
        return outcome(
            rule,
            status="fired" if fired[i] else "quiet",
            observed=grown,
            threshold=f"growth > {limit_text}",
            reason=f"{what(i)} vs {fmt(base)} at training: {shown}, {verb} {limit_text}",
            recent=rule_points(rule, days, i),
            recent_label=subject_of(rule),
            limit=base * (1 + amount) if relative else base + amount,
        )

    return card_known(rule, days, Judgement(statuses=as_trigger(fired), explain=explain))


def _growth_semantic(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    if options.get("count") == "since_training" and "window" in options:
        return [("window", "count: since_training adds up every value since training; no window")]
    return persistence_semantic(options)


KIND = Kind(
    name="data_growth",
    role="trigger",
    keys=("growth_since_baseline",),
    options={
        **COMMON,
        # no `for`/`of_last`: growth compares one value (or one sum) with the card's
        "missing": SERIES_OPTIONS["missing"],
        "metric": SERIES_OPTIONS["metric"],
        "aggregate": SERIES_OPTIONS["aggregate"],
        "window": SERIES_OPTIONS["window"],
        "growth_since_baseline": {
            **AMOUNT,
            "description": "Fires when the metric grew by more than this since the model card's "
            "value: a percentage such as '20%', or a number (of rows).",
        },
        "count": {
            "enum": ["latest", "since_training"],
            "default": "latest",
            "description": "latest: today's value against the card's; since_training: the sum "
            "of the values observed after trained_at.",
        },
    },
    required=("metric",),
    judge=judge_data_growth,
    uses_baseline=True,
    semantic=_growth_semantic,
)

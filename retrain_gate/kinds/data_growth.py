"""The data_growth trigger: the data volume grew past the card's by more than allowed."""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from typing import Any

from retrain_gate.durations import parse_amount
from retrain_gate.kinds.base import (
    AMOUNT,
    COMMON,
    SERIES_OPTIONS,
    Context,
    Kind,
    _baseline_value,
    error_outcome,
    outcome,
    persistence_semantic,
    subject_of,
    unreadable_series,
)
from retrain_gate.kinds.baseline_change import _baseline
from retrain_gate.kinds.series import (
    NoData,
    Observed,
    column_sum,
    day,
    exceeds,
    fmt,
    observe,
    percent,
    rule_points,
)
from retrain_gate.kinds.windows import Days, _as_trigger, _card_known, _persisted, _same
from retrain_gate.model import RuleConfig
from retrain_gate.results import Outcome, Status


def evaluate_data_growth(rule: RuleConfig, ctx: Context) -> Outcome:
    """Fires when the data volume has grown by more than X since the model was trained.

    Options: `metric` (e.g. rows), `growth_since_baseline: 20%` (relative to the model
    card's value of the same metric) or a plain number of rows. `count: latest` (default)
    compares the latest value (the size of today's data) with the card's; `count:
    since_training` adds up the values observed after the card's `trained_at` (new rows
    since training) and compares the sum with the card's value. Strict: growth equal to X
    does not fire. A missing model card value, or a card trained after `now`, makes the
    rule an error.
    """
    if problem := unreadable_series(rule, ctx):
        return problem
    base = _baseline_value(rule, ctx)
    if isinstance(base, Outcome):
        return base
    amount, relative = parse_amount(rule.options["growth_since_baseline"])
    if relative and base == 0:
        card = ctx.baseline.source if ctx.baseline else "the model card"
        return error_outcome(
            rule, f"{card}: the model card's {rule.metric} is 0; growth is undefined"
        )
    assert ctx.series is not None
    if rule.options.get("count", "latest") == "since_training":
        if ctx.baseline is None or ctx.baseline.trained_at is None:
            return error_outcome(rule, "count: since_training needs `trained_at` in the model card")
        trained = ctx.baseline.trained_at
        column = ctx.series.columns[str(rule.metric)]
        first = bisect.bisect_right(ctx.series.times, trained, 0, ctx.end)
        current, missing = column_sum(column, first, ctx.end)
        if missing and rule.missing == "error":
            gap = next(i for i in range(first, ctx.end) if column[i] is None)
            where = ctx.series.where[gap]
            return error_outcome(
                rule, f"{rule.metric} is missing on {day(ctx.series.times[gap])} ({where})"
            )
        what = f"{fmt(current)} {rule.metric} since training on {day(trained)}"
        growth = current / base if relative else current
    else:
        try:
            latest: Observed = observe(rule, ctx, needed=1)[-1]
        except NoData as exc:
            return error_outcome(rule, str(exc))
        current = latest.value
        what = f"{subject_of(rule)} {fmt(current)} on {day(latest.time)}"
        growth = current / base - 1 if relative else current - base
    limit_text = percent(amount) if relative else fmt(amount)
    shown = f"{growth:+.1%}" if relative else ("+" if growth >= 0 else "") + fmt(growth)
    fired = exceeds(growth, amount)
    verb = "more than" if fired else "not more than"
    return outcome(
        rule,
        status="fired" if fired else "quiet",
        observed=growth,
        threshold=f"growth > {limit_text}",
        reason=f"{what} vs {fmt(base)} at training: {shown}, {verb} {limit_text}",
        recent=rule_points(rule, ctx),
        recent_label=subject_of(rule),
        limit=base * (1 + amount) if relative else base + amount,
    )


def _growth_semantic(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    if options.get("count") == "since_training" and "window" in options:
        return [("window", "count: since_training adds up every value since training; no window")]
    return persistence_semantic(options)


def _data_growth(rule: RuleConfig, days: Days) -> list[Status]:
    base = _baseline(rule, days)
    if base is None:
        return _same(days, "error")
    amount, relative = parse_amount(rule.options["growth_since_baseline"])
    if relative and base == 0:
        return _same(days, "error")
    ctx = days.ctx
    assert ctx.series is not None and ctx.baseline is not None
    if rule.options.get("count", "latest") == "since_training":
        trained = ctx.baseline.trained_at
        if trained is None:
            return _same(days, "error")
        column = ctx.series.columns[str(rule.metric)]
        after = bisect.bisect_right(ctx.series.times, trained)
        holds: list[bool | None] = []
        for end in days.ends:
            # the evaluator's own running sums: the same float differences
            current, missing = column_sum(column, min(after, end), end)
            if missing and rule.missing == "error":
                holds.append(None)
            else:
                holds.append(exceeds(current / base if relative else current, amount))
        return _as_trigger(holds)

    def condition(value: float) -> bool:
        return exceeds(value / base - 1 if relative else value - base, amount)

    return _persisted(rule, days, condition, needed=1, of_last=1, holds="fired", not_holds="quiet")


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
        "growth_since_baseline": AMOUNT,
        "count": {"enum": ["latest", "since_training"]},
    },
    required=("metric",),
    evaluate=evaluate_data_growth,
    uses_baseline=True,
    semantic=_growth_semantic,
    statuses=_card_known(_data_growth),
)

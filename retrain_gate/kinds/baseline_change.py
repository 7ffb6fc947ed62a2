"""The baseline_change trigger: a metric moved from the model card's value by more than allowed."""

from __future__ import annotations

from retrain_gate.durations import parse_amount
from retrain_gate.kinds.base import (
    AMOUNT,
    COMMON,
    SERIES_OPTIONS,
    Context,
    Kind,
    _baseline_value,
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
    percent,
    persisted,
    persistence,
    persistence_phrase,
    rule_points,
)
from retrain_gate.kinds.windows import Days, _card_known, _persisted, _same
from retrain_gate.model import RuleConfig
from retrain_gate.results import Outcome, Status


def evaluate_baseline_change(rule: RuleConfig, ctx: Context) -> Outcome:
    """Fires when a metric moved away from its value at training time (the model card).

    Options: `metric`, and `drop_from_baseline: X` or `rise_from_baseline: X`. A
    percentage (`3%`) is relative to the baseline value; a plain number (`0.03`) is in the
    metric's own units. Strict: a change equal to X (up to floating-point rounding: 0.873 is
    a drop of exactly 3% from 0.9) does not fire. Accepts `aggregate`,
    `window`, `for` and `of_last` as the threshold rule does. A missing model card or
    baseline value, or a card trained after `now`, makes the rule an error (the gate fails
    closed).
    """
    if problem := unreadable_series(rule, ctx):
        return problem
    base = _baseline_value(rule, ctx)
    if isinstance(base, Outcome):
        return base
    dropping = "drop_from_baseline" in rule.options
    amount, relative = parse_amount(
        rule.options["drop_from_baseline" if dropping else "rise_from_baseline"]
    )
    if relative and base == 0:
        card = ctx.baseline.source if ctx.baseline else "the model card"
        return error_outcome(
            rule, f"{card}: the baseline {rule.metric} is 0; a relative change is undefined"
        )

    def change(value: float) -> float:
        moved = (base - value) if dropping else (value - base)
        return moved / abs(base) if relative else moved

    try:
        holds, observed, matching = persisted(rule, ctx, lambda v: exceeds(change(v), amount))
    except NoData as exc:
        return error_outcome(rule, str(exc))
    latest = observed[-1]
    word = "drop" if dropping else "rise"
    moved = change(latest.value)
    shown = f"{moved:.1%}" if relative else fmt(moved)
    limit_text = percent(amount) if relative else fmt(amount)
    subject = subject_of(rule)
    comparison = (
        f"{subject} {fmt(latest.value)} on {day(latest.time)} vs {fmt(base)} at training: "
        f"a {word} of {shown}"
    )
    if holds:
        reason = f"{comparison}, more than {limit_text}{persistence_phrase(rule, matching)}"
    else:
        reason = f"{comparison}, not more than {limit_text}"
    return outcome(
        rule,
        status="fired" if holds else "quiet",
        observed=moved,
        threshold=f"{word} > {limit_text}",
        reason=reason,
        recent=rule_points(rule, ctx),
        recent_label=subject_of(rule),
        limit=(base * (1 - amount) if dropping else base * (1 + amount))
        if relative
        else (base - amount if dropping else base + amount),
    )


def _baseline(rule: RuleConfig, days: Days) -> float | None:
    """The model card's value of the rule's metric; None when the evaluator says error."""
    if days.ctx.series is None or days.ctx.baseline is None:
        return None
    return days.ctx.baseline.value(str(rule.metric))


def _baseline_change(rule: RuleConfig, days: Days) -> list[Status]:
    base = _baseline(rule, days)
    if base is None:
        return _same(days, "error")
    dropping = "drop_from_baseline" in rule.options
    amount, relative = parse_amount(
        rule.options["drop_from_baseline" if dropping else "rise_from_baseline"]
    )
    if relative and base == 0:
        return _same(days, "error")

    def condition(value: float) -> bool:
        moved = (base - value) if dropping else (value - base)
        return exceeds(moved / abs(base) if relative else moved, amount)

    needed, of_last = persistence(rule)
    return _persisted(
        rule, days, condition, needed=needed, of_last=of_last, holds="fired", not_holds="quiet"
    )


KIND = Kind(
    name="baseline_change",
    role="trigger",
    keys=("drop_from_baseline", "rise_from_baseline"),
    options={
        **COMMON,
        **SERIES_OPTIONS,
        "drop_from_baseline": AMOUNT,
        "rise_from_baseline": AMOUNT,
    },
    required=("metric",),
    evaluate=evaluate_baseline_change,
    uses_baseline=True,
    semantic=lambda o: (
        _one_of(o, ("drop_from_baseline", "rise_from_baseline")) + persistence_semantic(o)
    ),
    statuses=_card_known(_baseline_change),
)

"""The baseline_change trigger: a metric moved from the model card's value by more than allowed."""

from __future__ import annotations

from retrain_gate.durations import parse_amount
from retrain_gate.kinds.base import (
    AMOUNT,
    COMMON,
    SERIES_OPTIONS,
    Judgement,
    Kind,
    _one_of,
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
    persistence_phrase,
    rule_points,
)
from retrain_gate.model import RuleConfig
from retrain_gate.results import Outcome


def judge_baseline_change(rule: RuleConfig, days: Days) -> Judgement:
    """Fires when a metric moved away from its value at training time (the model card).

    Options: `metric`, and `drop_from_baseline: X` or `rise_from_baseline: X`. A
    percentage (`3%`) is relative to the baseline value; a plain number (`0.03`) is in the
    metric's own units. Strict: a change equal to X (up to floating-point rounding: 0.873 is
    a drop of exactly 3% from 0.9) does not fire. Accepts `aggregate`,
    `window`, `for` and `of_last` as the threshold rule does. A missing model card or
    baseline value, or a card trained after `now`, makes the rule an error (the gate fails
    closed).
    """
    if problem := unreadable_series(rule, days.ctx):
        return constant(days, problem)
    base = baseline_value(rule, days)
    if isinstance(base, Judgement):
        return base
    dropping = "drop_from_baseline" in rule.options
    amount, relative = parse_amount(
        rule.options["drop_from_baseline" if dropping else "rise_from_baseline"]
    )
    if relative and base == 0:
        card = days.ctx.baseline.source if days.ctx.baseline else "the model card"
        return card_known(
            rule,
            days,
            error_on_every_day(
                rule,
                days,
                f"{card}: the baseline {rule.metric} is 0; a relative change is undefined",
            ),
        )

    def change(value: float) -> float:
        moved = (base - value) if dropping else (value - base)
        return moved / abs(base) if relative else moved

    track = Persisted(rule, days, lambda v: exceeds(change(v), amount))
    word = "drop" if dropping else "rise"
    limit_text = percent(amount) if relative else fmt(amount)
    subject = subject_of(rule)

    def explain(i: int) -> Outcome:
        if track.holds[i] is None:
            return error_outcome(rule, track.problem(i))
        latest = track.observed(i)[-1]
        moved = change(latest.value)
        shown = f"{moved:.1%}" if relative else fmt(moved)
        comparison = (
            f"{subject} {fmt(latest.value)} on {day(latest.time)} vs {fmt(base)} at training: "
            f"a {word} of {shown}"
        )
        if moved < 0:  # it moved the other way: a rise is not "a drop of -4.6%"
            other = "rise" if dropping else "drop"
            shown = f"{-moved:.1%}" if relative else fmt(-moved)
            comparison = (
                f"{subject} {fmt(latest.value)} on {day(latest.time)} vs {fmt(base)} at "
                f"training: a {other} of {shown}, so no {word}"
            )
        if track.holds[i]:
            phrase = persistence_phrase(rule, track.matching(i))
            reason = f"{comparison}, more than {limit_text}{phrase}"
        elif moved < 0:
            reason = comparison
        else:
            reason = f"{comparison}, not more than {limit_text}"
        return outcome(
            rule,
            status="fired" if track.holds[i] else "quiet",
            observed=moved,
            threshold=f"{word} > {limit_text}",
            reason=reason,
            recent=rule_points(rule, days, i),
            recent_label=subject,
            limit=(base * (1 - amount) if dropping else base * (1 + amount))
            if relative
            else (base - amount if dropping else base + amount),
        )

    return card_known(rule, days, Judgement(statuses=as_trigger(track.holds), explain=explain))


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
    judge=judge_baseline_change,
    uses_baseline=True,
    semantic=lambda o: (
        _one_of(o, ("drop_from_baseline", "rise_from_baseline")) + persistence_semantic(o)
    ),
)

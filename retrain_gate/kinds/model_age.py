"""The model_age trigger: the model was trained longer ago than allowed."""

from __future__ import annotations

from retrain_gate.durations import format_duration, parse_duration
from retrain_gate.kinds.base import (
    COMMON,
    DURATION,
    Judgement,
    Kind,
    as_trigger,
    card_known,
    error_on_every_day,
    outcome,
)
from retrain_gate.kinds.days import Days
from retrain_gate.kinds.series import day
from retrain_gate.model import RuleConfig
from retrain_gate.results import Outcome


def judge_model_age(rule: RuleConfig, days: Days) -> Judgement:
    """Fires when the model is older than `max_age` (e.g. `30d`).

    The age is `now` minus the model card's `trained_at`. Strict: an age equal to
    max_age does not fire. No model card, no `trained_at` in it, or a `trained_at` after
    `now` is an error.
    """
    ctx = days.ctx
    limit = parse_duration(str(rule.options["max_age"]))
    if ctx.baseline is None or ctx.baseline.trained_at is None:
        why = (
            str(ctx.baseline_problem)
            if ctx.baseline_problem
            else f"the model card {ctx.baseline.source} has no `trained_at`"
            if ctx.baseline
            else "no `baseline:` in the config"
        )
        return error_on_every_day(rule, days, f"cannot tell the model's age: {why}")
    trained = ctx.baseline.trained_at
    ages = [now - trained for now in days.nows]

    def explain(i: int) -> Outcome:
        age = ages[i].total_seconds() / 86400
        fired = ages[i] > limit
        relation = "older than" if fired else "not older than"
        return outcome(
            rule,
            status="fired" if fired else "quiet",
            observed=f"{age:.1f}d",
            threshold=f"> {format_duration(limit)}",
            reason=(
                f"model trained {day(trained)}, {age:.1f} days ago: "
                f"{relation} {format_duration(limit)}"
            ),
        )

    statuses = as_trigger([age > limit for age in ages])
    return card_known(rule, days, Judgement(statuses=statuses, explain=explain))


KIND = Kind(
    name="model_age",
    role="trigger",
    keys=("max_age",),
    options={**COMMON, "max_age": DURATION},
    required=(),
    judge=judge_model_age,
    uses_series=False,
    uses_baseline=True,
)

"""The model_age trigger: the model was trained longer ago than allowed."""

from __future__ import annotations

from retrain_gate.durations import format_duration, parse_duration
from retrain_gate.kinds.base import (
    COMMON,
    DURATION,
    Context,
    Kind,
    card_from_the_future,
    error_outcome,
    outcome,
)
from retrain_gate.kinds.series import (
    day,
)
from retrain_gate.kinds.windows import Days, _card_known, _same
from retrain_gate.model import RuleConfig
from retrain_gate.results import Outcome, Status


def evaluate_model_age(rule: RuleConfig, ctx: Context) -> Outcome:
    """Fires when the model is older than `max_age` (e.g. `30d`).

    The age is `now` minus the model card's `trained_at`. Strict: an age equal to
    max_age does not fire. No model card, no `trained_at` in it, or a `trained_at` after
    `now` is an error.
    """
    limit = parse_duration(str(rule.options["max_age"]))
    if future := card_from_the_future(rule, ctx):
        return future
    if ctx.baseline is None or ctx.baseline.trained_at is None:
        why = (
            str(ctx.baseline_problem)
            if ctx.baseline_problem
            else f"the model card {ctx.baseline.source} has no `trained_at`"
            if ctx.baseline
            else "no `baseline:` in the config"
        )
        return error_outcome(rule, f"cannot tell the model's age: {why}")
    age = ctx.now - ctx.baseline.trained_at
    days = age.total_seconds() / 86400
    fired = age > limit
    relation = "older than" if fired else "not older than"
    return outcome(
        rule,
        status="fired" if fired else "quiet",
        observed=f"{days:.1f}d",
        threshold=f"> {format_duration(limit)}",
        reason=(
            f"model trained {day(ctx.baseline.trained_at)}, {days:.1f} days ago: "
            f"{relation} {format_duration(limit)}"
        ),
    )


def _model_age(rule: RuleConfig, days: Days) -> list[Status]:
    baseline = days.ctx.baseline
    if baseline is None or baseline.trained_at is None:
        return _same(days, "error")
    limit = parse_duration(str(rule.options["max_age"]))
    trained = baseline.trained_at
    return ["fired" if now - trained > limit else "quiet" for now in days.nows]


KIND = Kind(
    name="model_age",
    role="trigger",
    keys=("max_age",),
    options={**COMMON, "max_age": DURATION},
    required=(),
    evaluate=evaluate_model_age,
    uses_series=False,
    uses_baseline=True,
    statuses=_card_known(_model_age),
)

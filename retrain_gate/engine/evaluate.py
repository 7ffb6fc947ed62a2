"""The evaluate stage: pure. Given a model's config and its loaded data, and `now`, return
its ModelResult. No I/O, no clock: the same inputs always give the same result."""

from __future__ import annotations

from datetime import datetime

from retrain_gate.engine.decide import decide
from retrain_gate.engine.load import ModelData
from retrain_gate.errors import EXIT_DATA
from retrain_gate.kinds import judge
from retrain_gate.kinds.days import Context, Days
from retrain_gate.model import ModelConfig
from retrain_gate.results import ModelResult, Outcome, Problem


def context_for(
    model: ModelConfig, data: ModelData, *, now: datetime, end: int | None = None
) -> Context:
    """The rules' view of the data; `end` hides observations from index `end` on."""
    series_problem = baseline_problem = None
    if data.series is None and model.metrics is not None:
        series_problem = next(iter(data.problems), None)
    if data.baseline is None and model.baseline is not None:
        baseline_problem = data.problem_for(model.baseline) or Problem(
            "the model card could not be read", EXIT_DATA, model.baseline
        )
    visible = len(data.series) if data.series is not None else 0
    return Context(
        model=model.name,
        now=now,
        series=data.series,
        series_problem=series_problem,
        end=visible if end is None else min(end, visible),
        baseline=data.baseline,
        baseline_problem=baseline_problem,
        files=data.files,
    )


def evaluate_rules(
    model: ModelConfig, ctx: Context
) -> tuple[tuple[Outcome, ...], tuple[Outcome, ...]]:
    """(trigger outcomes, check outcomes) in config order: each rule judged on the one day
    `ctx` describes, as a backtest judges it on every day."""
    today = Days.of(ctx)
    triggers = tuple(judge(r, today).outcome(0) for r in model.triggers)
    checks = tuple(judge(r, today).outcome(0) for r in model.checks)
    return triggers, checks


def evaluate_model(
    model: ModelConfig, data: ModelData, *, now: datetime, end: int | None = None
) -> ModelResult:
    """Evaluate every trigger and check of one model and decide."""
    ctx = context_for(model, data, now=now, end=end)
    triggers, checks = evaluate_rules(model, ctx)
    decision, summary = decide(triggers, checks, data.problems)
    return ModelResult(
        model=model.name,
        decision=decision,
        summary=summary,
        triggers=triggers,
        checks=checks,
        problems=data.problems,
    )

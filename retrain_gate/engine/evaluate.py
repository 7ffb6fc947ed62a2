"""The evaluate stage: pure. Given a model's config and its loaded data, and `now`, return
its ModelResult. No I/O, no clock: the same inputs always give the same result."""

from __future__ import annotations

from datetime import datetime

from retrain_gate.engine.context import context_for
from retrain_gate.engine.decide import decide
from retrain_gate.engine.load import ModelData
from retrain_gate.engine.retrains import retrain_policy
from retrain_gate.kinds import judge
from retrain_gate.kinds.days import Context, Days
from retrain_gate.model import ModelConfig
from retrain_gate.results import CardState, ModelResult, Outcome
from retrain_gate.sources.card import Baseline


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
    decision, summary = retrain_policy(model, data, triggers, decision, summary, now=now)
    summary += last_attempt_note(data.baseline)
    return ModelResult(
        model=model.name,
        decision=decision,
        summary=summary,
        triggers=triggers,
        checks=checks,
        problems=data.problems,
        card=card_state(data.baseline),
    )


def last_attempt_note(card: Baseline | None) -> str:
    """A retrain since the current model that did not replace it: the decision says so."""
    attempt = card.last_attempt if card is not None else None
    if card is None or attempt is None or attempt.result == "promoted":
        return ""
    if card.trained_at is not None and attempt.at < card.trained_at:
        return ""
    what = "kept the old model" if attempt.result == "kept_old" else "failed"
    return f"; the last retrain ({attempt.at.date().isoformat()}) {what}"


def card_state(card: Baseline | None) -> CardState | None:
    """What the reports show of the model card: version, training time, last retrain."""
    if card is None:
        return None
    attempt = card.last_attempt
    return CardState(
        version=card.version,
        trained_at=card.trained_at,
        last_result=attempt.result if attempt else None,
        last_at=attempt.at if attempt else None,
        last_reason=attempt.reason if attempt else "",
        last_gate_run=attempt.gate_run if attempt else None,
    )

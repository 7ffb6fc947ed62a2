"""The pipeline for one run: load config -> load metrics -> evaluate -> decide -> Report."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from retrain_gate.engine.evaluate import evaluate_model
from retrain_gate.engine.load import load_model
from retrain_gate.errors import ConfigError
from retrain_gate.model import Config, ModelConfig
from retrain_gate.results import ModelResult, Report


def check_model_names(names: Sequence[str], known: Collection[str], *, config_path: str) -> None:
    """Every name given with --model must be a model of the config: a typo is a usage error
    (exit 2), never a silent "nothing to do" that would let a check pass."""
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ConfigError(
            f"no model named {unknown[0]!r} in the config",
            file=config_path,
            hint=f"models: {', '.join(known)}",
        )


def select_models(config: Config, names: Sequence[str] = ()) -> list[ModelConfig]:
    """The models to evaluate: all, or the ones named (unknown names are a usage error)."""
    if not names:
        return list(config.models.values())
    check_model_names(names, config.models, config_path=config.path)
    return [config.models[n] for n in names]


def check(config: Config, *, now: datetime, models: Sequence[str] = ()) -> Report:
    """Evaluate each selected model independently: one model's bad data is its own `error`."""
    results: list[ModelResult] = []
    for model in select_models(config, models):
        data = load_model(config, model)
        results.append(evaluate_model(model, data, now=now))
    return Report(now=now, config_path=config.path, models=tuple(results))

"""The pipeline for one run: load config -> load metrics -> evaluate -> decide -> Report."""

from __future__ import annotations

import bisect
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime

from retrain_gate.engine.evaluate import evaluate_model
from retrain_gate.engine.load import load_model, problem
from retrain_gate.errors import EXIT_INTERNAL, ConfigError, GateError
from retrain_gate.model import Config, ModelConfig
from retrain_gate.results import ModelResult, Problem, Report
from retrain_gate.sources.card import card_as_of


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


def check(
    config: Config, *, now: datetime, models: Sequence[str] = (), as_of: bool = False
) -> Report:
    """Evaluate each selected model independently: one model's bad data is its own `error`.

    `as_of` (`check --now` given): judge as the gate run at `now` would have, seeing only
    the observations timed before it, as the backtest does. Without it (`now` is the clock),
    an observation after `now` stays visible, and the freshness check fails on it: a clock
    or time-zone error is bad data, never silently dropped."""
    results: list[ModelResult] = []
    for model in select_models(config, models):
        results.append(_decide_one(config, model, now=now, as_of=as_of))
    return Report(now=now, config_path=config.path, models=tuple(results))


def _decide_one(
    config: Config, model: ModelConfig, *, now: datetime, as_of: bool = False
) -> ModelResult:
    """One model's result; whatever goes wrong with its data stays its own `error`.

    A config error still stops the run (exit 2: nothing can be trusted). A data error that
    escapes the load stage becomes the model's problem (exit 3). Any other exception is a
    bug in the gate, met on this model's files: the model is `error` with a problem whose
    exit code is 70, so the other models are still decided and reported, and the run still
    exits 70 with the bug's name in the report (hidden, it would never be fixed)."""
    try:
        data = load_model(config, model)
        times = data.series.times if data.series is not None else ()
        end = bisect.bisect_left(times, now) if as_of else None
        if as_of:  # and the model card of the model in use then
            data = replace(data, baseline=card_as_of(data.baseline, now))
        return evaluate_model(model, data, now=now, end=end)
    except ConfigError:
        raise
    except GateError as exc:
        found = problem(exc)
    except Exception as exc:  # see the docstring (RecursionError is an Exception)
        found = Problem(
            f"internal error on this model's data: {type(exc).__name__}: {str(exc)[:200]} "
            "(a bug in retrain-gate; please report it with the files that cause it)",
            EXIT_INTERNAL,
            config.path,
            model.line,
        )
    return ModelResult(model=model.name, decision="error", summary=str(found), problems=(found,))

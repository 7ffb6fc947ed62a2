"""The backtest of a config: every selected model's data loaded once, then replayed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from retrain_gate.engine.backtest import (
    Backtest,
    history_span,
    replay_window,
    run_backtest,
)
from retrain_gate.engine.load import ModelData
from retrain_gate.model import Config, ModelConfig


def load_all(config: Config, names: Sequence[str] = ()) -> list[tuple[ModelConfig, ModelData]]:
    """Every selected model with its data: each file read and parsed once."""
    from retrain_gate.engine.gate import select_models
    from retrain_gate.engine.load import load_model

    return [(m, load_model(config, m)) for m in select_models(config, names)]


def backtest_config(
    config: Config,
    *,
    models: Sequence[str] = (),
    since: date | None = None,
    days: int | None = None,
) -> Backtest:
    loaded = load_all(config, models)
    window = replay_window(history_span(d for _, d in loaded), since=since, days=days)
    return run_backtest(loaded, config_path=config.path, window=window)

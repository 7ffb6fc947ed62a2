"""`validate`'s look at the data: can `check` read each metric source of a model, and does
it provide the metrics the rules name?

Each source is read as `check` reads it (its files, time field, `time_unit`, `timezone` and
layout), but its metric values are not made numbers: a bad value is the data's problem, on
the day it is written, while a time field that is not there is the config's. What stops a
source is a config error at its entry (`metrics:` or `sources: NAME:`); its metric names
are judged whenever its newest file lists them.
"""

from __future__ import annotations

from retrain_gate.config.positions import dotted, locate
from retrain_gate.engine.load import available_fields, metric_errors, read_source
from retrain_gate.errors import ConfigError, GateError
from retrain_gate.model import Config, ModelConfig, PathPart, SourceConfig


def data_errors(config: Config) -> list[ConfigError]:
    """Every source that cannot be read, and every metric a rule names that its source does
    not provide, over all the config's models."""
    found: list[ConfigError] = []
    for model in config.models.values():
        found.extend(model_data_errors(config, model))
    return found


def model_data_errors(config: Config, model: ModelConfig) -> list[ConfigError]:
    found: list[ConfigError] = []
    named: list[tuple[str | None, SourceConfig, list[PathPart]]] = []
    if model.metrics is not None:
        named.append((None, model.metrics, ["models", model.name, "metrics"]))
    named += [(n, s, ["models", model.name, "sources", n]) for n, s in model.sources.items()]
    if model.baseline is not None:  # the card too: its training time, as the config says
        card = _card_error(config, model, ["models", model.name, "baseline"])
        if card is not None:
            found.append(card)
    for name, source, path in named:
        unreadable = _read_error(config, source, path)
        if unreadable is not None:
            found.append(unreadable)
        # the names, even when the times cannot be read (a header lists them all the same);
        # none when the file cannot be read at all: nothing to judge the names by
        fields = available_fields(config, source)
        if fields:
            found.extend(metric_errors(config, model, fields, source=name))
    return found


def _read_error(config: Config, source: SourceConfig, path: list[PathPart]) -> ConfigError | None:
    """The error that stops `check` reading the source, at the source's entry; or None."""
    try:
        read_source(config, source)
    except ConfigError as exc:
        return exc
    except GateError as exc:
        return _at_entry(config, path, exc, line=source.line)
    return None


def _card_error(config: Config, model: ModelConfig, path: list[PathPart]) -> ConfigError | None:
    """The error that stops `check` reading the model card (its `trained_at` field, in its
    `time_unit`), at the model's `baseline:`; or None."""
    from retrain_gate.sources.card import load_baseline

    assert model.baseline is not None
    try:
        load_baseline(config.root, model.baseline, time=model.card_time)
    except ConfigError as exc:
        return exc
    except GateError as exc:
        return _at_entry(config, path, exc, line=model.line)
    return None


def _at_entry(
    config: Config, path: list[PathPart], exc: GateError, *, line: int | None
) -> ConfigError:
    found, column = locate(config, path)
    return ConfigError(
        f"{dotted(path)}: {exc.location + ': ' if exc.location else ''}{exc.message}",
        file=config.path,
        line=found or line,
        column=column if found else None,
        hint=exc.hint,
    )

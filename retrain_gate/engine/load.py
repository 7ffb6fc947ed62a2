"""The load stage: read every file a model's rules need, once, before evaluation.

A file that cannot be read becomes a `Problem` in the model's data (an outcome, not a
crash): rules that need it report an error and the model's decision is `error`.
A rule naming a metric the metric file does not provide is a config error at the rule's line.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from retrain_gate.config.positions import locate
from retrain_gate.errors import ConfigError, DataError, GateError, collected
from retrain_gate.kinds import registry
from retrain_gate.model import Config, ModelConfig, SourceConfig
from retrain_gate.results import Problem
from retrain_gate.sources.card import Baseline, load_baseline
from retrain_gate.sources.files import parse_json, parse_yaml, read_text, resolve_inside
from retrain_gate.sources.metrics import Series, build_series, load_series, read_records


@dataclass(frozen=True)
class ModelData:
    """Everything one model's rules read, already parsed."""

    series: Series | None = None
    baseline: Baseline | None = None
    files: Mapping[str, object] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    sources: Mapping[str, Series | None] = field(default_factory=dict)  # `sources:` by name

    def problem_for(self, source: str) -> Problem | None:
        return next((p for p in self.problems if p.file == source), None)


def problem(error: GateError) -> Problem:
    file, line = error.file, error.line
    # metrics name an observation "file:line" (Record.where); the report keeps the two apart
    located = re.fullmatch(r"(.+):(\d+)", file or "") if line is None else None
    if located:
        file, line = located.group(1), int(located.group(2))
    return Problem(
        message=error.message + (f" ({error.hint})" if error.hint else ""),
        exit_code=error.exit_code,
        file=file,
        line=line,
    )


def series_fields(model: ModelConfig, source: str | None = None) -> tuple[set[str], set[str]]:
    """(numeric metrics, presence-only fields) the model's rules (group members included)
    read from its series: `metrics:`, or (`source`) one of its `sources:`."""
    metrics: set[str] = set()
    presence: set[str] = set()
    for rule in model.rules:
        if rule.options.get("source") != source:
            continue
        if rule.metric:
            metrics.add(rule.metric)
        kind = registry(rule.role)[rule.kind]
        metrics.update(kind.fields(rule.options))
        presence.update(kind.presence(rule.options))
    return metrics, presence - metrics


def load_model(config: Config, model: ModelConfig) -> ModelData:
    """Read the model's metric series, model card and auxiliary files."""
    problems: list[Problem] = []
    series = baseline = None
    if model.metrics is not None:
        series, lost = _load_source(config, model, model.metrics)
        problems.extend(lost)
    sources: dict[str, Series | None] = {}
    for name, source in model.sources.items():
        sources[name], lost = _load_source(config, model, source, name=name)
        problems.extend(lost)
    if model.baseline is not None:
        try:
            if model.baseline_history == "git":
                from retrain_gate.sources.history import card_with_history  # (git, subprocess)

                baseline = card_with_history(config.root, model.baseline, time=model.card_time)
            else:
                baseline = load_baseline(config.root, model.baseline, time=model.card_time)
        except ConfigError:
            raise
        except GateError as exc:
            problems.append(problem(exc))
    files: dict[str, object] = {}
    for rule in model.rules:
        for relative, kind in registry(rule.role)[rule.kind].inputs(rule.options):
            if relative in files:
                continue
            try:
                path = resolve_inside(
                    config.root, relative, what="data file", file=config.path, line=rule.line
                )
                files[relative] = read_input(path, relative, kind)
            except ConfigError:
                raise
            except GateError as exc:
                found = problem(exc)
                files[relative] = found
                problems.append(found)
    return ModelData(
        series=series, baseline=baseline, files=files, problems=tuple(problems), sources=sources
    )


def _load_source(
    config: Config, model: ModelConfig, source: SourceConfig, *, name: str | None = None
) -> tuple[Series | None, list[Problem]]:
    """One metric source read into a series, or the problem that stopped it."""
    metrics, presence = series_fields(model, name)
    try:
        series = read_source(config, source, metrics=metrics, presence=presence)
    except GateError as exc:
        if isinstance(exc, ConfigError):
            raise
        return None, [problem(exc)]
    check_metrics_exist(config, model, series.columns, source=name)
    return series, []


def read_source(
    config: Config,
    source: SourceConfig,
    *,
    metrics: Collection[str] = (),
    presence: Collection[str] = (),
) -> Series:
    """A metric source's series, its times parsed and its layout read (only `metrics` are
    made numbers); a GateError when it cannot be read."""
    resolve_inside(
        config.root,
        source.path.split("*")[0] or ".",
        what="metrics path",
        file=config.path,
        line=source.line,
    )
    if source.history == "git":
        # imported here: git, subprocess and tempfile only for a history read from git
        from retrain_gate.sources.history import history_records

        records = history_records(
            config.root,
            source.path,
            time_field=source.time,
            fmt=source.format,
            delimiter=source.read.delimiter,
        )
        return build_series(
            records,
            source=source.path,
            time_field=source.time,
            metrics=metrics,
            presence=presence,
            read=source.read,
        )
    return load_series(
        config.root,
        source.path,
        time_field=source.time,
        metrics=metrics,
        presence=presence,
        fmt=source.format,
        read=source.read,
    )


def read_input(path: Path, display: str, kind: str) -> object:
    if kind == "records":
        return [(r.where, dict(_unflatten(r.fields))) for r in read_records(path, display=display)]
    text = read_text(path, display=display)
    if kind == "distribution":
        from retrain_gate.sources import distributions as drift

        if path.suffix.lower() == ".csv":
            from retrain_gate.sources.tables import parse_csv

            columns = parse_csv(text, source=display)
            return drift.parse_distributions(
                columns, source=display, rows=lambda index: f"line {index + 2}"
            )
        # NaN (missing) and -Infinity (an open bin) are what Python's json.dump writes
        data = (
            parse_yaml(text, display=display)
            if path.suffix in (".yml", ".yaml")
            else parse_json(text, display=display, constants=True)
        )
        return drift.parse_distributions(data, source=display)
    data = (
        parse_yaml(text, display=display)
        if path.suffix in (".yml", ".yaml")
        else parse_json(text, display=display)
    )
    if not isinstance(data, Mapping):
        raise DataError("is not a JSON object", file=display)
    return data


def _unflatten(fields: Mapping[str, object]) -> dict[str, object]:
    """Records are validated as written: undo the dotted flattening of nested objects."""
    out: dict[str, object] = {}
    for key, value in fields.items():
        target = out
        parts = key.split(".")
        for part in parts[:-1]:
            nested = target.setdefault(part, {})
            target = nested if isinstance(nested, dict) else {}
        target[parts[-1]] = value
    return out


def check_metrics_exist(
    config: Config, model: ModelConfig, present: Collection[str], *, source: str | None = None
) -> None:
    """A rule naming a metric that the metric file does not provide is a config error."""
    error = collected(metric_errors(config, model, present, source=source))
    if error is not None:
        raise error


def metric_errors(
    config: Config, model: ModelConfig, present: Collection[str], *, source: str | None = None
) -> list[ConfigError]:
    """One error for each rule naming a metric the source (`metrics:` or one of `sources:`)
    does not provide, at the rule's `metric:`, with the closest name the source has."""
    numeric, _ = series_fields(model, source)
    read = model.metrics if source is None else model.sources[source]
    found: list[ConfigError] = []
    available: list[str] | None = None
    for path, rule in model.located():  # group members too, each at its own line
        if rule.options.get("source") != source:
            continue
        if rule.metric and rule.metric in numeric and rule.metric not in present:
            assert read is not None
            if available is None:  # only on this error path
                available = sorted(available_fields(config, read))
            import difflib

            close = difflib.get_close_matches(rule.metric, available, n=1)
            hint = (
                f"did you mean {close[0]!r}?" if close else f"it has: {', '.join(available[:15])}"
            )
            line, column = locate(config, [*path, "metric"])
            found.append(
                ConfigError(
                    f"{rule.role} {rule.name!r} reads metric {rule.metric!r}, which "
                    f"{read.path} does not provide",
                    file=config.path,
                    line=line or rule.line,
                    column=column if line else None,
                    hint=hint,
                )
            )
    return found


def available_fields(config: Config, source: SourceConfig) -> set[str]:
    """The field names of a source's newest metric file (empty when it cannot be read)."""
    import glob

    pattern = source.path
    paths = (
        sorted(glob.glob(str(config.root / pattern)))
        if "*" in pattern
        else [str(config.root / pattern)]
    )
    if not paths:
        return set()
    newest = Path(paths[-1])
    read = source.read
    if source.format == "mlflow":
        from retrain_gate.sources.mlflow import mlflow_records

        try:
            return {n for r in mlflow_records(newest, display=pattern) for n in r.fields}
        except GateError:
            return set()
    try:
        if (
            read.layout == "wide"
            and (
                source.format == "csv"
                or (source.format == "auto" and newest.suffix.lower() == ".csv")
            )
            and read.delimiter == ","
        ):  # a CSV's header names its fields: no need to parse every row
            return _csv_header(read_text(newest, display=pattern))
        records = read_records(newest, display=pattern, fmt=source.format, delimiter=read.delimiter)
    except GateError:
        return set()
    if read.layout == "long":  # the metrics are the values of the key column (if it is there)
        keys = {str(r.fields[read.key]) for r in records if read.key in r.fields}
        return keys | {source.time} if keys else set()
    return {name for r in records for name in r.fields}


def _csv_header(text: str) -> set[str]:
    """The column names of a CSV's header row (empty when it has none that can be used)."""
    import csv
    import io

    if text.lstrip()[:1] in ("{", "["):
        return set()
    header = next(csv.reader(io.StringIO(text)), [])
    return set(header) if header and all(name.strip() for name in header) else set()

"""Load and validate `retrain-gate.yml`: YAML (safely) -> JSON Schema -> typed Config.

Errors name the file, line and column and say how to fix it:
`retrain-gate.yml:12:9: unknown key 'belwo' in models.churn.triggers[1] (did you mean 'below'?)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from retrain_gate.config.messages import _check_with, _Errors
from retrain_gate.config.positions import _compose, dotted, position
from retrain_gate.config.rules import _rules
from retrain_gate.config.schema import build_schema
from retrain_gate.durations import parse_amount, parse_duration
from retrain_gate.errors import ConfigError, UsageError
from retrain_gate.kinds import registry
from retrain_gate.model import (
    DEFAULT_IN_VAIN,
    CardTime,
    Config,
    DispatchConfig,
    ModelConfig,
    PathPart,
    PromotionConfig,
    PromotionRule,
    ReadOptions,
    RetrainLimit,
    SourceConfig,
    located,
    walk,
)
from retrain_gate.sources.files import FORMAT_SUFFIXES, resolve_inside

CONFIG_NAMES = ("retrain-gate.yml", ".github/retrain-gate.yml")


def _dispatch(data: Any, path: list[PathPart], errors: _Errors) -> DispatchConfig | None:
    if data is None:
        return None
    cooldown = None
    if "cooldown" in data:
        try:
            cooldown = parse_duration(data["cooldown"])
        except ValueError as exc:
            raise errors.fail(str(exc), [*path, "cooldown"]) from None
    line, _ = position(errors.node, path)
    if "workflow" in data and "guard_workflow" in data:
        raise errors.fail(
            f"{dotted([*path, 'guard_workflow'])} is for repository_dispatch only",
            [*path, "guard_workflow"],
            key=True,
            hint="a workflow_dispatch is guarded by the runs of its own workflow: remove it",
        )
    if "event_type" in data and "guard_workflow" not in data:
        for key in ("cooldown", "in_flight"):
            if key in data and data[key] is not False:
                raise errors.fail(
                    f"{dotted([*path, key])} needs guard_workflow with repository_dispatch: "
                    "the gate must know which workflow the event starts to read its runs",
                    [*path, key],
                    key=True,
                    hint="add e.g. `guard_workflow: retrain.yml`",
                )
    if "workflow" in data:
        return DispatchConfig(
            event="workflow_dispatch",
            workflow=str(data["workflow"]),
            ref=data.get("ref"),
            inputs={str(k): _input_text(v) for k, v in data.get("inputs", {}).items()},
            cooldown=cooldown,
            in_flight=bool(data.get("in_flight", True)),
            line=line,
        )
    return DispatchConfig(
        event="repository_dispatch",
        event_type=str(data["event_type"]),
        client_payload=dict(data.get("client_payload", {})),
        cooldown=cooldown,
        in_flight=bool(data.get("in_flight", True)),
        line=line,
        guard_workflow=str(data["guard_workflow"]) if "guard_workflow" in data else None,
    )


def _promotion(data: Any, path: list[PathPart], errors: _Errors) -> PromotionConfig | None:
    """`promotion: {must_beat: {accuracy: 0.5%}, no_worse_than: {recall: {by: 1%}}}`."""
    if data is None:
        return None
    rules: list[PromotionRule] = []
    modes: tuple[Literal["must_beat", "no_worse_than"], ...] = ("must_beat", "no_worse_than")
    for mode in modes:
        for metric, spec in (data.get(mode) or {}).items():
            written = spec["by"] if isinstance(spec, Mapping) else spec
            lower = isinstance(spec, Mapping) and spec.get("better") == "lower"
            amount, relative = parse_amount(written)  # the schema accepted it
            rules.append(
                PromotionRule(
                    metric=str(metric),
                    mode=mode,
                    amount=amount,
                    relative=relative,
                    better="lower" if lower else "higher",
                    text=str(written),
                )
            )
    line, _ = position(errors.node, path)
    return PromotionConfig(rules=tuple(rules), line=line)


def _limit(data: Any, path: list[PathPart], errors: _Errors) -> RetrainLimit | None:
    """`{count: 3, per: 30d}` (validated by the schema); None for `false`."""
    if data is None or data is False:
        return None
    try:
        per = parse_duration(data["per"])
    except ValueError as exc:
        raise errors.fail(str(exc), [*path, "per"]) from None
    return RetrainLimit(count=int(data["count"]), per=per)


def _check_inside(
    relative: object, root: Path, what: str, where: list[PathPart], errors: _Errors
) -> None:
    """A config path must stay inside the repository (no absolute path, no `..` out of it)."""
    try:
        resolve_inside(root, str(relative).split("*")[0] or ".", what=what)
    except ConfigError as exc:
        raise errors.fail(exc.message, where, hint=exc.hint) from None


def _input_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_config(text: str, *, display: str, root: Path) -> Config:
    """Validate the text of a config and build the typed Config (no file is read)."""
    data, node = _compose(text, display=display)
    errors = _Errors(display, node)
    if data is None:
        raise ConfigError(
            "the config is empty",
            file=display,
            line=1,
            hint="start with `version: 1` and a `models:` mapping",
        )
    if not isinstance(data, Mapping):
        raise errors.fail("the config must be a mapping with `version: 1` and `models:`", [])
    if "version" in data and data["version"] != 1:
        raise errors.fail(
            f"version {data['version']!r} is not supported",
            ["version"],
            hint="this retrain-gate reads version: 1",
        )
    # Top level and the model mappings first; rules get kind-aware messages below.
    shallow = build_schema()
    model_schema = dict(shallow["properties"]["models"]["additionalProperties"])
    model_schema["properties"] = {
        **model_schema["properties"],
        "triggers": {"type": "array"},
        "checks": {"type": "array"},
    }
    shallow["properties"]["models"]["additionalProperties"] = model_schema
    _check_with(shallow, data, [], errors)
    models: dict[str, ModelConfig] = {}
    for name, spec in data["models"].items():
        path: list[PathPart] = ["models", str(name)]
        source = (
            _source(spec["metrics"], [*path, "metrics"], node=node, root=root, errors=errors)
            if "metrics" in spec
            else None
        )
        sources = {
            str(key): _source(
                value, [*path, "sources", str(key)], node=node, root=root, errors=errors
            )
            for key, value in (spec.get("sources") or {}).items()
        }
        card = spec.get("baseline")
        card_path = card.get("path") if isinstance(card, Mapping) else card
        card_history: Literal["file", "git"] = (
            "git" if isinstance(card, Mapping) and card.get("history") == "git" else "file"
        )
        if card_path is not None:
            _check_inside(card_path, root, "model card", [*path, "baseline"], errors)
        card_time = CardTime()
        if isinstance(card, Mapping):
            card_time = CardTime(
                name=str(card.get("trained_at", "trained_at")),
                read=_read_options(card, [*path, "baseline"], errors),
            )
        triggers = tuple(_rules(spec.get("triggers"), "trigger", [*path, "triggers"], errors))
        checks = tuple(_rules(spec.get("checks"), "check", [*path, "checks"], errors))
        for key, rules in (("triggers", triggers), ("checks", checks)):
            for where, rule in located(rules, [*path, key]):
                for relative, _ in registry(rule.role)[rule.kind].inputs(rule.options):
                    _check_inside(relative, root, "data file", where, errors)
        if not triggers:
            raise errors.fail(
                f"model {name!r} has no triggers",
                [*path, "triggers"],
                hint="add at least one trigger rule",
            )
        if source is None:
            for rule in walk((*triggers, *checks)):
                if registry(rule.role)[rule.kind].uses_series and "source" not in rule.options:
                    raise ConfigError(
                        f"{rule.role} {rule.name!r} reads metrics, "
                        f"but model {name!r} has no `metrics:`",
                        file=display,
                        line=rule.line,
                        hint="add metrics: {path: ..., time: date}",
                    )
        if "baseline" not in spec:
            for rule in walk(triggers):
                if registry("trigger")[rule.kind].uses_baseline:
                    raise ConfigError(
                        f"trigger {rule.name!r} compares with the model card, but model {name!r} "
                        "has no `baseline:`",
                        file=display,
                        line=rule.line,
                        hint="add baseline: path/to/model_card.json",
                    )
        line, _ = position(node, path, key=True)
        models[str(name)] = ModelConfig(
            name=str(name),
            metrics=source,
            baseline=card_path,
            baseline_history=card_history,
            triggers=triggers,
            checks=checks,
            dispatch=_dispatch(spec.get("dispatch"), [*path, "dispatch"], errors),
            line=line,
            promotion=_promotion(spec.get("promotion"), [*path, "promotion"], errors),
            max_retrains=_limit(spec.get("max_retrains"), [*path, "max_retrains"], errors),
            in_vain=_limit(spec["in_vain"], [*path, "in_vain"], errors)
            if "in_vain" in spec
            else DEFAULT_IN_VAIN,
            sources=sources,
            card_time=card_time,
        )
        _check_sources(models[str(name)], errors)
    return Config(path=display, root=root, models=models, text=text)


# where the peers' results keep their time (the reader's field, see sources/evidently.py)
_TIME_OF = {"evidently": "timestamp", "great_expectations": "run_time"}


def _source(
    metrics: Mapping[str, Any], path: list[PathPart], *, node: Any, root: Path, errors: _Errors
) -> SourceConfig:
    """One metric source (`metrics:`, or one of `sources:`), checked."""
    line, _ = position(node, path)
    source = SourceConfig(
        path=str(metrics["path"]),
        time=str(metrics.get("time", _TIME_OF.get(str(metrics.get("format")), "date"))),
        format=metrics.get("format", "auto"),
        line=line,
        history=metrics.get("history", "file"),
        read=_read_options(metrics, path, errors),
    )
    _check_inside(source.path, root, "metrics path", [*path, "path"], errors)
    if source.history == "git" and any(ch in source.path for ch in "*?["):
        raise errors.fail(
            "history: git reads one file's commits, not a glob",
            [*path, "history"],
            hint="name the one file each run rewrites, or drop `history: git` to read "
            "one file per run",
        )
    suffix = Path(source.path).suffix
    # the extension says the format unless `format:` does (`runs/*` is judged per file)
    if source.format == "auto" and suffix and suffix.lower() not in FORMAT_SUFFIXES:
        raise errors.fail(
            f"cannot tell the format of {source.path!r} from its extension",
            [*path, "path"],
            hint=f"use {', '.join(FORMAT_SUFFIXES)}, or set `format:` (csv, json, jsonl or yaml)",
        )
    return source


def _check_sources(model: ModelConfig, errors: _Errors) -> None:
    """Each `source:` a rule names is one of the model's `sources:`, on a kind that reads
    a series."""
    for where, rule in model.located():
        name = rule.options.get("source")
        if name is None:
            continue
        if not registry(rule.role)[rule.kind].uses_series:
            raise errors.fail(
                f"{rule.role} {rule.name!r} ({rule.kind}) reads no metric series: `source:` "
                "does not apply",
                [*where, "source"],
            )
        if name not in model.sources:
            known = ", ".join(model.sources) or "none"
            raise errors.fail(
                f"{rule.role} {rule.name!r} reads source {name!r}, which model "
                f"{model.name!r} does not name under `sources:`",
                [*where, "source"],
                hint=f"sources: {known}",
            )


def _read_options(metrics: Mapping[str, Any], path: list[PathPart], errors: _Errors) -> ReadOptions:
    """The source's `ReadOptions` (the schema has checked each option's type)."""
    from retrain_gate.sources.reading import zone

    if metrics.get("timezone") is not None:
        try:
            zone(str(metrics["timezone"]))
        except ValueError as exc:
            raise errors.fail(
                str(exc),
                [*path, "timezone"],
                hint="use UTC, an offset such as +02:00, or an IANA name such as Europe/Paris",
            ) from None
    named = metrics.get("values") or {}
    return ReadOptions(
        time_unit=metrics.get("time_unit", "iso"),
        timezone=metrics.get("timezone"),
        booleans=bool(metrics.get("booleans", False)),
        values=tuple((str(k), float(v)) for k, v in named.items()),
        delimiter=str(metrics.get("delimiter", ",")),
        layout=metrics.get("layout", "wide"),
        key=str(metrics.get("key", "key")),
        value=str(metrics.get("value", "value")),
        group_by=metrics.get("group_by"),
    )


def find_config(explicit: str | None, *, cwd: Path) -> Path:
    """`--config`, else retrain-gate.yml or .github/retrain-gate.yml in the current folder."""
    if explicit:
        return Path(explicit)
    for name in CONFIG_NAMES:
        if (cwd / name).is_file():
            return Path(name)
    raise ConfigError(
        "no config found: looked for " + " and ".join(CONFIG_NAMES),
        hint="create retrain-gate.yml, or pass --config PATH",
    )


def _utf16(data: bytes) -> bool:
    return data[:2] in (b"\xff\xfe", b"\xfe\xff")


def repository_root(config_path: Path) -> Path:
    """The folder holding the config, or its parent when the config is in `.github/`."""
    folder = config_path.resolve().parent
    return folder.parent if folder.name == ".github" else folder


def load_config(path: Path, *, root: Path | None = None) -> Config:
    """Read, parse and validate a config file."""
    display = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("config file not found", file=display) from None
    except IsADirectoryError:
        raise ConfigError("is a folder, not a config file", file=display) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"is not UTF-8 text (byte {exc.start})",
            file=display,
            hint="save it as UTF-8" + (" (it is UTF-16)" if _utf16(exc.object) else ""),
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the config: {exc.strerror}", file=display) from None
    if root is not None and not root.is_dir():
        what = "does not exist" if not root.exists() else "is not a folder"
        raise UsageError(f"--root {root} {what}", hint="give the repository's folder")
    return parse_config(text, display=display, root=root or repository_root(path))

"""Load and validate `retrain-gate.yml`: YAML (safely) -> JSON Schema -> typed Config.

Errors name the file, line and column and say how to fix it:
`retrain-gate.yml:12:9: unknown key 'belwo' in models.churn.triggers[1] (did you mean 'below'?)`.
One reading finds them all (`collect_config`): each part in error is left out, the rest is
checked all the same.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

from retrain_gate.config.messages import _check_with, _closest_key, _Errors
from retrain_gate.config.parts import _dispatch, _limit, _promotion
from retrain_gate.config.positions import _compose, position
from retrain_gate.config.rules import _rules
from retrain_gate.config.schema import build_schema
from retrain_gate.errors import ConfigError, UsageError, collected
from retrain_gate.kinds import registry
from retrain_gate.model import (
    DEFAULT_IN_VAIN,
    CardTime,
    Config,
    ModelConfig,
    PathPart,
    ReadOptions,
    RuleConfig,
    SourceConfig,
    located,
    walk,
)
from retrain_gate.sources.files import FORMAT_SUFFIXES, resolve_inside

T = TypeVar("T")

CONFIG_NAMES = ("retrain-gate.yml", ".github/retrain-gate.yml")


def _check_inside(
    relative: object, root: Path, what: str, where: list[PathPart], errors: _Errors
) -> None:
    """A config path must stay inside the repository (no absolute path, no `..` out of it)."""
    try:
        resolve_inside(root, str(relative).split("*")[0] or ".", what=what)
    except ConfigError as exc:
        raise errors.fail(exc.message, where, hint=exc.hint) from None


def parse_config(text: str, *, display: str, root: Path) -> Config:
    """Validate the text of a config and build the typed Config (no file is read); raise
    every error found (`ConfigErrors` when there are several)."""
    config, found = collect_config(text, display=display, root=root)
    error = collected(found)
    if error is not None:
        raise error
    assert config is not None  # no error: every model was built
    return config


def collect_config(
    text: str, *, display: str, root: Path
) -> tuple[Config | None, list[ConfigError]]:
    """The config and every error found in it. The Config holds the models that could be
    built, without the rules in error (for `validate` to read their data all the same);
    None when the text has no models to build. A YAML error stops the reading (raised)."""
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
    if "version" in data and data["version"] != 1:  # the rest is another version's: unjudged
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
    broken: list[list[PathPart]] = []  # where the schema found errors: not built further
    for where, error in _check_with(shallow, data, [], errors):
        errors.add(error)
        broken.append(where)
    specs = data.get("models")
    if not isinstance(specs, Mapping):
        return None, errors.found
    models: dict[str, ModelConfig] = {}
    for name, spec in specs.items():
        path: list[PathPart] = ["models", str(name)]
        if isinstance(spec, Mapping):
            model = _model(
                spec, path, root=root, errors=errors, broken=broken, keys=model_schema["properties"]
            )
            if model is not None:
                models[model.name] = model
    return Config(path=display, root=root, models=models, text=text), errors.found


def _model(
    spec: Mapping[str, Any],
    path: list[PathPart],
    *,
    root: Path,
    errors: _Errors,
    broken: list[list[PathPart]],
    keys: Collection[str],
) -> ModelConfig | None:
    """One model, its parts in error kept in `errors` and left out (`keys`: a model's)."""
    # a misspelled key (`baselin:`) is an error of its own: the key it stands for is taken
    # as written, so that no rule is said to lack it as well
    meant = {_closest_key(str(key), list(keys)) for key in spec}

    def says(key: str) -> bool:
        return key in spec or key in meant

    def fine(*parts: PathPart) -> bool:  # no schema error at or under path + parts
        prefix = [*path, *parts]
        return not any(where[: len(prefix)] == prefix for where in broken)

    name = str(path[-1])
    node = errors.node
    source = None
    if "metrics" in spec and fine("metrics"):
        source = _source(spec["metrics"], [*path, "metrics"], node=node, root=root, errors=errors)
    sources: dict[str, SourceConfig] = {}
    declared = [str(key) for key in spec.get("sources") or {}] if fine("sources") else []
    for key in declared:
        where: list[PathPart] = [*path, "sources", key]
        built = _source(spec["sources"][key], where, node=node, root=root, errors=errors)
        if built is not None:
            sources[key] = built
    card = spec.get("baseline")
    card_path = card.get("path") if isinstance(card, Mapping) else card
    card_history: Literal["file", "git"] = (
        "git" if isinstance(card, Mapping) and card.get("history") == "git" else "file"
    )
    if card_path is not None and fine("baseline"):
        errors.attempt(
            lambda: _check_inside(card_path, root, "model card", [*path, "baseline"], errors)
        )
    card_time = CardTime()
    if isinstance(card, Mapping) and fine("baseline"):
        read = errors.attempt(lambda: _read_options(card, [*path, "baseline"], errors))
        card_time = CardTime(
            name=str(card.get("trained_at", "trained_at")), read=read or ReadOptions()
        )
    rules: dict[str, tuple[RuleConfig, ...]] = {}
    for key, role in (("triggers", "trigger"), ("checks", "check")):
        written = spec.get(key) if fine(key) else None
        rules[key] = tuple(_rules(written, role, [*path, key], errors))
        for where, rule in located(rules[key], [*path, key]):
            for relative, _ in registry(rule.role)[rule.kind].inputs(rule.options):
                errors.attempt(
                    functools.partial(_check_inside, relative, root, "data file", where, errors)
                )
    triggers, checks = rules["triggers"], rules["checks"]
    if isinstance(spec.get("triggers"), list) and not spec["triggers"]:
        errors.add(
            errors.fail(
                f"model {name!r} has no triggers",
                [*path, "triggers"],
                hint="add at least one trigger rule",
            )
        )
    if not says("metrics"):
        for rule in walk((*triggers, *checks)):
            if registry(rule.role)[rule.kind].uses_series and "source" not in rule.options:
                errors.add(
                    ConfigError(
                        f"{rule.role} {rule.name!r} reads metrics, "
                        f"but model {name!r} has no `metrics:`",
                        file=errors.display,
                        line=rule.line,
                        hint="add metrics: {path: ..., time: date}",
                    )
                )
    if not says("baseline"):
        for rule in walk(triggers):
            if registry("trigger")[rule.kind].uses_baseline:
                errors.add(
                    ConfigError(
                        f"trigger {rule.name!r} compares with the model card, "
                        f"but model {name!r} has no `baseline:`",
                        file=errors.display,
                        line=rule.line,
                        hint="add baseline: path/to/model_card.json",
                    )
                )
    line, _ = position(node, path, key=True)

    def part(key: str, build: Callable[[Any, list[PathPart], _Errors], T]) -> T | None:
        if key not in spec or not fine(key):
            return None
        return errors.attempt(lambda: build(spec[key], [*path, key], errors))

    in_vain = part("in_vain", _limit) if "in_vain" in spec else DEFAULT_IN_VAIN
    model = ModelConfig(
        name=name,
        metrics=source,
        baseline=card_path,
        baseline_history=card_history,
        triggers=triggers,
        checks=checks,
        dispatch=part("dispatch", _dispatch),
        line=line,
        promotion=part("promotion", _promotion),
        max_retrains=part("max_retrains", _limit),
        in_vain=in_vain,
        sources=sources,
        card_time=card_time,
    )
    _check_sources(model, declared if fine("sources") else None, errors)
    return model


# where the peers' results keep their time (the reader's field, see sources/evidently.py)
_TIME_OF = {"evidently": "timestamp", "great_expectations": "run_time"}


def _source(
    metrics: Mapping[str, Any], path: list[PathPart], *, node: Any, root: Path, errors: _Errors
) -> SourceConfig | None:
    """One metric source (`metrics:`, or one of `sources:`), checked; None when in error
    (each error kept in `errors`)."""
    before = len(errors.found)
    line, _ = position(node, path)
    read = errors.attempt(lambda: _read_options(metrics, path, errors))
    text = str(metrics["path"])
    errors.attempt(lambda: _check_inside(text, root, "metrics path", [*path, "path"], errors))
    if metrics.get("history") == "git" and any(ch in text for ch in "*?["):
        errors.add(
            errors.fail(
                "history: git reads one file's commits, not a glob",
                [*path, "history"],
                hint="name the one file each run rewrites, or drop `history: git` to read "
                "one file per run",
            )
        )
    suffix = Path(text).suffix
    # the extension says the format unless `format:` does (`runs/*` is judged per file)
    if metrics.get("format", "auto") == "auto" and suffix.lower() not in (*FORMAT_SUFFIXES, ""):
        errors.add(
            errors.fail(
                f"cannot tell the format of {text!r} from its extension",
                [*path, "path"],
                hint=f"use {', '.join(FORMAT_SUFFIXES)}, "
                "or set `format:` (csv, json, jsonl or yaml)",
            )
        )
    if read is None or len(errors.found) > before:
        return None
    return SourceConfig(
        path=text,
        time=str(metrics.get("time", _TIME_OF.get(str(metrics.get("format")), "date"))),
        format=metrics.get("format", "auto"),
        line=line,
        history=metrics.get("history", "file"),
        read=read,
    )


def _check_sources(model: ModelConfig, declared: Sequence[str] | None, errors: _Errors) -> None:
    """Each `source:` a rule names is one of the model's `sources:` (`declared`; None when
    they are in error), on a kind that reads a series."""
    for where, rule in model.located():
        name = rule.options.get("source")
        if name is None:
            continue
        if not registry(rule.role)[rule.kind].uses_series:
            errors.add(
                errors.fail(
                    f"{rule.role} {rule.name!r} ({rule.kind}) reads no metric series: "
                    "`source:` does not apply",
                    [*where, "source"],
                )
            )
        elif declared is not None and name not in declared:
            known = ", ".join(declared) or "none"
            errors.add(
                errors.fail(
                    f"{rule.role} {rule.name!r} reads source {name!r}, which model "
                    f"{model.name!r} does not name under `sources:`",
                    [*where, "source"],
                    hint=f"sources: {known}",
                )
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
    text, folder = _config_text(path, root=root)
    return parse_config(text, display=str(path), root=folder)


def collect_file(
    path: Path, *, root: Path | None = None
) -> tuple[Config | None, list[ConfigError]]:
    """`collect_config` of a file: the models that could be built and every error found (a
    file that cannot be read, or is not YAML, is its one error)."""
    try:
        text, folder = _config_text(path, root=root)
        return collect_config(text, display=str(path), root=folder)
    except UsageError:
        raise
    except ConfigError as exc:
        return None, [exc]


def _config_text(path: Path, *, root: Path | None) -> tuple[str, Path]:
    """The config's text and the repository folder its paths are relative to."""
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
    return text, root or repository_root(path)

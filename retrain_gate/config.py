"""Load and validate `retrain-gate.yml`: YAML (safely) -> JSON Schema -> typed Config.

Errors name the file, line and column and say how to fix it:
`retrain-gate.yml:12:9: unknown key 'belwo' in models.churn.triggers[1] (did you mean 'below'?)`.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

import yaml

from retrain_gate.durations import parse_duration
from retrain_gate.errors import ConfigError
from retrain_gate.kinds import Kind, RuleConfig
from retrain_gate.metrics import FORMAT_SUFFIXES, Format, resolve_inside

CONFIG_NAMES = ("retrain-gate.yml", ".github/retrain-gate.yml")
# the trigger kind that combines other triggers (`rules.evaluate_group`), and its keys
GROUP = "group"
GROUP_KEYS: tuple[Literal["all", "any"], ...] = ("all", "any")
SCHEMA_ID = "https://github.com/retrain-gate/retrain-gate/schema/retrain-gate.schema.json"
PathPart = str | int


def group_mode(rule: RuleConfig) -> Literal["all", "any"]:
    """A group's mode: `all` (every member must fire) or `any` (one is enough)."""
    return "all" if "all" in rule.options else "any"


def group_members(rule: RuleConfig) -> tuple[RuleConfig, ...]:
    """A group's member rules, in config order; () for any other rule."""
    if rule.kind != GROUP:
        return ()
    members: tuple[RuleConfig, ...] = rule.options[group_mode(rule)]
    return members


def walk(rules: Iterable[RuleConfig]) -> Iterator[RuleConfig]:
    """Each rule followed by its members (a group's), depth first."""
    for rule in rules:
        yield rule
        yield from walk(group_members(rule))


def located(
    rules: Iterable[RuleConfig], path: Sequence[PathPart]
) -> Iterator[tuple[list[PathPart], RuleConfig]]:
    """Each rule (members included, as `walk`) with its path in the config: `[*path, 0]`,
    `[*path, 0, "all", 1]`..."""
    for index, rule in enumerate(rules):
        where = [*path, index]
        yield where, rule
        yield from located(group_members(rule), [*where, group_mode(rule)])


@dataclass(frozen=True)
class SourceConfig:
    """Where a model's metrics are committed."""

    path: str
    time: str = "date"
    format: Format = "auto"
    line: int | None = None


@dataclass(frozen=True)
class DispatchConfig:
    """What to start when the gate decides `retrain`, and the guards against doing it twice."""

    event: Literal["workflow_dispatch", "repository_dispatch"]
    workflow: str | None = None
    ref: str | None = None
    inputs: Mapping[str, str] = field(default_factory=dict)
    event_type: str | None = None
    client_payload: Mapping[str, Any] = field(default_factory=dict)
    cooldown: timedelta | None = None
    in_flight: bool = True
    line: int | None = None
    # repository_dispatch: the workflow the event starts, whose runs the guards read
    guard_workflow: str | None = None

    @property
    def guarded_workflow(self) -> str | None:
        """The workflow whose runs the cooldown, in-flight and re-run guards read."""
        return self.workflow if self.event == "workflow_dispatch" else self.guard_workflow


@dataclass(frozen=True)
class ModelConfig:
    name: str
    metrics: SourceConfig | None
    baseline: str | None
    triggers: tuple[RuleConfig, ...]
    checks: tuple[RuleConfig, ...]
    dispatch: DispatchConfig | None = None
    line: int | None = None

    @property
    def rules(self) -> tuple[RuleConfig, ...]:
        """Every rule: the triggers, then the checks, each group followed by its members.
        What the load stage reads for; evaluation starts from `triggers` and `checks`."""
        return tuple(walk(self.triggers + self.checks))

    def located(self) -> Iterator[tuple[list[PathPart], RuleConfig]]:
        """Every rule (as `rules`) with its path in the config, for located errors."""
        for key, rules in (("triggers", self.triggers), ("checks", self.checks)):
            yield from located(rules, ["models", self.name, key])


@dataclass(frozen=True)
class Config:
    path: str  # as the user named it, for messages
    root: Path  # the repository root: config paths are relative to it
    models: Mapping[str, ModelConfig]
    text: str = ""


def kinds(role: str) -> Mapping[str, Kind]:
    from retrain_gate.checks import CHECKS
    from retrain_gate.rules import TRIGGERS

    return TRIGGERS if role == "trigger" else CHECKS


# --- YAML with positions ------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (PyYAML silently keeps the last one)."""


def _compose_fast(text: str, *, display: str) -> tuple[Any, yaml.Node] | None:
    """Compose with libyaml when PyYAML has it (several times faster on big configs).

    None on anything unusual (no document, a YAML error, a duplicate key): the pure-Python
    loader then reads it again and words the error as it always has.
    """
    loader_class = getattr(yaml, "CSafeLoader", None)
    if loader_class is None or not text.isascii():  # marks count the same on ASCII only
        return None
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _refuse_duplicates(node, display=display)
        return loader.construct_document(node), node
    except (yaml.YAMLError, ConfigError):
        return None
    finally:
        loader.dispose()


def _compose(text: str, *, display: str) -> tuple[Any, yaml.Node | None]:
    fast = _compose_fast(text, display=display)
    if fast is not None:
        return fast
    try:
        loader = _Loader(text)  # the reader refuses control characters right away
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise ConfigError(
            f"invalid YAML: character #x{exc.character:04x} is not allowed in a YAML file",
            file=display,
            line=line,
            column=column,
            hint="remove it: a config is plain text",
        ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _refuse_duplicates(node, display=display)
        return loader.construct_document(node), node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        started = exc.context_mark
        context = (
            f" ({exc.context} started on line {started.line + 1}, column {started.column + 1})"
            if exc.context and exc.problem and started and mark and started.line != mark.line
            else ""
        )
        raise ConfigError(
            f"invalid YAML: {exc.problem or exc.context}{context}",
            file=display,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", file=display) from None
    finally:
        loader.dispose()


def _refuse_duplicates(
    node: yaml.Node, *, display: str, seen_nodes: set[int] | None = None
) -> None:
    # an alias is the node it names: checked once (an anchor used inside itself, as in
    # `&g {name: g, all: [*g]}`, makes the node graph a cycle)
    seen_nodes = set() if seen_nodes is None else seen_nodes
    if id(node) in seen_nodes:
        return
    seen_nodes.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, yaml.Node] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    first = seen[key.value].start_mark.line + 1
                    raise ConfigError(
                        f"duplicate key {key.value!r} (first written on line {first})",
                        file=display,
                        line=key.start_mark.line + 1,
                        column=key.start_mark.column + 1,
                        hint="YAML keeps only the last one; remove one of them",
                    )
                seen[key.value] = key
            _refuse_duplicates(value, display=display, seen_nodes=seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _refuse_duplicates(item, display=display, seen_nodes=seen_nodes)


def _keyed(node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """The mapping's (key, value) nodes by key, indexed once and kept on the node: every
    rule's line is looked up, and a scan per lookup is quadratic in the number of models."""
    index: dict[str, tuple[yaml.Node, yaml.Node]] | None = vars(node).get("_keyed")
    if index is None:
        index = {}
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                index.setdefault(k.value, (k, v))  # the first, as a scan would find
        vars(node)["_keyed"] = index
    return index


def position(
    node: yaml.Node | None, path: Sequence[PathPart], *, key: bool = False
) -> tuple[int | None, int | None]:
    """(line, column), 1-based, of the value at `path` (or of its key, with key=True)."""
    current = node
    mark_node = node
    for part in path:
        if isinstance(current, yaml.MappingNode):
            pair = _keyed(current).get(str(part))
            if pair is None:
                break
            mark_node = pair[0] if key and part == path[-1] else pair[1]
            current = pair[1]
        elif isinstance(current, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(current.value):
                break
            current = mark_node = current.value[part]
        else:
            break
    if mark_node is None:
        return None, None
    return mark_node.start_mark.line + 1, mark_node.start_mark.column + 1


def locate(config: Config, path: Sequence[PathPart]) -> tuple[int | None, int | None]:
    """(line, column) of a value in the config's text, for errors found after parsing."""
    try:
        node = yaml.compose(config.text, Loader=_Loader) if config.text else None
    except yaml.YAMLError:
        return None, None
    return position(node, path) if node is not None else (None, None)


def dotted(path: Sequence[PathPart]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the top level"


# --- schema ---------------------------------------------------------------------------------


def rule_schema(kind: Kind) -> dict[str, Any]:
    return {
        "type": "object",
        "title": kind.name,
        "description": kind.doc.split("\n\n")[0],
        "required": ["name", *kind.required],
        "additionalProperties": False,
        "properties": dict(kind.options),
        "anyOf": [{"required": [k]} for k in kind.keys] + [{"required": ["kind"]}],
    }


def _editor_rule_schema(kind: Kind) -> dict[str, Any]:
    """A kind's schema for editors: a group's members are triggers (`$defs/trigger`).

    The per-rule validation (`_rules`) leaves the members out of the group's schema and
    validates each member on its own, so that an error inside one is located there."""
    schema = rule_schema(kind)
    if kind.name == GROUP:
        schema["properties"] = {
            key: {**value, "items": {"$ref": "#/$defs/trigger"}} if key in GROUP_KEYS else value
            for key, value in schema["properties"].items()
        }
    return schema


def build_schema() -> dict[str, Any]:
    """The JSON Schema of the config, built from the rule and check registries."""
    from retrain_gate.kinds import DURATION

    triggers = [_editor_rule_schema(k) for k in kinds("trigger").values()]
    checks = [rule_schema(k) for k in kinds("check").values()]
    dispatch = {
        "type": "object",
        "additionalProperties": False,
        "description": "What to start when the gate decides retrain.",
        "properties": {
            "workflow": {
                "type": ["string", "integer"],
                "description": "workflow_dispatch: the workflow's file name (retrain.yml) or id.",
            },
            "ref": {"type": "string", "description": "The branch or tag to run it on."},
            "inputs": {
                "type": "object",
                "maxProperties": 20,
                "additionalProperties": {"type": ["string", "number", "boolean"]},
                "description": "Extra workflow_dispatch inputs (the gate adds model, reasons, "
                "gate_run_url).",
            },
            "event_type": {
                "type": "string",
                "maxLength": 100,
                "description": "repository_dispatch: the event type.",
            },
            "client_payload": {"type": "object", "maxProperties": 6},
            "cooldown": {**DURATION, "description": "No dispatch if a run started this recently."},
            "in_flight": {
                "type": "boolean",
                "description": "Hold the dispatch while a retraining run is queued or running "
                "(default true).",
            },
            "guard_workflow": {
                "type": ["string", "integer"],
                "description": "repository_dispatch: the workflow file (or id) the event starts; "
                "the cooldown, in-flight and re-run guards read its runs.",
            },
        },
        "oneOf": [{"required": ["workflow"]}, {"required": ["event_type"]}],
    }
    model = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "metrics": {
                "type": "object",
                "additionalProperties": False,
                "required": ["path"],
                "properties": {
                    "path": {
                        "type": "string",
                        "minLength": 1,
                        "description": "A metric file, or a glob.",
                    },
                    "time": {
                        "type": "string",
                        "minLength": 1,
                        "description": "The field holding the time, or `filename`.",
                    },
                    "format": {"enum": ["auto", "csv", "json", "jsonl", "yaml"]},
                },
            },
            "baseline": {
                "type": "string",
                "minLength": 1,
                "description": "The model card (JSON or YAML).",
            },
            "dispatch": dispatch,
            "triggers": {"type": "array", "items": {"$ref": "#/$defs/trigger"}},
            "checks": {"type": "array", "items": {"anyOf": checks}},
        },
        "required": ["triggers"],
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "retrain-gate config",
        "type": "object",
        "additionalProperties": False,
        "required": ["version", "models"],
        "properties": {
            "version": {"const": 1},
            "models": {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {
                    "pattern": r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                    "description": "A model name: ASCII letters, digits, '_', '.' and '-', "
                    "starting with a letter or digit (it names workflow inputs, concurrency "
                    "groups and issue markers)",
                },
                "additionalProperties": model,
            },
        },
        # a trigger is any trigger kind, a group (whose members are triggers) included
        "$defs": {"trigger": {"anyOf": triggers}},
    }


# --- validation with good messages --------------------------------------------------------


class _Errors:
    """Words located errors for one config text: `fail` gives the ConfigError at a path's
    line and column, and the caller raises it (validation stops at the first error)."""

    def __init__(self, display: str, node: yaml.Node | None) -> None:
        self.display = display
        self.node = node

    def fail(
        self, message: str, path: Sequence[PathPart], *, key: bool = False, hint: str | None = None
    ) -> ConfigError:
        line, column = position(self.node, path, key=key)
        return ConfigError(message, file=self.display, line=line, column=column, hint=hint)


def _suggest(word: str, choices: Sequence[str]) -> str | None:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def _kind_of(rule: Mapping[str, Any], role: str, path: list[PathPart], errors: _Errors) -> Kind:
    registry = kinds(role)
    if "kind" in rule:
        name = str(rule["kind"])
        if name not in registry:
            hint = _suggest(name, list(registry)) or f"kinds: {', '.join(registry)}"
            raise errors.fail(
                f"unknown {role} kind {name!r} in {dotted(path)}", [*path, "kind"], hint=hint
            )
        kind = registry[name]
        # `kind:` names it; its key says what (a group says so itself, naming its members)
        if name != GROUP and not any(key in rule for key in kind.keys):
            raise errors.fail(
                f"{dotted(path)}: a {name} {role} needs one of: {', '.join(kind.keys)}",
                [*path, "kind"],
                hint=f"e.g. {kind.keys[0]}: ...",
            )
        return kind
    matches = [k for k in registry.values() if any(key in rule for key in k.keys)]
    # `above:` selects a threshold rule, but a drift rule takes `above:` too: a kind whose
    # selecting keys are all options of another matching kind yields to that kind.
    matches = [
        m
        for m in matches
        if not any(
            n is not m and all(key in n.options for key in m.keys if key in rule) for n in matches
        )
    ]
    if len(matches) == 1:
        return matches[0]
    keys = [key for k in registry.values() for key in k.keys]
    if len(matches) > 1:
        names = " and ".join(m.name for m in matches)
        raise errors.fail(
            f"{dotted(path)} mixes the keys of {names}",
            path,
            hint="split it into two rules, or set `kind:`",
        )
    for given in rule:
        suggestion = _suggest(str(given), keys)
        if suggestion:
            raise errors.fail(
                f"unknown key {given!r} in {dotted(path)}",
                [*path, str(given)],
                key=True,
                hint=suggestion,
            )
    raise errors.fail(
        f"{dotted(path)} does not say what to {'watch' if role == 'trigger' else 'check'}",
        path,
        hint=f"give one of: {', '.join(keys)}",
    )


# JSON Schema keywords that never make an instance invalid.
# ($defs only holds subschemas for `$ref`: it says nothing about the instance either)
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description", "default", "$defs"})
_JSON_TYPES = (dict, list, str, bool, int, float, type(None))


def _all_of(verdicts: Iterator[bool | None]) -> bool | None:
    """False if any verdict is False, else None if any is unsure, else True."""
    result: bool | None = True
    for verdict in verdicts:
        if verdict is False:
            return False
        if verdict is None:
            result = None
    return result


def _is_type(value: Any, name: str) -> bool | None:
    if name in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        return name == "number" or isinstance(value, int) or value.is_integer()
    python = {"object": dict, "array": list, "string": str, "boolean": bool}.get(name)
    if python is not None:
        return isinstance(value, python)
    return value is None if name == "null" else None


def _equal(one: Any, two: Any) -> bool | None:
    if isinstance(one, (dict, list)) or isinstance(two, (dict, list)):
        return None
    if isinstance(one, bool) or isinstance(two, bool):  # JSON: true is not 1
        return isinstance(one, bool) and isinstance(two, bool) and one == two
    return bool(one == two)


def _verdict(schema: Any, value: Any, root: Any = None) -> bool | None:
    """Whether `value` is valid under the schema: True, False, or None when unsure.

    A hand-written check of the keywords our schemas use, so that a valid config is accepted
    without importing jsonschema (a third of a small `check`'s start-up). Anything it does
    not know is None, and jsonschema decides (and words the error) as before. `root`: the
    document a `$ref` such as `#/$defs/trigger` points into (default: `schema` itself).
    """
    if isinstance(schema, bool):
        return schema
    if not isinstance(schema, Mapping) or type(value) not in _JSON_TYPES:
        return None
    root = schema if root is None else root
    verdicts: list[bool | None] = []
    for keyword, expected in schema.items():
        if keyword in _ANNOTATIONS:
            continue
        if keyword == "$ref":
            target = _local_ref(root, expected)
            verdicts.append(None if target is None else _verdict(target, value, root))
        elif keyword == "type":
            names = [expected] if isinstance(expected, str) else list(expected)
            found = [_is_type(value, n) for n in names]
            verdicts.append(True if True in found else None if None in found else False)
        elif keyword == "enum":
            equal = [_equal(value, item) for item in expected]
            verdicts.append(True if True in equal else None if None in equal else False)
        elif keyword == "const":
            verdicts.append(_equal(value, expected))
        elif keyword in ("anyOf", "oneOf"):
            found = [_verdict(sub, value, root) for sub in expected]
            if None in found:
                verdicts.append(None)
            elif keyword == "anyOf":
                verdicts.append(True in found)
            else:
                verdicts.append(found.count(True) == 1)
        elif keyword in _OBJECT_KEYWORDS:
            if isinstance(value, dict):
                verdicts.append(_object_verdict(keyword, expected, schema, value, root))
        elif keyword == "items":
            if isinstance(value, list):
                verdicts.append(_all_of(_verdict(expected, item, root) for item in value))
        elif keyword in ("minItems", "maxItems"):
            if isinstance(value, list):
                verdicts.append(
                    len(value) >= expected if keyword == "minItems" else len(value) <= expected
                )
        elif keyword in ("pattern", "minLength", "maxLength"):
            if isinstance(value, str):
                verdicts.append(
                    re.search(expected, value) is not None
                    if keyword == "pattern"
                    else len(value) >= expected
                    if keyword == "minLength"
                    else len(value) <= expected
                )
        elif keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                # written as jsonschema does, so that NaN compares the same way
                verdicts.append(
                    not (value < expected)
                    if keyword == "minimum"
                    else not (value > expected)
                    if keyword == "maximum"
                    else not (value <= expected)
                    if keyword == "exclusiveMinimum"
                    else not (value >= expected)
                )
        else:
            return None
    return _all_of(iter(verdicts))


_OBJECT_KEYWORDS = frozenset(
    {
        "properties",
        "additionalProperties",
        "required",
        "propertyNames",
        "minProperties",
        "maxProperties",
    }
)


def _local_ref(root: Any, ref: object) -> Any:
    """The subschema `#/a/b` names inside `root`; None for anything else (jsonschema then
    resolves it)."""
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return None
    target = root
    for part in ref[2:].split("/"):
        if not isinstance(target, Mapping) or part not in target:
            return None
        target = target[part]
    return target


def _object_verdict(
    keyword: str, expected: Any, schema: Mapping[str, Any], value: dict[Any, Any], root: Any
) -> bool | None:
    if keyword == "required":
        return all(name in value for name in expected)
    if keyword == "minProperties":
        return len(value) >= expected
    if keyword == "maxProperties":
        return len(value) <= expected
    if keyword == "propertyNames":
        return _all_of(_verdict(expected, name, root) for name in value)
    properties = schema.get("properties", {})
    if keyword == "properties":
        return _all_of(
            _verdict(properties[k], v, root) for k, v in value.items() if k in properties
        )
    return _all_of(_verdict(expected, v, root) for k, v in value.items() if k not in properties)


def _check_with(
    schema: Mapping[str, Any], data: Any, path: list[PathPart], errors: _Errors
) -> None:
    if _verdict(schema, data) is True:
        return
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is None:
        return
    where = [*path, *error.absolute_path]
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        allowed = list(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]
        if extra:
            name = str(extra[0])
            raise errors.fail(
                f"unknown key {name!r} in {dotted(where)}",
                [*where, name],
                key=True,
                hint=_suggest(name, allowed) or f"allowed: {', '.join(allowed)}",
            )
    if error.validator == "required":
        raise errors.fail(f"{dotted(where)}: {error.message}", where)
    if error.validator == "minItems" and where and where[-1] in GROUP_KEYS:
        raise errors.fail(
            f"{dotted(where)} is empty",
            where,
            hint="a group needs at least one member rule",
        )
    # oneOf: [{required: [workflow]}, {required: [event_type]}]: name the keys, not the schema
    alternatives = [alt.get("required", [None])[0] for alt in error.schema.get("oneOf", [])]
    if error.validator == "oneOf" and alternatives and all(alternatives):
        given = [k for k in alternatives if k in error.instance]
        raise errors.fail(
            f"{dotted(where)} needs exactly one of {' or '.join(alternatives)}"
            + (f", not both ({' and '.join(given)})" if len(given) > 1 else ""),
            where,
        )
    if error.validator in ("oneOf", "anyOf") and "pattern" in str(error.schema):
        raise errors.fail(
            f"{dotted(where)}: {error.instance!r} is not valid here",
            where,
            hint=str(error.schema.get("description", "")) or None,
        )
    if error.validator == "pattern":
        # a pattern inside oneOf (an amount: 3 or '3%') is described by the oneOf
        described = error.schema.get("description") or (
            error.parent.schema.get("description") if error.parent is not None else None
        )
        raise errors.fail(
            f"{dotted(where)}: {error.instance!r} is not valid here",
            where,
            hint=str(described or "") or None,
        )
    hint = str(error.schema.get("description", "")) if error.validator == "type" else ""
    if error.validator == "type" and _looks_numeric(error.instance):
        # YAML 1.1 reads 1e-3 (no dot) as text: the commonest surprise in a threshold
        example = _dotted_float(error.instance)
        hint = f"YAML reads {error.instance} as text; write it with a dot, e.g. {example}"
    raise errors.fail(f"{dotted(where)}: {error.message}", where, hint=hint or None)


def _looks_numeric(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        float(value)
    except ValueError:
        return False
    return True


def _dotted_float(text: str) -> str:
    """1e3 -> 1.0e+3: YAML 1.1 reads a float only with a dot and a signed exponent."""
    mantissa, _, exponent = text.strip().lower().partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    if exponent and exponent[0] not in "+-":
        exponent = "+" + exponent
    return f"{mantissa}e{exponent}" if exponent else mantissa


def _is_rate(metric: str) -> bool:
    """Metrics that are fractions in [0, 1]: `*rate*` segments and classification scores."""
    scores = {"accuracy", "precision", "recall", "f1", "auc", "roc_auc", "pr_auc"}
    return any(part.endswith("rate") or part in scores for part in metric.lower().split("."))


def _semantic(rule: Mapping[str, Any], kind: Kind, path: list[PathPart], errors: _Errors) -> None:
    for option, message in kind.semantic(rule):
        raise errors.fail(f"{dotted([*path, option])}: {message}", [*path, option])
    for option, value in rule.items():  # YAML's .nan and .inf are numbers to JSON Schema
        if isinstance(value, float) and not math.isfinite(value):
            raise errors.fail(
                f"{dotted([*path, option])}: {value} is not a usable number here",
                [*path, option],
                hint="a threshold must be a finite number",
            )
    for option in ("window", "reference_window"):  # an empty window has nothing to judge
        value = rule.get(option)
        if isinstance(value, str) and parse_duration(value).total_seconds() <= 0:
            raise errors.fail(
                f"{dotted([*path, option])}: a window of {value.strip()} holds no observations",
                [*path, option],
                hint="give a positive duration such as 7d, or a count such as 7",
            )
    for option in ("max_age", "freshness", "max_gap", "cooldown"):
        if option in rule:
            try:
                parse_duration(rule[option])
            except ValueError as exc:
                raise errors.fail(str(exc), [*path, option]) from None
    metric = str(rule.get("metric", ""))
    if metric and _is_rate(metric):
        for option in ("below", "above", "at_least", "at_most"):
            value = rule.get(option)
            if isinstance(value, (int, float)) and not 0 <= value <= 1:
                raise errors.fail(
                    f"{dotted([*path, option])}: {value} is outside [0, 1], but {metric} is a rate",
                    [*path, option],
                    hint=f"write a fraction: {value / 100:g} for {value}%"
                    if 1 < value <= 100
                    else "a rate is a fraction between 0 and 1",
                )


def _rules(
    data: Any,
    role: str,
    path: list[PathPart],
    errors: _Errors,
    names: dict[str, list[PathPart]] | None = None,
) -> Iterator[RuleConfig]:
    """The rules of a `triggers:` or `checks:` list (or a group's members: `names` is then
    the model's, since a name is unique among all the model's triggers, members included)."""
    names = {} if names is None else names
    for index, rule in enumerate(data or []):
        where = [*path, index]
        if not isinstance(rule, Mapping):
            raise errors.fail(f"{dotted(where)} must be a mapping with a name", where)
        grouped = next((key for key in GROUP_KEYS if key in rule), None)
        if role == "check" and grouped is not None:
            raise errors.fail(
                f"{dotted(where)}: checks cannot be grouped with `{grouped}:`",
                [*where, grouped],
                key=True,
                hint="every error-level check vetoes a retrain on its own: write the checks "
                "one by one (all/any groups are for triggers)",
            )
        kind = _kind_of(rule, role, where, errors)
        _check_with(rule_schema(kind), rule, where, errors)
        _semantic(rule, kind, where, errors)
        name = str(rule["name"])
        if name in names:
            raise errors.fail(
                f"two {role}s are named {name!r} ({dotted(names[name])} and {dotted(where)})",
                [*where, "name"],
                hint="names must be unique, group members included"
                if any(part in GROUP_KEYS for part in (*names[name][3:], *where[3:]))
                else "names must be unique",
            )
        names[name] = where
        line, _ = position(errors.node, where)
        options = {
            k: _count(v, kind.options[k])
            for k, v in rule.items()
            if k not in ("name", "kind", "severity", "missing")
        }
        if kind.name == GROUP:
            mode = "all" if "all" in rule else "any"
            options[mode] = tuple(_rules(rule[mode], role, [*where, mode], errors, names))
        yield RuleConfig(
            name=name,
            kind=kind.name,
            role=role,  # type: ignore[arg-type]
            options=options,
            severity=rule.get("severity", "error"),
            missing=rule.get("missing", "error"),
            file=errors.display,
            line=line,
        )


def _count(value: Any, schema: Mapping[str, Any]) -> Any:
    """A whole float (`window: 7.0`) where the schema takes an integer, as that int: JSON
    Schema counts 7.0 as the integer 7, and the evaluators tell a count of observations from
    a duration ('7d') by its type."""
    alternatives = [schema, *schema.get("oneOf", ())]
    whole = isinstance(value, float) and value.is_integer()
    if whole and any(alt.get("type") == "integer" for alt in alternatives):
        return int(value)
    return value


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
        source = None
        if "metrics" in spec:
            metrics = spec["metrics"]
            line, _ = position(node, [*path, "metrics"])
            source = SourceConfig(
                path=str(metrics["path"]),
                time=str(metrics.get("time", "date")),
                format=metrics.get("format", "auto"),
                line=line,
            )
        if source is not None:
            _check_inside(source.path, root, "metrics path", [*path, "metrics", "path"], errors)
            suffix = Path(source.path).suffix
            # the extension says the format unless `format:` does (`runs/*` is judged per file)
            if source.format == "auto" and suffix and suffix.lower() not in FORMAT_SUFFIXES:
                raise errors.fail(
                    f"cannot tell the format of {source.path!r} from its extension",
                    [*path, "metrics", "path"],
                    hint=f"use {', '.join(FORMAT_SUFFIXES)}, or set `format:` (csv, json, "
                    "jsonl or yaml)",
                )
        if "baseline" in spec:
            _check_inside(spec["baseline"], root, "model card", [*path, "baseline"], errors)
        triggers = tuple(_rules(spec.get("triggers"), "trigger", [*path, "triggers"], errors))
        checks = tuple(_rules(spec.get("checks"), "check", [*path, "checks"], errors))
        for key, rules in (("triggers", triggers), ("checks", checks)):
            for where, rule in located(rules, [*path, key]):
                for relative, _ in kinds(rule.role)[rule.kind].inputs(rule.options):
                    _check_inside(relative, root, "data file", where, errors)
        if not triggers:
            raise errors.fail(
                f"model {name!r} has no triggers",
                [*path, "triggers"],
                hint="add at least one trigger rule",
            )
        if source is None:
            for rule in walk((*triggers, *checks)):
                if kinds(rule.role)[rule.kind].uses_series:
                    raise ConfigError(
                        f"{rule.role} {rule.name!r} reads metrics, "
                        f"but model {name!r} has no `metrics:`",
                        file=display,
                        line=rule.line,
                        hint="add metrics: {path: ..., time: date}",
                    )
        if "baseline" not in spec:
            for rule in walk(triggers):
                if kinds("trigger")[rule.kind].uses_baseline:
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
            baseline=spec.get("baseline"),
            triggers=triggers,
            checks=checks,
            dispatch=_dispatch(spec.get("dispatch"), [*path, "dispatch"], errors),
            line=line,
        )
    return Config(path=display, root=root, models=models, text=text)


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
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the config: {exc}", file=display) from None
    return parse_config(text, display=display, root=root or repository_root(path))

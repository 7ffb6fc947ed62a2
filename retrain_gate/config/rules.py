"""A model's triggers and checks: each rule's kind, options and semantics, validated."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator, Mapping
from typing import Any

from retrain_gate.config.messages import _check_with, _closest, _Errors, _suggest
from retrain_gate.config.positions import dotted, position
from retrain_gate.config.schema import rule_schema
from retrain_gate.durations import parse_duration
from retrain_gate.kinds import registry
from retrain_gate.kinds.base import Kind
from retrain_gate.model import GROUP, GROUP_KEYS, PathPart, RuleConfig


def _kind_of(rule: Mapping[str, Any], role: str, path: list[PathPart], errors: _Errors) -> Kind:
    kinds = registry(role)
    if "kind" in rule:
        name = str(rule["kind"])
        if name not in kinds:
            hint = _suggest(name, list(kinds)) or f"kinds: {', '.join(kinds)}"
            raise errors.fail(
                f"unknown {role} kind {name!r} in {dotted(path)}", [*path, "kind"], hint=hint
            )
        kind = kinds[name]
        # `kind:` names it; its key says what (a group says so itself, naming its members)
        if name != GROUP and not any(key in rule for key in kind.keys):
            raise errors.fail(
                f"{dotted(path)}: a {name} {role} needs one of: {', '.join(kind.keys)}",
                [*path, "kind"],
                hint=f"e.g. {kind.keys[0]}: ...",
            )
        return kind
    matches = [k for k in kinds.values() if any(key in rule for key in k.keys)]
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
    keys = [key for k in kinds.values() for key in k.keys]
    if len(matches) > 1:
        names = " and ".join(m.name for m in matches)
        raise errors.fail(
            f"{dotted(path)} mixes the keys of {names}",
            path,
            hint="split it into two rules, or set `kind:`",
        )
    # No kind's key is there: most likely one is misspelled. Of the keys no kind knows, the
    # one closest to some kind's key is it (`name:` is never taken for a misspelled `sample:`).
    known = {option for k in kinds.values() for option in k.options}
    closest = _closest([str(given) for given in rule if str(given) not in known], keys)
    if closest is not None:
        given, meant = closest
        raise errors.fail(
            f"unknown key {given!r} in {dotted(path)}",
            [*path, given],
            key=True,
            hint=f"did you mean {meant!r}?",
        )
    raise errors.fail(
        f"{dotted(path)} does not say what to {'watch' if role == 'trigger' else 'check'}",
        path,
        hint=f"give one of: {', '.join(keys)}",
    )


def _is_rate(metric: str) -> bool:
    """Metrics that are fractions in [0, 1]: `*rate*` segments and classification scores."""
    scores = {"accuracy", "precision", "recall", "f1", "auc", "roc_auc", "pr_auc"}
    return any(part.endswith("rate") or part in scores for part in metric.lower().split("."))


def _semantic(rule: Mapping[str, Any], kind: Kind, path: list[PathPart], errors: _Errors) -> bool:
    """Keep each semantic error of a schema-valid rule; whether there was none."""
    before = len(errors.found)
    for option, message in kind.semantic(rule):
        errors.add(errors.fail(f"{dotted([*path, option])}: {message}", [*path, option]))
    for option, value in rule.items():  # YAML's .nan and .inf are numbers to JSON Schema
        if isinstance(value, float) and not math.isfinite(value):
            errors.add(
                errors.fail(
                    f"{dotted([*path, option])}: {value} is not a usable number here",
                    [*path, option],
                    hint="a threshold must be a finite number",
                )
            )
    for option in ("window", "reference_window", "max_age", "freshness", "max_gap", "cooldown"):
        if isinstance(rule.get(option), str):
            try:
                duration = parse_duration(rule[option])
            except ValueError as exc:
                errors.add(errors.fail(f"{dotted([*path, option])}: {exc}", [*path, option]))
                continue
            # an empty window has nothing to judge
            if option in ("window", "reference_window") and duration.total_seconds() <= 0:
                errors.add(
                    errors.fail(
                        f"{dotted([*path, option])}: a window of {rule[option].strip()} "
                        "holds no observations",
                        [*path, option],
                        hint="give a positive duration such as 7d, or a count such as 7",
                    )
                )
    metric = str(rule.get("metric", ""))
    if metric and _is_rate(metric):
        for option in ("below", "above", "at_least", "at_most"):
            value = rule.get(option)
            if isinstance(value, (int, float)) and not 0 <= value <= 1:
                errors.add(
                    errors.fail(
                        f"{dotted([*path, option])}: {value} is outside [0, 1], "
                        f"but {metric} is a rate",
                        [*path, option],
                        hint=f"write a fraction: {value / 100:g} for {value}%"
                        if 1 < value <= 100
                        else "a rate is a fraction between 0 and 1",
                    )
                )
    return len(errors.found) == before


def _rules(
    data: Any,
    role: str,
    path: list[PathPart],
    errors: _Errors,
    names: dict[str, list[PathPart]] | None = None,
) -> Iterator[RuleConfig]:
    """The rules of a `triggers:` or `checks:` list (or a group's members: `names` is then
    the model's, since a name is unique among all the model's triggers, members included).
    A rule in error is kept in `errors` and left out; the next rule is checked all the same."""
    names = {} if names is None else names
    for index, rule in enumerate(data or []):
        built = errors.attempt(functools.partial(_rule, rule, role, [*path, index], errors, names))
        if built is not None:
            yield built


def _rule(
    rule: Any, role: str, where: list[PathPart], errors: _Errors, names: dict[str, list[PathPart]]
) -> RuleConfig | None:
    """One rule, or None when its errors are kept in `errors` (the first one may be raised)."""
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
    invalid = [error for _, error in _check_with(rule_schema(kind), rule, where, errors)]
    if invalid:
        errors.add(*invalid)
        return None
    valid = _semantic(rule, kind, where, errors)
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
    modes = [key for key in GROUP_KEYS if key in rule]
    if kind.name == GROUP and len(modes) == 1:  # its members, even when the group is in error
        options[modes[0]] = tuple(_rules(rule[modes[0]], role, [*where, modes[0]], errors, names))
    if not valid:
        return None
    return RuleConfig(
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

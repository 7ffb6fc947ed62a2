"""Located config errors with a fix: the file, line and column, and what to write instead."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import yaml

from retrain_gate.config.fast_schema import _verdict
from retrain_gate.config.positions import dotted, position
from retrain_gate.durations import is_number
from retrain_gate.errors import ConfigError
from retrain_gate.model import GROUP_KEYS, PathPart

T = TypeVar("T")


class _Errors:
    """Words located errors for one config text: `fail` gives the ConfigError at a path's
    line and column; `add` keeps one found, so that one run reports every error (`found`)."""

    def __init__(self, display: str, node: yaml.Node | None) -> None:
        self.display = display
        self.node = node
        self.found: list[ConfigError] = []

    def fail(
        self, message: str, path: Sequence[PathPart], *, key: bool = False, hint: str | None = None
    ) -> ConfigError:
        line, column = position(self.node, path, key=key)
        return ConfigError(
            _capped(message),
            file=self.display,
            line=line,
            column=column,
            hint=_capped(hint) if hint else None,
        )

    def add(self, *errors: ConfigError) -> None:
        self.found.extend(errors)

    def attempt(self, build: Callable[[], T]) -> T | None:
        """`build()`, or None when it raises a ConfigError (kept): the next part is checked."""
        try:
            return build()
        except ConfigError as exc:
            self.add(exc)
            return None


# A message quotes what the user wrote, never megabytes of it (a YAML alias bomb expands a
# few lines into millions of values).
MESSAGE_LIMIT = 500
VALUE_LIMIT = 80


def _capped(text: str, limit: int = MESSAGE_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _show(value: object) -> str:
    """A config value as the user wrote it: a date as 2026-01-01, not datetime.date(...)."""
    import datetime

    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return _capped(repr(value), VALUE_LIMIT)


def _worded(error: Any) -> str:
    """jsonschema's message, with the value shown as written (its repr is Python's)."""
    message = str(error.message)
    if isinstance(error.instance, (str, int, float, bool, type(None))):
        return message
    written = repr(error.instance)
    return (
        _show(error.instance) + message[len(written) :] if message.startswith(written) else message
    )


def _suggest(word: str, choices: Sequence[str]) -> str | None:
    import difflib  # only for an error's hint: not paid by a valid config

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def _closest(words: Sequence[str], choices: Sequence[str]) -> tuple[str, str] | None:
    """The (word, choice) pair most alike over every word and every choice, at least as alike
    as difflib's default cutoff (0.6); the first such pair on a tie."""
    import difflib

    best: tuple[float, str, str] | None = None
    for word in words:
        matcher = difflib.SequenceMatcher(b=word)
        for choice in choices:
            matcher.set_seq1(choice)
            ratio = matcher.ratio()
            if ratio >= 0.6 and (best is None or ratio > best[0]):
                best = (ratio, word, choice)
    return None if best is None else (best[1], best[2])


def _check_with(
    schema: Mapping[str, Any], data: Any, path: list[PathPart], errors: _Errors
) -> list[tuple[list[PathPart], ConfigError]]:
    """Every JSON Schema error of `data` (at `path`), each worded at its place with its fix,
    with the place it is about: [] when valid."""
    if _verdict(schema, data) is True:
        return []
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    # each error jsonschema finds is one place; best_match picks, within it (a oneOf's
    # alternatives), the one that says what is wrong
    found = [
        error
        for each in validator.iter_errors(data)
        if (error := jsonschema.exceptions.best_match([each])) is not None
    ]
    # a value of the wrong type is that one error: not also each rule its type would have
    mistyped = {tuple(e.absolute_path) for e in found if e.validator == "type"}
    found = [e for e in found if e.validator == "type" or tuple(e.absolute_path) not in mistyped]
    misspelled = {  # `trigers:` is the required `triggers:` misspelled: one error, not two
        (tuple(error.absolute_path), meant)
        for error in found
        if error.validator == "additionalProperties" and isinstance(error.instance, Mapping)
        for key in error.instance
        if (meant := _closest_key(str(key), list(error.schema.get("properties", {}))))
    }
    worded: list[tuple[list[PathPart], ConfigError]] = []
    for error in found:
        if error.validator == "required" and isinstance(error.instance, Mapping):
            missing = [k for k in error.validator_value if k not in error.instance]
            if all((tuple(error.absolute_path), k) in misspelled for k in missing):
                continue
        where = [*path, *error.absolute_path]
        worded.extend((where, one) for one in _worded_errors(error, where, errors))
    return worded


def _closest_key(word: str, allowed: Sequence[str]) -> str | None:
    if word in allowed:
        return None
    import difflib

    close = difflib.get_close_matches(word, list(allowed), n=1, cutoff=0.6)
    return close[0] if close else None


def _worded_errors(error: Any, where: list[PathPart], errors: _Errors) -> list[ConfigError]:
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        allowed = list(error.schema.get("properties", {}))
        extra = [str(k) for k in error.instance if k not in allowed]
        if extra:
            return [
                errors.fail(
                    f"unknown key {name!r} in {dotted(where)}",
                    [*where, name],
                    key=True,
                    hint=_suggest(name, allowed) or f"allowed: {', '.join(allowed)}",
                )
                for name in extra
            ]
    if error.validator == "required":
        return [errors.fail(f"{dotted(where)}: {_worded(error)}", where)]
    if error.validator == "minItems" and where and where[-1] in GROUP_KEYS:
        return [
            errors.fail(
                f"{dotted(where)} is empty",
                where,
                hint="a group needs at least one member rule",
            )
        ]
    # oneOf: [{required: [workflow]}, {required: [event_type]}]: name the keys, not the schema
    alternatives = [alt.get("required", [None])[0] for alt in error.schema.get("oneOf", [])]
    if error.validator == "oneOf" and alternatives and all(alternatives):
        given = [
            k for k in alternatives if isinstance(error.instance, Mapping) and k in error.instance
        ]
        return [
            errors.fail(
                f"{dotted(where)} needs exactly one of {' or '.join(alternatives)}"
                + (f", not both ({' and '.join(given)})" if len(given) > 1 else ""),
                where,
            )
        ]
    if error.validator in ("oneOf", "anyOf") and "pattern" in str(error.schema):
        return [
            errors.fail(
                f"{dotted(where)}: {_show(error.instance)} is not valid here",
                where,
                hint=str(error.schema.get("description", "")) or None,
            )
        ]
    if error.validator == "pattern":
        # a pattern inside oneOf (an amount: 3 or '3%') is described by the oneOf
        described = error.schema.get("description") or (
            error.parent.schema.get("description") if error.parent is not None else None
        )
        return [
            errors.fail(
                f"{dotted(where)}: {_show(error.instance)} is not valid here",
                where,
                hint=str(described or "") or None,
            )
        ]
    hint = str(error.schema.get("description", "")) if error.validator == "type" else ""
    if error.validator == "type" and is_number(error.instance):
        # YAML 1.1 reads 1e-3 (no dot) as text: the commonest surprise in a threshold
        example = _dotted_float(error.instance)
        hint = f"YAML reads {error.instance} as text; write it with a dot, e.g. {example}"
    return [errors.fail(f"{dotted(where)}: {_worded(error)}", where, hint=hint or None)]


def _dotted_float(text: str) -> str:
    """1e3 -> 1.0e+3: YAML 1.1 reads a float only with a dot and a signed exponent."""
    mantissa, _, exponent = text.strip().lower().partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    if exponent and exponent[0] not in "+-":
        exponent = "+" + exponent
    return f"{mantissa}e{exponent}" if exponent else mantissa

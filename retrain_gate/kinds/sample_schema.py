"""The sample_schema check: a committed data sample is valid against its JSON Schema."""

from __future__ import annotations

import re
from typing import Any

from retrain_gate.kinds.base import (
    CHECK_COMMON,
    Context,
    Kind,
    error_outcome,
    outcome,
    same_every_day,
)
from retrain_gate.model import RuleConfig
from retrain_gate.results import Outcome


def evaluate_sample_schema(rule: RuleConfig, ctx: Context) -> Outcome:
    """Passes when every record of a committed data sample (`sample:`, JSONL, JSON or CSV)
    is valid against a JSON Schema (`schema:`). The reason names the first invalid records
    by line and what is wrong with them. Missing data: a missing or unreadable sample or
    schema makes the check an error."""
    import jsonschema
    import referencing.exceptions

    sample = ctx.files.get(str(rule.options["sample"]))
    schema = ctx.files.get(str(rule.options["schema"]))
    if not isinstance(schema, dict):
        return error_outcome(rule, f"cannot read the schema: {schema}")
    if not isinstance(sample, list):
        return error_outcome(rule, f"cannot read the sample: {sample}")
    dialect = schema.get("$schema")
    if dialect is not None and not _known_dialect(dialect):
        return error_outcome(
            rule,
            f"{rule.options['schema']}: $schema {str(dialect)[:80]!r} is not a JSON Schema "
            "version the gate knows (e.g. https://json-schema.org/draft/2020-12/schema)",
        )
    try:
        validator_class = jsonschema.validators.validator_for(schema)
        validator_class.check_schema(schema)
    except jsonschema.SchemaError as exc:
        return error_outcome(
            rule, f"{rule.options['schema']} is not a valid JSON Schema: {exc.message}"
        )
    except (re.error, OverflowError, RecursionError) as exc:  # a `pattern` re cannot take
        return _unusable(str(rule.options["schema"]), rule, exc)
    validator = validator_class(schema, registry=_offline_registry())
    invalid = []
    for where, record in sample:
        try:
            error = jsonschema.exceptions.best_match(validator.iter_errors(record))
        except referencing.exceptions.Unresolvable as exc:
            return error_outcome(rule, _unresolvable(str(rule.options["schema"]), exc))
        except (re.error, OverflowError, RecursionError) as exc:
            return _unusable(str(rule.options["schema"]), rule, exc)
        if error is not None:
            path = ".".join(str(p) for p in error.absolute_path)
            invalid.append(f"{where}: {path + ': ' if path else ''}{error.message}")
    if invalid:
        shown = "; ".join(invalid[:3]) + (
            f"; and {len(invalid) - 3} more" if len(invalid) > 3 else ""
        )
        return outcome(
            rule,
            status="failed",
            observed=f"{len(invalid)} of {len(sample)} invalid",
            threshold="all valid",
            reason=shown,
        )
    return outcome(
        rule,
        status="passed",
        observed=f"{len(sample)} valid",
        threshold="all valid",
        reason=f"all {len(sample)} records of {rule.options['sample']} "
        f"match {rule.options['schema']}",
    )


def _unusable(schema: str, rule: RuleConfig, exc: Exception) -> Outcome:
    return error_outcome(
        rule, f"{schema} is not a usable JSON Schema: {type(exc).__name__}: {str(exc)[:120]}"
    )


def _known_dialect(dialect: object) -> bool:
    """jsonschema guesses the newest draft for an unknown $schema (and will refuse it)."""
    import referencing.jsonschema

    try:
        referencing.jsonschema.specification_with(str(dialect))
    except referencing.jsonschema.UnknownDialect:
        return False
    return isinstance(dialect, str)


def _offline_registry() -> Any:
    """A registry that resolves `$ref` only inside the schema file itself: a gate in CI
    never fetches a schema over the network (jsonschema's default would, once per record)."""
    import referencing

    def refuse(uri: str) -> Any:
        raise referencing.exceptions.NoSuchResource(ref=uri)  # type: ignore[call-arg]

    return referencing.Registry(retrieve=refuse)  # type: ignore[call-arg]


def _unresolvable(schema: str, exc: Exception) -> str:
    import referencing.exceptions

    exc = getattr(exc, "_wrapped", exc)  # jsonschema wraps referencing's error
    ref = str(getattr(exc, "ref", "") or exc)[:120]
    if isinstance(exc, referencing.exceptions.PointerToNowhere):
        return f"{schema}: $ref '#{ref}' points to nothing in the schema"
    if ref.startswith("#") or isinstance(exc, referencing.exceptions.NoSuchAnchor):
        return f"{schema}: $ref {ref!r} points to nothing in the schema"
    return (
        f"{schema}: $ref {ref!r} is outside the schema file; the gate resolves references "
        "only inside it (#/$defs/...) and never fetches a schema"
    )


KIND = Kind(
    name="sample_schema",
    role="check",
    keys=("sample",),
    options={
        **CHECK_COMMON,
        "sample": {
            "type": "string",
            "minLength": 1,
            "description": "A committed data sample (JSONL, JSON, CSV).",
        },
        "schema": {
            "type": "string",
            "minLength": 1,
            "description": "The JSON Schema its records must match.",
        },
    },
    required=("schema",),
    judge=same_every_day(evaluate_sample_schema),
    uses_series=False,
    inputs=lambda o: ((str(o["sample"]), "records"), (str(o["schema"]), "json")),
)

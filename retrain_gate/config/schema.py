"""The config's JSON Schema, built from the kinds' registry (`retrain-gate schema`)."""

from __future__ import annotations

from typing import Any

from retrain_gate.kinds import registry
from retrain_gate.kinds.base import Kind
from retrain_gate.model import GROUP, GROUP_KEYS

# The project's one name on GitHub (action, pre-commit hook, schema URL, examples); the
# schema's $id is the committed file at the major tag, a URL editors can fetch.
REPOSITORY = "retrain-gate/retrain-gate"
SCHEMA_PATH = "schema/retrain-gate.schema.json"
SCHEMA_ID = f"https://raw.githubusercontent.com/{REPOSITORY}/v1/{SCHEMA_PATH}"


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
    """A kind's schema for editors: `kind:` is its name, it needs one of its keys even when
    `kind:` names it, and a group's members are triggers (`$defs/trigger`).

    The per-rule validation (`_rules`) leaves the members out of the group's schema and
    validates each member on its own, so that an error inside one is located there."""
    schema = rule_schema(kind)
    properties = dict(schema["properties"])
    properties["kind"] = {**properties["kind"], "const": kind.name}
    if kind.name == GROUP:
        properties = {
            key: {**value, "items": {"$ref": "#/$defs/trigger"}} if key in GROUP_KEYS else value
            for key, value in properties.items()
        }
    schema["properties"] = properties
    schema["anyOf"] = [{"required": [key]} for key in kind.keys]
    return schema


def _selector(kind: Kind, kinds: list[Kind]) -> dict[str, Any]:
    """The rule is of this kind, as `config.rules._kind_of` decides: `kind:` names it, or,
    without `kind:`, one of its keys is there and no key of a kind that takes that key as an
    option of its own (`above:` is a threshold's unless a drift rule's `psi:` is there)."""
    named = {
        "required": ["kind"],
        "properties": {"kind": {"const": kind.name, "description": f"kind: {kind.name}"}},
    }
    yields_to = {
        key
        for other in kinds
        if other is not kind and any(key in other.options for key in kind.keys)
        for key in other.keys
    }
    excluded = [{"required": ["kind"]}, *({"required": [key]} for key in sorted(yields_to))]
    keyed = {"anyOf": [{"required": [key]} for key in kind.keys], "not": {"anyOf": excluded}}
    return {"anyOf": [named, keyed]}


def _role_schema(role: str, kinds: list[Kind]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A trigger or a check for editors, and the `$defs` of its kinds.

    Exactly one kind is selected (`oneOf` of the selectors: the keys of two kinds are mixed
    otherwise), and only the selected kind's schema applies (`if` selector `then` schema), so
    a mistake inside a rule is reported against its own kind, not against every kind."""
    defs = {f"{role}-{k.name}": _editor_rule_schema(k) for k in kinds}
    defs.update({f"is-{role}-{k.name}": _selector(k, kinds) for k in kinds})
    # the keys that select a kind, offered before any is written (an editor's completion);
    # their description only: the selected kind's schema checks the value, once
    selecting = {
        key: {"description": k.options[key]["description"]}
        for k in kinds
        for key in k.keys
        if key in k.options
    }
    common = kinds[0].options
    schema = {
        "type": "object",
        "description": f"A {role}: its kind is told by its key ({', '.join(selecting)}) or "
        "by `kind:`.",
        "required": ["name"],
        # a key no kind has is named as such, whichever kind the rule was meant to be
        "propertyNames": {"enum": sorted({key for k in kinds for key in k.options})},
        "properties": {
            "name": common["name"],
            "kind": {**common["kind"], "enum": [k.name for k in kinds]},
            "description": common["description"],
            **selecting,
        },
        "oneOf": [{"$ref": f"#/$defs/is-{role}-{k.name}", "title": k.name} for k in kinds],
        "allOf": [
            {
                "if": {"$ref": f"#/$defs/is-{role}-{k.name}"},
                "then": {"$ref": f"#/$defs/{role}-{k.name}"},
            }
            for k in kinds
        ],
    }
    return schema, defs


def loop_schemas() -> dict[str, Any]:
    """`promotion:`, `max_retrains:` and `in_vain:` of a model: closing the retrain loop."""
    from retrain_gate.kinds.base import AMOUNT, DURATION

    by_metric = {
        "type": "object",
        "minProperties": 1,
        "propertyNames": {"minLength": 1},
        "additionalProperties": {
            "oneOf": [
                AMOUNT,
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["by"],
                    "properties": {
                        "by": AMOUNT,
                        "better": {
                            "enum": ["higher", "lower"],
                            "default": "higher",
                            "description": "Which way is better (default higher; lower for a "
                            "loss or an error rate).",
                        },
                    },
                },
            ]
        },
    }
    limit = {
        "type": "object",
        "additionalProperties": False,
        "required": ["count", "per"],
        "properties": {
            "count": {"type": "integer", "minimum": 1, "description": "How many retrains."},
            "per": {**DURATION, "description": "Within this long (a duration such as 30d)."},
        },
    }
    return {
        "promotion": {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "description": "What a retrained candidate must show to replace the model "
            "(`retrain-gate promote`).",
            "properties": {
                "must_beat": {
                    **by_metric,
                    "description": "metric: amount. The candidate must be better by more than "
                    "this (a number, or a percentage of the current value).",
                },
                "no_worse_than": {
                    **by_metric,
                    "description": "metric: amount. The candidate may be at most this much worse.",
                },
            },
        },
        "max_retrains": {
            **limit,
            "description": "At most `count` retrains within `per`: the next is blocked.",
        },
        "in_vain": {
            "default": {"count": 3, "per": "30d"},
            "description": "Block the retrain when the last `count` retrains within `per` "
            "left the firing trigger firing (default {count: 3, per: 30d}; false: off).",
            "oneOf": [{"const": False}, limit],
        },
    }


def build_schema() -> dict[str, Any]:
    """The JSON Schema of the config, built from the rule and check registries."""
    from retrain_gate.config.schema_sources import card_schema, source_schema
    from retrain_gate.kinds.base import DURATION

    trigger, trigger_defs = _role_schema("trigger", list(registry("trigger").values()))
    check, check_defs = _role_schema("check", list(registry("check").values()))
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
            "client_payload": {
                "type": "object",
                "maxProperties": 6,
                "description": "repository_dispatch: extra client_payload fields (the gate adds "
                "the model, decision and reasons).",
            },
            "cooldown": {**DURATION, "description": "No dispatch if a run started this recently."},
            "in_flight": {
                "type": "boolean",
                "default": True,
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
    metrics = source_schema()
    model = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "metrics": metrics,
            "sources": {
                "type": "object",
                "description": "More metric sources by name, each like `metrics:`; a rule "
                "reads one with `source: NAME`.",
                "additionalProperties": metrics,
            },
            "baseline": card_schema(),
            "dispatch": dispatch,
            **loop_schemas(),
            "triggers": {
                "type": "array",
                "description": "Rules that ask for a retrain when one fires.",
                "items": {"$ref": "#/$defs/trigger"},
            },
            "checks": {
                "type": "array",
                "description": "Data-quality checks: a failed error-level check vetoes the "
                "retrain.",
                "items": {"$ref": "#/$defs/check"},
            },
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
            "version": {"const": 1, "description": "The config format's version: 1."},
            "models": {
                "type": "object",
                "description": "The models the gate decides for, by name.",
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
        # a trigger is one trigger kind, a group (whose members are triggers) included
        "$defs": {"trigger": trigger, "check": check, **trigger_defs, **check_defs},
    }

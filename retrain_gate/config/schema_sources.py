"""The JSON Schema of what a model reads: a metric source (`metrics:`, each of `sources:`)
and the model card (`baseline:`)."""

from __future__ import annotations

from typing import Any

# how a time is written, in a metric source and in the model card alike
TIME_UNIT: dict[str, Any] = {
    "enum": ["iso", "s", "ms"],
    "default": "iso",
    "description": "How times are written: ISO 8601 (`iso`), or epoch seconds (`s`) or "
    "milliseconds (`ms`, as MLflow and its model registry write them).",
}
TIMEZONE: dict[str, Any] = {
    "type": "string",
    "minLength": 1,
    "description": "The zone of times written without one (`UTC`, `+02:00`, "
    "`Europe/Paris`); without it such times are refused.",
}


def source_schema() -> dict[str, Any]:
    """`metrics:`, and each of `sources:`: where a metric series is committed and how."""
    return {
        "type": "object",
        "description": "The metric file your jobs commit: {path: FILE or GLOB, time: FIELD}.",
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
                "description": "The field holding the time, or `filename`; `date` unless "
                "the format keeps its own (Evidently's `timestamp`, Great Expectations' "
                "`run_time`).",
            },
            "format": {
                "enum": [
                    "auto",
                    "csv",
                    "json",
                    "jsonl",
                    "yaml",
                    "mlflow",
                    "evidently",
                    "great_expectations",
                ],
                "default": "auto",
                "description": "The file format (`auto`: from the extension); "
                "`mlflow`: a run's metrics folder of MLflow's file store; `evidently`: an "
                "Evidently report or snapshot JSON; `great_expectations`: a Great "
                "Expectations validation or checkpoint result JSON.",
            },
            "time_unit": TIME_UNIT,
            "timezone": TIMEZONE,
            "booleans": {
                "type": "boolean",
                "default": False,
                "description": "Read true/false as 1/0 (a Great Expectations `success`).",
            },
            "values": {
                "type": "object",
                "additionalProperties": {"type": "number"},
                "description": "Named strings and the numbers they stand for, e.g. "
                "{PASS: 0, FAIL: 1} for Evidently test statuses.",
            },
            "delimiter": {
                "type": "string",
                "minLength": 1,
                "maxLength": 1,
                "default": ",",
                "description": "The CSV field separator (a tab for dvclive's .tsv "
                "files, which are read as tab-separated anyway).",
            },
            "layout": {
                "enum": ["wide", "long"],
                "default": "wide",
                "description": "`wide`: a column per metric. `long` (tidy, as "
                "MLflow exports): a row per metric, named by `key:`, valued by "
                "`value:`.",
            },
            "key": {
                "type": "string",
                "minLength": 1,
                "default": "key",
                "description": "Long layout: the column naming the metric.",
            },
            "value": {
                "type": "string",
                "minLength": 1,
                "default": "value",
                "description": "Long layout: the column holding its value.",
            },
            "group_by": {
                "type": "string",
                "minLength": 1,
                "description": "Long layout: rows with the same value of this "
                "column (MLflow's `step` or `run_id`) are one observation, timed by "
                "the earliest; without it, the rows with the same time are.",
            },
            "history": {
                "enum": ["file", "git"],
                "default": "file",
                "description": "`file`: the file holds the whole series. `git`: the "
                "file is rewritten each run and committed; each commit that changed it "
                "is one observation (needs the whole history: `fetch-depth: 0`).",
            },
        },
    }


def card_schema() -> dict[str, Any]:
    """`baseline:`: the model card, a path or {path, history, trained_at, ...}."""
    card_path = {"type": "string", "minLength": 1, "description": "The model card (JSON or YAML)."}
    return {
        "description": "The model card (JSON or YAML): its path, or {path, history, "
        "trained_at, time_unit, timezone}.",
        "anyOf": [
            card_path,
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["path"],
                "properties": {
                    "path": card_path,
                    "history": {
                        "enum": ["file", "git"],
                        "default": "file",
                        "description": "`git`: a card rewritten at each training; "
                        "its earlier commits are the model's earlier versions (the "
                        "backtest judges each day with the one in use then).",
                    },
                    "trained_at": {
                        "type": "string",
                        "minLength": 1,
                        "default": "trained_at",
                        "description": "The card's field holding the training time "
                        "(a dotted path), e.g. a registry's `creation_timestamp`.",
                    },
                    "time_unit": TIME_UNIT,
                    "timezone": TIMEZONE,
                },
            },
        ],
    }

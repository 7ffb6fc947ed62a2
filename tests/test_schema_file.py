"""The committed JSON Schema (schema/retrain-gate.schema.json) is the one the code builds.

Editors read the committed file (`# yaml-language-server: $schema=...`), so it must not drift
from `build_schema()`, and it must accept the configs the gate accepts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from retrain_gate.cli import main
from retrain_gate.config.schema import build_schema
from tests.conftest import EXAMPLES

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema" / "retrain-gate.schema.json"
GOOD_CASES = Path(__file__).resolve().parent / "cases" / "good"


def committed() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return schema


def test_the_committed_schema_is_the_generated_one() -> None:
    generated = json.dumps(build_schema(), indent=2) + "\n"
    assert SCHEMA_FILE.read_text(encoding="utf-8") == generated, (
        "schema/retrain-gate.schema.json is out of date: "
        "run `retrain-gate schema > schema/retrain-gate.schema.json`"
    )


def test_the_schema_command_prints_the_committed_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == SCHEMA_FILE.read_text(encoding="utf-8")


def test_the_committed_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(committed())


def config_files() -> list[Path]:
    return [EXAMPLES / "retrain-gate.yml", *sorted(GOOD_CASES.glob("*/retrain-gate.yml"))]


@pytest.mark.parametrize("path", config_files(), ids=lambda p: p.parent.name)
def test_an_editor_accepts_the_example_and_the_good_configs(path: Path) -> None:
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft202012Validator(committed()).iter_errors(config))
    assert errors == []


def test_an_editor_flags_a_misspelled_rule_key() -> None:
    config = yaml.safe_load(
        "version: 1\n"
        "models:\n"
        "  churn:\n"
        "    metrics: {path: metrics/daily.csv}\n"
        "    triggers:\n"
        "      - {name: floor, metric: accuracy, belwo: 0.87}\n"
    )
    errors = list(jsonschema.Draft202012Validator(committed()).iter_errors(config))
    assert [list(e.absolute_path) for e in errors] == [["models", "churn", "triggers", 0]]

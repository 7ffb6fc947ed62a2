"""`format: great_expectations` and `format: evidently` on what else such files hold: older
shapes, repeated names, skipped and erroring tests, several suites, and bad files, each one
message naming the file, never a retrain."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from retrain_gate.cli import main
from tests.conftest import write

CSV = "date,accuracy\n2026-11-01,0.9\n2026-11-02,0.8\n"


def gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], *, fmt: str, result: object, **extra: str
) -> tuple[int, dict[str, Any]]:
    """The churn model (its accuracy fell: a retrain is asked) with one quality result."""
    source = f"{{path: 'q/*.json', format: {fmt}{extra.get('source', '')}}}"
    write(
        tmp_path,
        {
            "retrain-gate.yml": "version: 1\nmodels:\n  churn:\n    metrics: {path: m.csv}\n"
            f"    sources:\n      quality: {source}\n"
            "    triggers:\n      - {name: floor, metric: accuracy, below: 0.85}\n"
            "    checks:\n      - {name: quality, source: quality, validation: all}\n"
            "  other:\n    metrics: {path: m.csv}\n"
            "    triggers:\n      - {name: floor, metric: accuracy, below: 0.85}\n",
            "m.csv": CSV,
            "q/2026-11-02.json": result if isinstance(result, str) else json.dumps(result),
        },
    )
    code = main(
        [
            *("check", "--config", str(tmp_path / "retrain-gate.yml")),
            *("--now", "2026-11-03", "--format", "json"),
        ]
    )
    report = json.loads(capsys.readouterr().out)
    return code, {m["model"]: m for m in report["models"]}


def quality(model: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in model["checks"] if c["name"] == "quality")


def gx_item(kind: str, success: bool, **kwargs: object) -> dict[str, Any]:
    return {"success": success, "expectation_config": {"type": kind, "kwargs": kwargs}}


RUN = {"meta": {"run_id": {"run_time": "2026-11-02T06:00:00+00:00"}}}


def test_a_repeated_expectation_is_named_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = {
        **RUN,
        "success": False,
        "results": [
            gx_item("expect_column_values_to_be_between", True, column="age", min_value=0),
            gx_item("expect_column_values_to_be_between", False, column="age", max_value=99),
            gx_item(
                "expect_column_pair_values_a_to_be_greater_than_b",
                False,
                **{"column_A": "end", "column_B": "start"},
            ),
        ],
    }

    code, models = gate(tmp_path, capsys, fmt="great_expectations", result=result)

    assert (code, models["churn"]["decision"]) == (0, "blocked")
    assert quality(models["churn"])["reason"] == (
        "2 of 3 failed: expect_column_pair_values_a_to_be_greater_than_b(end, start), "
        "expect_column_values_to_be_between(age) #2 (q/2026-11-02.json, 2026-11-02T06:00Z)"
    )
    assert models["other"]["decision"] == "retrain"


def test_great_expectations_0x_shape_and_a_checkpoint_of_several_suites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def validation(suite: str, success: bool) -> dict[str, Any]:
        item = {
            "success": success,
            "expectation_config": {
                "expectation_type": "expect_column_to_exist",
                "kwargs": {"column": "age"},
            },
        }
        return {"success": success, "suite_name": suite, "results": [item]}

    result = {
        "run_id": {"run_time": "2026-11-02T06:00:00Z"},
        "success": False,
        "run_results": {
            "a": {"validation_result": validation("features", True)},
            "b": {"validation_result": validation("labels", False)},
        },
    }

    code, models = gate(tmp_path, capsys, fmt="great_expectations", result=result)

    assert (code, models["churn"]["decision"]) == (0, "blocked")
    assert quality(models["churn"])["reason"] == (
        "1 of 2 failed: labels/expect_column_to_exist(age) (q/2026-11-02.json, 2026-11-02T06:00Z)"
    )


def test_an_evidently_error_fails_a_skipped_test_is_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = {
        "timestamp": "2026-11-02T06:00:00",
        "tests": [
            {"name": "Row count", "status": "SUCCESS"},
            {"name": "Row count", "status": "ERROR"},
            {"name": "Missing values", "status": "SKIPPED"},
        ],
    }

    code, models = gate(tmp_path, capsys, fmt="evidently", result=result, source=", timezone: UTC")

    assert (code, models["churn"]["decision"]) == (0, "blocked")
    assert quality(models["churn"])["reason"] == (
        "1 of 2 failed: Row count #2 (q/2026-11-02.json, 2026-11-02T06:00Z)"
    )


@pytest.mark.parametrize(
    ("fmt", "result", "message"),
    [
        (
            "great_expectations",
            {"a": 1},
            "is not a Great Expectations validation result (no `success` with `results`, "
            "nor a checkpoint's `validation_results`)",
        ),
        (
            "great_expectations",
            {**RUN, "success": "yes", "results": []},
            "a validation result has no `success` (true or false)",
        ),
        (
            "great_expectations",
            {**RUN, "success": True, "results": [{"expectation_config": {"type": "e"}}]},
            "expectation e has no `success` (true or false)",
        ),
        ("great_expectations", "[1, 2", "is not valid JSON"),
        (
            "evidently",
            [1, 2],
            "is not an Evidently report or snapshot (no `metrics`, `metric_results` or `tests`)",
        ),
        (
            "evidently",
            {"timestamp": "2026-11-02T06:00:00Z", "tests": [{"name": "x", "status": "MAYBE"}]},
            "test 'x' has the status 'MAYBE'",
        ),
        (
            "evidently",
            {"timestamp": "2026-11-02T06:00:00", "tests": [{"name": "x", "status": "FAIL"}]},
            "timestamp 2026-11-02T06:00:00 has no time zone",
        ),
        (
            "evidently",
            {"tests": [{"name": "x", "status": "SUCCESS"}]},  # save_json writes no time
            "has no time field 'timestamp'",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else None,
)
def test_a_bad_result_file_is_one_error_naming_it_and_never_a_retrain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, result: object, message: str
) -> None:
    code, models = gate(tmp_path, capsys, fmt=fmt, result=result)

    churn = models["churn"]
    assert code == 3
    assert churn["decision"] == "error"
    assert len(churn["problems"]) == 1
    assert churn["problems"][0]["file"] == "q/2026-11-02.json"
    assert message in churn["problems"][0]["message"]
    assert quality(churn)["status"] == "error"
    assert models["other"]["decision"] == "retrain"  # one model's bad file stops no other

"""The files ML teams' tools write, as those tools wrote them (tests/fixtures/peers/, made
by scripts/peer_fixtures.py with MLflow, dvclive, pandas, Evidently and Great Expectations):
each way of reading them decides as the same series in a plain wide CSV does, day by day.
None of those tools is needed here."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from retrain_gate.cli import main

PEERS = Path(__file__).parent / "fixtures" / "peers"
FOLDERS = sorted(p.name for p in PEERS.iterdir() if (p / "retrain-gate.yml").is_file())
# what each scenario decides on its last day, whichever file it is read from
DECIDED = {
    "dvclive": "retrain",
    "evidently": "retrain",
    "great_expectations": "blocked",
    "mlflow-long": "retrain",
    "mlflow-registry-card": "retrain",
    "mlflow-store": "retrain",
    "pandas-naive": "retrain",
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main([*argv, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def by_model(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["model"]: m for m in report["models"]}


def test_every_scenario_is_checked() -> None:
    assert sorted(DECIDED) == FOLDERS


@pytest.mark.parametrize("folder", FOLDERS)
def test_each_reading_decides_as_the_wide_csv_today(
    folder: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(PEERS / folder / "retrain-gate.yml")

    code, report = run(capsys, "check", "--config", config, "--now", "2026-11-11")

    models = by_model(report)
    wide = models.pop("wide")
    assert code == 0
    assert wide["decision"] == DECIDED[folder]
    assert models
    expected = {rule["name"]: rule for rule in wide["triggers"] + wide["checks"]}
    for name, model in models.items():
        assert model["decision"] == wide["decision"], name
        assert model["problems"] == []
        for rule in model["triggers"] + model["checks"]:
            same = expected[rule["name"]]
            assert rule["status"] == same["status"], (name, rule["name"])
            if rule["kind"] != "validation":  # which names what failed: a column cannot
                assert rule["observed"] == same["observed"], (name, rule["name"])


@pytest.mark.parametrize("folder", FOLDERS)
def test_each_reading_decides_as_the_wide_csv_every_day(
    folder: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(PEERS / folder / "retrain-gate.yml")

    code, report = run(capsys, "backtest", "--config", config)

    assert code == 0
    models = by_model(report)
    wide = {day["day"]: day for day in models.pop("wide")["timeline"]}
    for name, model in models.items():
        assert model["timeline"], name
        # a checkpoint's result was kept for the last day only
        timeline = model["timeline"][-1:] if name == "checkpoint" else model["timeline"]
        for day in timeline:
            expected = wide[day["day"]]
            assert (day["status"], day["fired"], day["vetoes"]) == (
                expected["status"],
                expected["fired"],
                expected["vetoes"],
            ), (name, day["day"])


def test_a_failed_expectation_in_its_own_file_blocks_the_retrain_naming_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = str(PEERS / "great_expectations" / "retrain-gate.yml")

    code, report = run(capsys, "check", "--config", config, "--now", "2026-11-11")

    tool = by_model(report)["tool"]
    check = next(c for c in tool["checks"] if c["name"] == "great-expectations")
    assert code == 0
    assert tool["decision"] == "blocked"
    assert [t["status"] for t in tool["triggers"]] == ["fired"]
    assert check["status"] == "failed"
    assert check["reason"] == (
        "1 of 4 failed: expect_column_values_to_not_be_null(age) "
        "(validations/2026-11-10.json, 2026-11-10T06:00Z)"
    )


def test_the_day_before_every_expectation_passed_and_the_retrain_is_not_held(
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = str(PEERS / "great_expectations" / "retrain-gate.yml")

    code, report = run(
        capsys, "check", "--config", config, "--now", "2026-11-10", "--model", "tool"
    )

    tool = by_model(report)["tool"]
    check = next(c for c in tool["checks"] if c["name"] == "great-expectations")
    assert (code, tool["decision"], check["status"]) == (0, "skip", "passed")
    assert check["reason"] == "all 4 passed (validations/2026-11-09.json, 2026-11-09T06:00Z)"


def gx_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "gx"
    shutil.copytree(PEERS / "great_expectations", folder)
    return folder


def test_a_failure_at_severity_warning_warns_without_vetoing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = gx_copy(tmp_path)
    last = folder / "validations" / "2026-11-10.json"
    result = json.loads(last.read_text())
    for item in result["results"]:  # the nulls are fixed; the mean (severity warning) fails
        config = item["expectation_config"]
        item["success"] = config["type"] != "expect_column_mean_to_be_between"
        assert config["severity"] == ("warning" if not item["success"] else "critical")
    result["success"] = False
    last.write_text(json.dumps(result))

    code, report = run(
        capsys, "check", "--config", str(folder / "retrain-gate.yml"), "--now", "2026-11-11"
    )

    tool = by_model(report)["tool"]
    check = next(c for c in tool["checks"] if c["name"] == "great-expectations")
    assert (code, tool["decision"], check["status"]) == (0, "retrain", "warned")
    assert check["reason"] == (
        "1 of 4 failed at a non-critical severity: expect_column_mean_to_be_between(age) "
        "(validations/2026-11-10.json, 2026-11-10T06:00Z)"
    )


def test_named_expectations_and_ignored_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = gx_copy(tmp_path)
    (folder / "retrain-gate.yml").write_text(
        "version: 1\nmodels:\n  churn:\n    metrics: {path: wide.csv}\n    sources:\n"
        "      quality: {path: 'validations/*.json', format: great_expectations}\n"
        "    triggers:\n      - {name: accuracy-floor, metric: accuracy, below: 0.85, for: 2}\n"
        "    checks:\n"
        "      - {name: all-but-nulls, source: quality, validation: all,\n"
        "         ignore: ['expect_column_values_to_not_be_null(*)']}\n"
        "      - {name: sets, source: quality,\n"
        "         validation: ['expect_column_values_to_be_in_set(*)']}\n"
        "      - {name: typo, source: quality, validation: ['expect_colum_to_exist(age)']}\n"
    )

    code, report = run(
        capsys, "check", "--config", str(folder / "retrain-gate.yml"), "--now", "2026-11-11"
    )

    checks = {c["name"]: c for c in by_model(report)["churn"]["checks"]}
    assert (checks["all-but-nulls"]["status"], checks["sets"]["status"]) == ("passed", "passed")
    assert checks["all-but-nulls"]["reason"].startswith("all 3 passed")
    assert checks["sets"]["reason"].startswith("all 1 passed")
    assert checks["typo"]["status"] == "error"
    assert checks["typo"]["reason"] == (
        "no validation result is named 'expect_colum_to_exist(age)'"
    )
    assert by_model(report)["churn"]["decision"] == "error"
    assert code != 0

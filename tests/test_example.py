"""Acceptance: the bundled example, run as the README's first command runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from retrain_gate.cli import main
from tests.conftest import EXAMPLES

ARGS = ["check", "--config", str(EXAMPLES / "retrain-gate.yml"), "--now", "2026-11-28"]


def test_example_decides_retrain_for_churn_and_skip_for_fraud(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([*ARGS, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    decisions = {m["model"]: m["decision"] for m in report["models"]}
    assert decisions == {"churn": "retrain", "fraud": "skip"}
    churn = report["models"][0]
    fired = [t["name"] for t in churn["triggers"] if t["status"] == "fired"]
    assert fired == [
        "accuracy-floor",
        "accuracy-drop",
        "more-data",
        "stale-model",
        "feature-drift",
        "accuracy-anomaly",
    ]
    assert all(c["status"] == "passed" for c in churn["checks"])
    floor = churn["triggers"][0]
    assert floor["reason"] == (
        "accuracy 0.862, 0.858 < 0.87 on 2 consecutive observations (2026-11-26, 2026-11-27)"
    )


def test_terminal_report_shows_every_rule_and_the_decision(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(ARGS) == 0
    out = capsys.readouterr().out
    assert out.startswith("churn: RETRAIN  accuracy-floor, accuracy-drop")
    for rule in (
        "accuracy-floor",
        "more-data",
        "stale-model",
        "feature-drift",
        "enough-rows",
        "fresh-data",
        "no-gaps",
        "nulls-age",
        "sample-schema",
        "auc-floor",
    ):
        assert rule in out
    assert "fraud: SKIP  no trigger fired, 3 quiet" in out
    assert out.rstrip().endswith("decision: RETRAIN  (as of 2026-11-28 00:00 UTC)")
    assert "\x1b[" not in out  # NO_COLOR and not a terminal: no escape codes


@pytest.mark.parametrize("fmt", ["terminal", "markdown"])
def test_an_unreadable_metric_file_is_said_once(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the model's decision line already names the file and what is wrong with it
    shutil.copytree(EXAMPLES, tmp_path / "repo")
    (tmp_path / "repo" / "metrics" / "churn" / "daily.csv").unlink()
    config = str(tmp_path / "repo" / "retrain-gate.yml")
    args = ["check", "--config", config, "--now", "2026-11-28", "--format", fmt]
    assert main(args) == 3
    out = capsys.readouterr().out
    assert "churn: ERROR" in out
    # once per place: the Markdown's overview row, then once in the model's details
    places = out.split("<!-- retrain-gate:section ", 1) if fmt == "markdown" else [out]
    for place in places:
        assert place.count("metrics/churn/daily.csv: file not found") == 1


def test_fail_on_retrain_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*ARGS, "--fail-on", "retrain"]) == 1
    assert main([*ARGS, "--fail-on", "blocked"]) == 0


def test_module_entry_point_runs_in_a_subprocess() -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "retrain_gate", *ARGS, "--model", "fraud"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("fraud: SKIP")
    assert done.stderr == ""

"""The pull-request check judges each side at its own revision, data included: the base's
config with the base's metric files, the pull request's with its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import commit, daily_csv, git
from tests.test_diff import METRICS, OLD_CONFIG, run_diff

GOOD = daily_csv({"accuracy": [0.9] * 20, "rows": [5000] * 20})
NAN = daily_csv({"accuracy": [0.9] * 19 + ["nan"], "rows": [5000] * 20})


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    monkeypatch.chdir(root)
    return root


def churn(report: dict[str, Any]) -> dict[str, Any]:
    (model,) = [m for m in report["models"] if m["model"] == "churn"]
    return model


def test_a_data_only_change_is_reported_with_todays_decisions_at_both_ends(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = commit(repo, {"retrain-gate.yml": OLD_CONFIG, "metrics/churn.csv": GOOD}, "main")
    commit(repo, {"metrics/churn.csv": METRICS}, "pr: accuracy sinks")  # config unchanged

    code, report, _ = run_diff(capsys, "--base", base, "--format", "json")

    assert code == 0
    assert report["changed"] is True
    model = churn(report)
    assert model["today"] == {"old": "skip", "new": "retrain"}
    assert model["rules"] == []  # no rule changed: the data did
    assert model["backtest"]["changed_days"]  # the days whose decision changed are listed
    assert len(git(repo, "worktree", "list").splitlines()) == 1  # the base's tree is gone


def test_a_pull_request_that_adds_the_file_the_base_reads_is_a_change(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = commit(repo, {"retrain-gate.yml": OLD_CONFIG}, "main: config, no data yet")
    commit(repo, {"metrics/churn.csv": GOOD}, "pr: the metrics")

    code, report, _ = run_diff(capsys, "--base", base, "--format", "json")

    assert code == 0
    assert report["changed"] is True
    assert churn(report)["today"] == {"old": "error", "new": "skip"}


def test_a_nan_landing_at_head_changes_the_verdict(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = commit(repo, {"retrain-gate.yml": OLD_CONFIG, "metrics/churn.csv": GOOD}, "main")
    commit(repo, {"metrics/churn.csv": NAN}, "pr: a NaN")

    code, report, _ = run_diff(capsys, "--base", base, "--format", "json")

    assert code == 0
    assert report["changed"] is True
    assert churn(report)["today"] == {"old": "skip", "new": "error"}


def test_a_config_moved_to_dot_github_is_the_same_model(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = commit(repo, {"retrain-gate.yml": OLD_CONFIG, "metrics/churn.csv": GOOD}, "main")
    (repo / ".github").mkdir()
    git(repo, "mv", "retrain-gate.yml", ".github/retrain-gate.yml")
    git(repo, "commit", "-qm", "pr: move the config")

    code, report, _ = run_diff(capsys, "--base", base, "--format", "json")

    assert code == 0
    assert report["base"]["config"] == f"retrain-gate.yml@{base}"
    assert churn(report)["change"] == "unchanged"
    assert report["changed"] is False


def test_a_renamed_metric_file_keeps_the_base_deciding_on_its_own_file(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = commit(repo, {"retrain-gate.yml": OLD_CONFIG, "metrics/churn.csv": GOOD}, "main")
    git(repo, "mv", "metrics/churn.csv", "metrics/churn-daily.csv")
    renamed = OLD_CONFIG.replace("metrics/churn.csv", "metrics/churn-daily.csv")
    commit(repo, {"retrain-gate.yml": renamed}, "pr: rename the metric file")

    code, report, _ = run_diff(capsys, "--base", base, "--format", "json")

    assert code == 0
    model = churn(report)
    assert model["today"] == {"old": "skip", "new": "skip"}  # not an error on every day
    assert model["backtest"]["changed_days"] == []
    assert [s["option"] for s in model["settings"]] == ["metrics.path"]


def test_a_depth_1_checkout_after_main_moved_on_compares_with_the_true_merge_base(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "-q", "-b", "main")
    fork = commit(origin, {"retrain-gate.yml": OLD_CONFIG, "metrics/churn.csv": GOOD}, "main")
    git(origin, "checkout", "-q", "-b", "pr")
    raised = OLD_CONFIG.replace("below: 0.85", "below: 0.95")
    commit(origin, {"retrain-gate.yml": raised}, "pr: raise the floor")
    git(origin, "checkout", "-q", "main")
    commit(origin, {"metrics/churn.csv": METRICS}, "main moves on: accuracy sinks")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "pr", f"file://{origin}", "clone")
    monkeypatch.chdir(clone)
    monkeypatch.setenv("GITHUB_BASE_REF", "main")

    code, report, _ = run_diff(capsys, "--format", "json")

    assert code == 0
    assert report["base"]["commit"] == fork  # not main's tip, which moved on
    model = churn(report)
    # the pull request's own change only: the floor raised, on the data it was branched from
    assert [r["name"] for r in model["rules"]] == ["accuracy-floor"]
    assert model["today"] == {"old": "skip", "new": "retrain"}

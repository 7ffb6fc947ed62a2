"""The pre-commit hook: `.pre-commit-hooks.yaml` runs `retrain-gate validate` on every commit.

pre-commit runs the hook's `entry` from the repository root, with the hook's `args` (the
user's, from .pre-commit-config.yaml) and, the hook having `pass_filenames: false`, no file
names; `always_run: true` runs it whichever files the commit touches, so a metric file's
change is checked against the rules too. These tests read the hook definition and call `main`
exactly that way.
"""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from retrain_gate.cli import main
from tests.conftest import write

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"


def hook() -> dict[str, Any]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["retrain-gate-validate"]
    found: dict[str, Any] = hooks[0]
    return found


def run_hook(
    repository: Path, monkeypatch: pytest.MonkeyPatch, args: list[str] | None = None
) -> int:
    """What pre-commit does: cd to the repository, run the entry with the user's args (and no
    file names: pass_filenames is false)."""
    entry = shlex.split(hook()["entry"])
    assert entry[0] == "retrain-gate"  # the console script below, installed by `language: python`
    assert hook()["pass_filenames"] is False
    monkeypatch.chdir(repository)
    return main([*entry[1:], *hook().get("args", []), *(args or [])])


def test_the_hook_runs_the_installed_console_script() -> None:
    definition = hook()
    assert definition["language"] == "python"
    assert definition["entry"] == "retrain-gate validate"
    assert definition["pass_filenames"] is False
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'retrain-gate = "retrain_gate.cli:main"' in pyproject


def test_the_hook_runs_on_every_commit_whatever_it_changes() -> None:
    """A metric file's change can break a rule: the hook is not limited to the config files."""
    definition = hook()
    assert definition["always_run"] is True
    assert "files" not in definition and "types" not in definition


def test_a_good_config_passes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_hook(CASES / "good" / "csv-retrain", monkeypatch)
    captured = capsys.readouterr()
    assert (code, captured.err) == (0, "")
    assert captured.out == "retrain-gate.yml: valid (1 model, 4 rules)\n"


def test_a_config_in_the_github_folder_passes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repository = CASES / "good" / "config-in-github-folder"
    assert run_hook(repository, monkeypatch) == 0
    assert capsys.readouterr().out == ".github/retrain-gate.yml: valid (1 model, 4 rules)\n"


def test_one_rule_is_counted_in_the_singular(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (
        "version: 1\nmodels:\n  churn:\n    baseline: card.json\n"
        "    triggers:\n      - {name: old, max_age: 30d}\n"
    )
    card = '{"trained_at": "2026-11-01T06:00:00Z", "metrics": {"accuracy": 0.9}}'
    write(tmp_path, {"retrain-gate.yml": config, "card.json": card})
    assert run_hook(tmp_path, monkeypatch) == 0
    assert capsys.readouterr().out == "retrain-gate.yml: valid (1 model, 1 rule)\n"


def test_a_bad_config_fails_the_commit_with_its_location(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_hook(CASES / "bad" / "rule-key-belwo", monkeypatch)
    assert code == 2
    assert capsys.readouterr().err == (
        "retrain-gate: error: retrain-gate.yml:11:9: unknown key 'belwo' in "
        "models.churn.triggers[0] (did you mean 'below'?)\n"
        "1 error in retrain-gate.yml\n"
    )


def test_a_metric_the_file_does_not_have_fails_the_commit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_hook(CASES / "bad" / "metric-not-provided", monkeypatch)
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("retrain-gate: error: retrain-gate.yml:10:17: trigger 'accuracy-floor'")
    assert "did you mean 'accuracy'?" in err


def test_one_bad_file_among_several_fails_the_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(CASES / "good" / "csv-retrain", tmp_path / "a")  # its metric files too
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "retrain-gate.yml").write_text("version: 2\nmodels: {}\n", encoding="utf-8")
    # the user's args name them: `args: [a/retrain-gate.yml, b/retrain-gate.yml]`
    code = run_hook(tmp_path, monkeypatch, ["a/retrain-gate.yml", "b/retrain-gate.yml"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out.startswith("a/retrain-gate.yml: valid (")
    assert captured.err == (
        "retrain-gate: error: b/retrain-gate.yml:1:10: version 2 is not supported "
        "(this retrain-gate reads version: 1)\n"
        "1 error in b/retrain-gate.yml\n"
    )


def test_a_renamed_column_in_a_metric_file_fails_the_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The commit touches only the metric file; the hook still runs and catches it."""
    shutil.copytree(CASES / "good" / "csv-retrain", tmp_path / "repo")
    repository = tmp_path / "repo"
    assert run_hook(repository, monkeypatch) == 0
    capsys.readouterr()
    daily = repository / "metrics" / "daily.csv"
    text = daily.read_text(encoding="utf-8")
    daily.write_text(text.replace("date,accuracy,rows", "date,acc,rows", 1), encoding="utf-8")
    assert run_hook(repository, monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.startswith("retrain-gate: error: retrain-gate.yml:10:17: trigger 'accuracy-floor'")
    assert "'accuracy'" in err and "metrics/daily.csv" in err


def test_a_config_in_a_subfolder_is_named_in_the_args(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(CASES / "good" / "csv-retrain", tmp_path / "services" / "churn")
    args = ["--config", "services/churn/retrain-gate.yml"]
    assert run_hook(tmp_path, monkeypatch, args) == 0
    assert capsys.readouterr().out == "services/churn/retrain-gate.yml: valid (1 model, 4 rules)\n"


def test_without_a_config_the_hook_says_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_hook(tmp_path, monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.startswith("retrain-gate: error: ")
    assert "retrain-gate.yml" in err

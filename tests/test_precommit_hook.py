"""The pre-commit hook: `.pre-commit-hooks.yaml` runs `retrain-gate validate FILES...`.

pre-commit runs the hook's `entry` from the repository root with the matching files as
arguments; these tests read the hook definition and call `main` exactly that way.
"""

from __future__ import annotations

import re
import shlex
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


def run_hook(repository: Path, files: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    """What pre-commit does: cd to the repository, run the entry with the staged files."""
    entry = shlex.split(hook()["entry"])
    assert entry[0] == "retrain-gate"  # the console script below, installed by `language: python`
    monkeypatch.chdir(repository)
    return main([*entry[1:], *hook().get("args", []), *files])


def test_the_hook_runs_the_installed_console_script() -> None:
    definition = hook()
    assert definition["language"] == "python"
    assert definition["entry"] == "retrain-gate validate"
    assert definition.get("pass_filenames", True) is True
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'retrain-gate = "retrain_gate.cli:main"' in pyproject


@pytest.mark.parametrize(
    ("path", "matches"),
    [
        ("retrain-gate.yml", True),
        ("retrain-gate.yaml", True),
        (".github/retrain-gate.yml", True),
        ("services/churn/retrain-gate.yml", True),
        ("not-retrain-gate.yml", False),
        ("retrain-gate.yml.orig", False),
        ("examples/config.yml", False),
        (".github/workflows/retrain.yml", False),
    ],
)
def test_the_hook_picks_the_config_files_only(path: str, matches: bool) -> None:
    assert bool(re.search(hook()["files"], path)) is matches


def test_a_good_config_passes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_hook(CASES / "good" / "csv-retrain", ["retrain-gate.yml"], monkeypatch)
    captured = capsys.readouterr()
    assert (code, captured.err) == (0, "")
    assert captured.out == "retrain-gate.yml: valid (1 model, 4 rules)\n"


def test_a_config_in_the_github_folder_passes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repository = CASES / "good" / "config-in-github-folder"
    assert run_hook(repository, [".github/retrain-gate.yml"], monkeypatch) == 0
    assert capsys.readouterr().out == ".github/retrain-gate.yml: valid (1 model, 4 rules)\n"


def test_one_rule_is_counted_in_the_singular(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (
        "version: 1\nmodels:\n  churn:\n    baseline: card.json\n"
        "    triggers:\n      - {name: old, max_age: 30d}\n"
    )
    write(tmp_path, {"retrain-gate.yml": config})
    assert run_hook(tmp_path, ["retrain-gate.yml"], monkeypatch) == 0
    assert capsys.readouterr().out == "retrain-gate.yml: valid (1 model, 1 rule)\n"


def test_a_bad_config_fails_the_commit_with_its_location(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_hook(CASES / "bad" / "rule-key-belwo", ["retrain-gate.yml"], monkeypatch)
    assert code == 2
    assert capsys.readouterr().err == (
        "retrain-gate: error: retrain-gate.yml:11:9: unknown key 'belwo' in "
        "models.churn.triggers[0] (did you mean 'below'?)\n"
    )


def test_a_metric_the_file_does_not_have_fails_the_commit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_hook(CASES / "bad" / "metric-not-provided", ["retrain-gate.yml"], monkeypatch)
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("retrain-gate: error: retrain-gate.yml:10:17: trigger 'accuracy-floor'")
    assert "did you mean 'accuracy'?" in err


def test_one_bad_file_among_several_fails_the_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    good = (CASES / "good" / "csv-retrain" / "retrain-gate.yml").read_text(encoding="utf-8")
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    (tmp_path / "a" / "retrain-gate.yml").write_text(good, encoding="utf-8")
    (tmp_path / "b" / "retrain-gate.yml").write_text("version: 2\nmodels: {}\n", encoding="utf-8")
    code = run_hook(tmp_path, ["a/retrain-gate.yml", "b/retrain-gate.yml"], monkeypatch)
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err == (
        "retrain-gate: error: b/retrain-gate.yml:1:10: version 2 is not supported "
        "(this retrain-gate reads version: 1)\n"
    )

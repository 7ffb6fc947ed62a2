"""`retrain-gate matrix`: the models for a GitHub Actions matrix, all or only the changed ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from retrain_gate.cli import main
from tests.conftest import EXAMPLES, commit, daily_csv, git, write

CARD = '{"trained_at": "2026-10-01T00:00:00Z", "metrics": {"accuracy": 0.9}}\n'
HIST = '{"bins": [0, 1, 2], "counts": [5, 5]}\n'


def entry(name: str, *, below: float = 0.8, comment: str = "") -> str:
    return f"""  {name}:{comment}
    metrics: {{path: metrics/{name}.csv, time: date}}
    baseline: cards/{name}.json
    triggers:
      - {{name: floor, metric: accuracy, below: {below}}}
      - name: drift
        psi: {{reference: data/{name}/ref.json, current: data/{name}/cur.json}}
        above: 0.2
"""


def repo(root: Path, names: list[str]) -> Path:
    files = {"retrain-gate.yml": "version: 1\nmodels:\n" + "".join(entry(n) for n in names)}
    for name in names:
        files[f"metrics/{name}.csv"] = daily_csv({"accuracy": [0.9, 0.91]})
        files[f"cards/{name}.json"] = CARD
        files[f"data/{name}/ref.json"] = HIST
        files[f"data/{name}/cur.json"] = HIST
    return write(root, files)


def matrix(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, root: Path, *extra: str
) -> tuple[int, object, str]:
    monkeypatch.chdir(root)
    code = main(["matrix", *extra])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out else None, err


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    """A git repository with four models on `main`, and a branch `work` off it."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo(tmp_path, ["alpha", "beta", "gamma", "delta"])
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "start")
    git(tmp_path, "checkout", "-q", "-b", "work")
    return tmp_path


def test_lists_exactly_the_configured_models_in_config_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo(tmp_path, ["zeta", "alpha", "model.v2"])
    code, printed, _ = matrix(capsys, monkeypatch, tmp_path)
    assert code == 0
    assert printed == {"model": ["zeta", "alpha", "model.v2"]}


def test_the_bundled_example_lists_its_two_models(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, printed, _ = matrix(
        capsys, monkeypatch, EXAMPLES.parent, "--config", str(EXAMPLES / "retrain-gate.yml")
    )
    assert (code, printed) == (0, {"model": ["churn", "fraud"]})


def test_with_a_ref_only_models_whose_files_changed(
    git_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    commit(git_repo, {"metrics/beta.csv": daily_csv({"accuracy": [0.9, 0.7]})}, "beta metrics")
    commit(git_repo, {"data/delta/cur.json": '{"bins": [0, 1, 2], "counts": [9, 1]}\n'}, "d")
    commit(git_repo, {"README.md": "unrelated\n"}, "docs")
    code, printed, _ = matrix(capsys, monkeypatch, git_repo, "--changed-since", "main")
    assert (code, printed) == (0, {"model": ["beta", "delta"]})


def test_a_changed_model_card_or_config_entry_counts_and_other_entries_do_not(
    git_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    commit(git_repo, {"cards/alpha.json": CARD.replace("0.9", "0.95")}, "alpha card")
    # gamma's threshold changes; beta only gets a comment, which changes nothing it decides
    config = "version: 1\nmodels:\n" + "".join(
        [
            entry("alpha"),
            entry("beta", comment="  # reviewed"),
            entry("gamma", below=0.85),
            entry("delta"),
        ]
    )
    commit(git_repo, {"retrain-gate.yml": config}, "gamma threshold")
    code, printed, _ = matrix(capsys, monkeypatch, git_repo, "--changed-since", "main")
    assert (code, printed) == (0, {"model": ["alpha", "gamma"]})


def test_a_glob_of_metric_files_matches_a_new_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "repo"
    write(
        root,
        {
            "ml/retrain-gate.yml": "version: 1\nmodels:\n"
            "  runs:\n"
            "    metrics: {path: 'metrics/runs/*.json', time: filename}\n"
            "    triggers: [{name: floor, metric: auc, below: 0.8}]\n"
            "  other:\n"
            "    metrics: {path: metrics/other.csv}\n"
            "    triggers: [{name: floor, metric: auc, below: 0.8}]\n",
            "ml/metrics/runs/2026-11-01.json": '{"auc": 0.9}\n',
            "ml/metrics/other.csv": "date,auc\n2026-11-01,0.9\n",
        },
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "start")
    git(root, "checkout", "-q", "-b", "work")
    commit(root, {"ml/metrics/runs/2026-11-02.json": '{"auc": 0.7}\n'}, "a new run")
    # the config is in a sub-folder of the repository: paths are relative to that folder
    code, printed, _ = matrix(capsys, monkeypatch, root / "ml", "--changed-since", "main")
    assert (code, printed) == (0, {"model": ["runs"]})


def test_nothing_changed_is_an_empty_list(
    git_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, printed, _ = matrix(capsys, monkeypatch, git_repo, "--changed-since", "main")
    assert (code, printed) == (0, {"model": []})


def test_an_unknown_ref_is_a_git_error_exit_5(
    git_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, printed, err = matrix(capsys, monkeypatch, git_repo, "--changed-since", "no-such-ref")
    assert code == 5
    assert printed is None
    assert "no-such-ref...HEAD" in err
    assert "fetch-depth: 0" in err


def test_a_ref_that_looks_like_an_option_is_refused(
    git_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, printed, err = matrix(capsys, monkeypatch, git_repo, "--changed-since=--output=x")
    assert (code, printed) == (2, None)
    assert "--changed-since takes a git ref" in err
    assert not (git_repo / "x").exists()


def test_outside_a_git_repository_is_a_git_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo(tmp_path, ["alpha"])
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    code, _, err = matrix(capsys, monkeypatch, tmp_path, "--changed-since", "main")
    assert code == 5
    assert "git rev-parse" in err

"""The whole loop on real git repositories: the gate decides `retrain` and dispatches (to the
fake GitHub API on 127.0.0.1), the retraining workflow's own steps run as a runner runs them
(promote, record, git commit and push), and the gate's next run sees what they committed.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from retrain_gate.cli import main
from tests.conftest import EXAMPLES, commit, git
from tests.fakegithub import FakeGitHub
from tests.workflow_runner import Runner, StepRun, load_job, runner_env

TOKEN = "ghs_RecognisableSecret_DoNotPrint_0123456789"
GATE_RUN_URL = "https://github.com/o/r/actions/runs/555"
WORKFLOW = EXAMPLES / "workflows" / "retrain.yml"
DISPATCH = "/repos/o/r/actions/workflows/retrain.yml/dispatches"

CONFIG = """\
version: 1
models:
  churn:
    metrics: {path: metrics/churn.csv, time: date}
    baseline: models/churn/model_card.json
    dispatch: {workflow: retrain.yml, ref: main}
    promotion: {must_beat: {accuracy: 0.5%}, no_worse_than: {recall: 1%}}
    triggers:
      - {name: stale-model, max_age: 30d}
      - {name: more-data, metric: rows, growth_since_baseline: 20%}
    checks:
      - {name: fresh-data, freshness: 2d}
"""


def metrics_csv(rows: list[int]) -> str:
    """One row per day, the newest yesterday (the gate runs on the real clock, as on a runner)."""
    today = datetime.now(timezone.utc).date()
    first = today - timedelta(days=len(rows))
    lines = ["date,rows,accuracy"]
    lines += [f"{first + timedelta(days=i)},{n},0.9" for i, n in enumerate(rows)]
    return "\n".join(lines) + "\n"


def card(trained: date, rows: int) -> str:
    data = {
        "model": "churn",
        "trained_at": f"{trained}T06:00:00Z",
        "rows": rows,
        "metrics": {"accuracy": 0.9, "recall": 0.8},
    }
    return json.dumps(data, indent=2) + "\n"


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """The repository on GitHub (a bare one), with the config, metrics, card and workflow."""
    seed = tmp_path / "seed"
    seed.mkdir()
    git(seed, "init", "-q", "-b", "main")
    old = datetime.now(timezone.utc).date() - timedelta(days=40)
    commit(
        seed,
        {
            "retrain-gate.yml": CONFIG,
            "metrics/churn.csv": metrics_csv([10_000] * 10 + [13_000] * 5),
            "models/churn/model_card.json": card(old, 10_000),
            ".github/workflows/retrain.yml": WORKFLOW.read_text(encoding="utf-8"),
        },
        "the model, its metrics and card",
    )
    bare = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(bare))
    return bare


@pytest.fixture
def github(fake_github: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> FakeGitHub:
    """The gate's runner environment, pointing at the fake API."""
    for name, value in {
        "GITHUB_API_URL": fake_github.url,
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_RUN_ID": "555",
        "GITHUB_RUN_ATTEMPT": "1",
        "GITHUB_REF_NAME": "main",
    }.items():
        monkeypatch.setenv(name, value)
    return fake_github


def gate_run(
    origin: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], *flags: str
) -> dict[str, Any]:
    """The scheduled gate: a fresh checkout of origin, `check --dispatch`, the JSON model."""
    checkout = tmp_path / "gate"
    shutil.rmtree(checkout, ignore_errors=True)
    git(tmp_path, "clone", "-q", str(origin), str(checkout))
    capsys.readouterr()
    code = main(
        ["check", "--config", str(checkout / "retrain-gate.yml"), "--format", "json", *flags]
    )
    out, err = capsys.readouterr()
    assert TOKEN not in out + err
    assert code == 0, err
    report = json.loads(out)
    model: dict[str, Any] = report["models"][0]
    return model


def retraining_run(
    origin: Path, tmp_path: Path, inputs: dict[str, str], *, train: str, run_id: str
) -> list[StepRun]:
    """The dispatched workflow on a runner: check out origin, run retrain.yml's steps with the
    dispatch's inputs (the Train step replaced by `train`, which writes eval.json)."""
    workdir = tmp_path / f"runner-{run_id}"
    git(tmp_path, "clone", "-q", str(origin), str(workdir))  # actions/checkout
    temp = tmp_path / f"runner-temp-{run_id}"
    temp.mkdir()
    github = {
        "server_url": "https://github.com",
        "repository": "o/r",
        "run_id": run_id,
        "ref_name": "main",
        "token": "ghs_workflow_token",
    }
    runner = Runner(inputs=inputs, github=github, workdir=workdir, temp=temp)
    env = runner_env(
        {
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": "o/r",
            "GITHUB_RUN_ID": run_id,
            "GITHUB_REF_NAME": "main",
        }
    )
    return runner.run_job(
        load_job(WORKFLOW, "retrain"),
        env=env,
        replace={"train": train},
        skip=frozenset({"install"}),
    )


def evaluation(accuracy: float, recall: float, rows: int) -> str:
    data = {"rows": rows, "metrics": {"accuracy": accuracy, "recall": recall}}
    return f"cat > \"$EVALUATION\" <<'JSON'\n{json.dumps(data)}\nJSON\n"


def origin_card(origin: Path, tmp_path: Path) -> dict[str, Any]:
    text = git(origin, "show", "main:models/churn/model_card.json")
    data: dict[str, Any] = json.loads(text)
    return data


def finish(fake: FakeGitHub) -> None:
    """Every run the fake started has ended, as it has once its workflow's steps ran."""
    for run in fake.workflow_runs:
        run["status"], run["conclusion"] = "completed", "success"


def dispatched_inputs(fake: FakeGitHub) -> dict[str, str]:
    posts = [r for r in fake.requests if r.method == "POST" and r.path == DISPATCH]
    assert posts, "the gate dispatched nothing"
    body = posts[-1].body
    assert isinstance(body, dict)
    inputs: dict[str, str] = body["inputs"]
    return inputs


def statuses(runs: list[StepRun]) -> dict[str, str]:
    return {r.name: r.status for r in runs}


def test_retrain_promote_record_commit_then_the_gate_skips(
    origin: Path, tmp_path: Path, github: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    first = gate_run(origin, tmp_path, capsys, "--dispatch")
    assert first["decision"] == "retrain"
    assert {t["name"] for t in first["triggers"] if t["status"] == "fired"} == {
        "stale-model",
        "more-data",
    }
    assert first["dispatch"]["status"] == "dispatched"
    assert first["card"]["version"] is None  # a hand-written card: version 1
    inputs = dispatched_inputs(github)
    assert inputs["model"] == "churn"
    assert inputs["gate_run_url"] == GATE_RUN_URL

    runs = retraining_run(
        origin, tmp_path, inputs, train=evaluation(0.92, 0.8, 13_000), run_id="9001"
    )
    finish(github)  # the run is over: GitHub lists it completed

    assert statuses(runs) == {
        "Train": "success",
        "Promote the candidate, or keep the current model": "success",
        "Record the model card": "success",
        "Record the failure": "skipped",
        "Commit the model card": "success",
    }, [(r.name, r.stderr) for r in runs]
    promote = runs[1]
    assert promote.outputs == {
        "promoted": "true",
        "reason": "2 of 2 rules passed",
        "result": "promoted",
    }
    summary = (tmp_path / "runner-temp-9001" / "step_summary.md").read_text(encoding="utf-8")
    assert "| metric | current | candidate | change | rule | verdict |" in summary
    assert "| accuracy | 0.9 | 0.92 | +2.22% | must beat by more than 0.5% | ✅ pass |" in summary
    assert "| recall | 0.8 | 0.8 | +0.00% | no worse than 1% | ✅ pass |" in summary
    # the commit on main names the gate run that asked, and holds only the card
    message = git(origin, "log", "-1", "--format=%B", "main")
    assert message.startswith("Model card of churn: promoted")
    assert f"Retrained for gate run {GATE_RUN_URL} (run 555)" in message
    assert "https://github.com/o/r/actions/runs/9001" in message
    changed = git(origin, "show", "--name-only", "--format=", "main")
    assert changed == "models/churn/model_card.json"
    new = origin_card(origin, tmp_path)
    assert new["version"] == 2
    assert new["rows"] == 13_000
    assert new["metrics"] == {"accuracy": 0.92, "recall": 0.8}
    assert new["model"] == "churn"  # the card's own fields are kept
    assert new["previous"]["version"] == 1
    assert new["previous"]["metrics"] == {"accuracy": 0.9, "recall": 0.8}
    assert new["last_attempt"]["result"] == "promoted"
    assert new["last_attempt"]["gate_run"] == GATE_RUN_URL

    github.requests.clear()
    second = gate_run(origin, tmp_path, capsys, "--dispatch")
    assert second["decision"] == "skip", second["summary"]
    assert second["card"]["version"] == 2
    assert second["card"]["last_attempt"]["result"] == "promoted"
    assert not [r for r in github.requests if r.method == "POST"]


def test_a_worse_candidate_is_not_promoted_and_the_next_gate_run_says_so(
    origin: Path, tmp_path: Path, github: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    gate_run(origin, tmp_path, capsys, "--dispatch")
    retraining_run(
        origin,
        tmp_path,
        dispatched_inputs(github),
        train=evaluation(0.92, 0.8, 13_000),
        run_id="9001",
    )
    finish(github)  # the run is over: GitHub lists it completed
    # more data arrives: 16,000 rows against the 13,000 of version 2
    work = tmp_path / "metrics-job"
    git(tmp_path, "clone", "-q", str(origin), str(work))
    commit(work, {"metrics/churn.csv": metrics_csv([13_000] * 10 + [16_000] * 5)}, "metrics")
    git(work, "push", "-q", "origin", "HEAD:main")
    github.requests.clear()
    again = gate_run(origin, tmp_path, capsys, "--dispatch")
    assert again["decision"] == "retrain"
    assert [t["name"] for t in again["triggers"] if t["status"] == "fired"] == ["more-data"]

    # the candidate's accuracy is lower than version 2's: keep version 2
    runs = retraining_run(
        origin,
        tmp_path,
        dispatched_inputs(github),
        train=evaluation(0.915, 0.8, 16_000),
        run_id="9002",
    )
    finish(github)  # the run is over: GitHub lists it completed

    assert statuses(runs)["Commit the model card"] == "success"
    assert runs[1].outputs["promoted"] == "false"
    assert runs[1].outputs["result"] == "kept_old"
    summary = (tmp_path / "runner-temp-9002" / "step_summary.md").read_text(encoding="utf-8")
    assert "keep the current model" in summary
    assert "| accuracy | 0.92 | 0.915 | -0.54% | must beat by more than 0.5% | ❌ fail |" in summary
    kept = origin_card(origin, tmp_path)
    assert kept["version"] == 2  # not recorded as a new version
    assert kept["metrics"] == {"accuracy": 0.92, "recall": 0.8}
    assert kept["rows"] == 13_000
    assert kept["last_attempt"]["result"] == "kept_old"
    assert kept["last_attempt"]["metrics"] == {"accuracy": 0.915, "recall": 0.8}
    assert git(origin, "log", "-1", "--format=%s", "main") == "Model card of churn: kept_old"

    github.requests.clear()
    after = gate_run(origin, tmp_path, capsys)
    assert after["card"]["version"] == 2
    assert after["card"]["last_attempt"]["result"] == "kept_old"
    assert "accuracy 0.915 vs 0.92" in after["card"]["last_attempt"]["reason"]
    today = datetime.now(timezone.utc).date().isoformat()
    assert f"the last retrain ({today}) kept the old model" in after["summary"]


def test_a_failed_training_is_recorded_and_the_next_gate_run_says_so(
    origin: Path, tmp_path: Path, github: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    gate_run(origin, tmp_path, capsys, "--dispatch")

    runs = retraining_run(
        origin, tmp_path, dispatched_inputs(github), train="exit 1", run_id="9003"
    )
    finish(github)  # the run is over: GitHub lists it completed

    assert statuses(runs) == {
        "Train": "failure",
        "Promote the candidate, or keep the current model": "skipped",
        "Record the model card": "skipped",
        "Record the failure": "success",
        "Commit the model card": "success",
    }, [(r.name, r.stderr) for r in runs]
    failed = origin_card(origin, tmp_path)
    assert "version" not in failed
    assert failed["last_attempt"]["result"] == "failed"
    after = gate_run(origin, tmp_path, capsys)
    assert after["card"]["last_attempt"]["result"] == "failed"
    assert "https://github.com/o/r/actions/runs/9003" in after["card"]["last_attempt"]["reason"]
    assert "the last retrain" in after["summary"] and after["summary"].endswith("failed")

"""The composite action, run step by step as a runner would run it.

Each `run:` step of action.yml is executed with bash as the runner does (`bash --noprofile
--norc -eo pipefail`), with the runner's variables (GITHUB_OUTPUT and GITHUB_STEP_SUMMARY, a
fresh file per step; GITHUB_ACTION_PATH, GITHUB_WORKSPACE, RUNNER_TEMP...) and the step's `env:`
after a small evaluator has replaced the `${{ ... }}` expressions the action uses. The
`actions/setup-python` step is the one step not run: its job (a Python on PATH) is done by a
virtual environment made here. The install step really installs the package from a copy of
the action's folder, offline: pip is told so through its own environment variables.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from retrain_gate.cli import main
from tests.conftest import EXAMPLES, commit, daily_csv, git, write
from tests.fakegithub import FakeGitHub
from tests.test_report_github import parse_outputs

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
TOKEN = "ghs_test0123456789abcdefTOKEN"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")


def load_action() -> dict[str, Any]:
    data = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def evaluate(text: str, context: Mapping[str, Mapping[str, str]]) -> str:
    """`${{ inputs.x }}`, `${{ github.x }}`, `${{ steps.id.outputs.x }}`: all action.yml uses.

    Anything else is refused, so an expression added to action.yml must be added here too."""

    def value(match: re.Match[str]) -> str:
        expression = match.group(1)
        parts = expression.split(".")
        if len(parts) == 2 and parts[0] in ("inputs", "github"):
            return context[parts[0]].get(parts[1], "")
        if len(parts) == 4 and parts[0] == "steps" and parts[2] == "outputs":
            return context["steps"].get(f"{parts[1]}.{parts[3]}", "")
        raise AssertionError(f"the test's evaluator does not know ${{{{ {expression} }}}}")

    return EXPRESSION.sub(value, text)


@dataclass
class Run:
    """What a run of the action left: each step's exit code, stdout, outputs and summary."""

    codes: dict[str, int]
    stdout: dict[str, str]
    stderr: dict[str, str]
    step_outputs: dict[str, dict[str, str]]
    summaries: dict[str, str]
    outputs: dict[str, str]  # the action's outputs, mapped from its steps'


@pytest.fixture(scope="module")
def python_on_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What setup-python leaves: a Python on PATH. A fresh venv without pip of its own that
    sees this environment's packages (pip, setuptools, the action's dependencies) through a
    .pth file, so the install step installs only the action's package, into the venv."""
    folder = tmp_path_factory.mktemp("python")
    venv.EnvBuilder(with_pip=False).create(folder)
    paths = dict.fromkeys((sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]))
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site_packages = folder / "lib" / version / "site-packages"
    (site_packages / "test_parent_environment.pth").write_text("\n".join(paths) + "\n")
    return folder / "bin"


@pytest.fixture
def action_path(tmp_path: Path) -> Path:
    """The action as the runner checks it out: action.yml and the package's sources."""
    folder = tmp_path / "_actions" / "retrain-gate"
    folder.mkdir(parents=True)
    for name in ("action.yml", "pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, folder / name)
    shutil.copytree(
        ROOT / "retrain_gate",
        folder / "retrain_gate",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    return folder


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """The caller's checkout: the bundled example under a folder whose name has a space."""
    folder = tmp_path / "work" / "repo"
    shutil.copytree(EXAMPLES, folder / "my examples")
    return folder


def run_action(
    inputs: Mapping[str, str],
    *,
    action_path: Path,
    workspace: Path,
    python_bin: Path,
    tmp_path: Path,
    extra_env: Mapping[str, str] | None = None,
) -> Run:
    action = load_action()
    declared = action["inputs"]
    assert set(inputs) <= set(declared), "an input action.yml does not declare"
    github = {"action_path": str(action_path), "token": TOKEN, "workspace": str(workspace)}
    given = {
        name: inputs.get(name, evaluate(str(spec.get("default", "")), {"github": github}))
        for name, spec in declared.items()
    }
    context: dict[str, dict[str, str]] = {"inputs": given, "github": github, "steps": {}}
    runner_temp = tmp_path / "runner_temp"
    runner_temp.mkdir(exist_ok=True)
    base_env = {
        "PATH": f"{python_bin}{os.pathsep}{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "LANG": "C.UTF-8",
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ACTION_PATH": str(action_path),
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_RUN_ATTEMPT": "1",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REF_NAME": "main",
        "NO_COLOR": "1",
        # pip, offline: no index, and the build backend of this environment
        "PIP_NO_INDEX": "1",
        "PIP_NO_BUILD_ISOLATION": "0",  # pip's spelling of --no-build-isolation
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        **(extra_env or {}),
    }
    run = Run({}, {}, {}, {}, {}, {})
    for index, step in enumerate(action["runs"]["steps"]):
        key = step.get("id") or f"step{index}"
        if "uses" in step:
            assert step["uses"].startswith("actions/setup-python@"), step["uses"]
            # setup-python hashes cache-dependency-path inside the workspace only: the key
            # file must be there (and be this action's own pyproject.toml) when it runs
            with_ = {k: evaluate(str(v), context) for k, v in step.get("with", {}).items()}
            key_file = (workspace / with_["cache-dependency-path"]).resolve()
            assert key_file.is_relative_to(workspace.resolve()), key_file
            assert key_file.read_bytes() == (action_path / "pyproject.toml").read_bytes()
            continue  # its work, a Python on PATH, is python_bin
        script = step["run"]
        assert "${{" not in script, f"an expression inside the run script of {step['name']!r}"
        assert step["shell"] == "bash"
        files = tmp_path / "runner" / key
        files.mkdir(parents=True)
        output, summary = files / "output", files / "summary"
        output.touch()
        summary.touch()
        env = {
            **base_env,
            **{name: evaluate(str(v), context) for name, v in step.get("env", {}).items()},
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
        }
        cwd = workspace / evaluate(str(step.get("working-directory", ".")), context)
        (files / "script.sh").write_text(script, encoding="utf-8")
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(files / "script.sh")],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        run.codes[key] = done.returncode
        run.stdout[key] = done.stdout
        run.stderr[key] = done.stderr
        run.step_outputs[key] = parse_outputs(output.read_text(encoding="utf-8"))
        run.summaries[key] = summary.read_text(encoding="utf-8")
        for name, value in run.step_outputs[key].items():
            context["steps"][f"{key}.{name}"] = value
        if done.returncode != 0:
            break  # the runner stops at a failed step
    run.outputs = {
        name: evaluate(str(spec["value"]), context) for name, spec in action["outputs"].items()
    }
    return run


def test_the_action_in_dry_run_on_the_examples(
    action_path: Path,
    workspace: Path,
    python_on_path: Path,
    tmp_path: Path,
    fake_github: FakeGitHub,
) -> None:
    run = run_action(
        {"config": "my examples/retrain-gate.yml", "dry-run": "true"},
        action_path=action_path,
        workspace=workspace,
        python_bin=python_on_path,
        tmp_path=tmp_path,
        extra_env={"RETRAIN_GATE_NOW": "2026-11-28", "GITHUB_API_URL": fake_github.url},
    )
    assert run.codes == {"step0": 0, "step1": 0, "step3": 0, "gate": 0}, run.stderr
    # the token is masked before any other step runs
    assert run.stdout["step0"] == f"::add-mask::{TOKEN}\n"
    # installed from the action's folder, into the Python on PATH
    installed = subprocess.run(
        [str(python_on_path / "python"), "-c", "import retrain_gate; print(retrain_gate.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert installed.startswith(str(python_on_path.parent))
    # the pip cache key file was only lent to setup-python: nothing is left in the workspace
    assert not (workspace / ".retrain-gate-pip-key").exists()

    outputs = run.outputs
    assert outputs["decision"] == "retrain"
    assert outputs["retrain"] == "true"
    assert outputs["reasons"].startswith("churn: retrain (accuracy-floor, accuracy-drop,")
    assert outputs["reasons"].endswith("fraud: skip (no trigger fired, 3 quiet)")
    assert outputs["run-url"] == ""  # a dry run starts nothing
    report = json.loads(Path(outputs["report"]).read_text(encoding="utf-8"))
    assert report["decision"] == "retrain"
    assert report["now"].startswith("2026-11-28")
    churn = report["models"][0]
    assert churn["model"] == "churn"
    assert churn["dispatch"]["status"] == "dry-run"
    assert churn["dispatch"]["body"]["inputs"]["model"] == "churn"
    assert churn["dispatch"]["body"]["inputs"]["gate_run_url"] == (
        "https://github.com/o/r/actions/runs/4242"
    )
    models = json.loads(outputs["models"])
    assert [(m["model"], m["decision"], m["dispatch"]) for m in models] == [
        ("churn", "retrain", "dry-run"),
        ("fraud", "skip", "not-needed"),
    ]
    # the report files live under RUNNER_TEMP, the job summary is the same Markdown
    assert Path(outputs["summary"]).is_relative_to(tmp_path / "runner_temp")
    summary = run.summaries["gate"]
    assert summary == Path(outputs["summary"]).read_text(encoding="utf-8")
    # a dry run says so first, not "RETRAIN" as if a retraining had started
    assert summary.splitlines()[0] == (
        "## 🧪 retrain-gate DRY RUN: would RETRAIN (1 retrain, 1 skip); nothing was sent"
    )
    assert "| accuracy-floor | trigger · threshold | 0.858 | &lt; 0.87 | 🔥 fired |" in summary
    assert (
        "**Dispatch:** dry-run: would start retrain.yml on main (POST "
        "/repos/o/r/actions/workflows/retrain.yml/dispatches); nothing sent (guards not checked)"
    ) in summary
    # the request it would send, folded under the line
    assert (
        '<details><summary>the request it would send</summary>\n\n```json\n{\n  "ref": "main"'
        in summary
    )
    assert re.search(r"```mermaid\n%%\{init: .*\}%%\nxychart-beta\n", summary)
    # annotations point at the config's lines, relative to the workspace
    assert (
        "::warning file=my examples/retrain-gate.yml,line=19,title=retrain-gate%3A "
        "churn/accuracy-floor fired::accuracy 0.862, 0.858 < 0.87"
    ) in run.stdout["gate"]
    assert fake_github.requests == []  # a dry run sends nothing, not even a read


def test_the_action_dispatches_and_reports_the_run_url(
    action_path: Path,
    workspace: Path,
    python_on_path: Path,
    tmp_path: Path,
    fake_github: FakeGitHub,
) -> None:
    run = run_action(
        {"config": "my examples/retrain-gate.yml", "model": "churn"},
        action_path=action_path,
        workspace=workspace,
        python_bin=python_on_path,
        tmp_path=tmp_path,
        extra_env={"RETRAIN_GATE_NOW": "2026-11-28", "GITHUB_API_URL": fake_github.url},
    )
    assert run.codes["gate"] == 0, run.stderr["gate"]
    dispatches = fake_github.received("POST", "/repos/o/r/actions/workflows/retrain.yml/dispatches")
    assert len(dispatches) == 1
    request = dispatches[0]
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.body["inputs"]["model"] == "churn"  # type: ignore[index]
    assert run.outputs["decision"] == "retrain"
    run_url = run.outputs["run-url"]
    assert re.fullmatch(r"https://github\.com/o/r/actions/runs/\d+", run_url), run_url
    assert json.loads(run.outputs["models"]) == [
        {
            "model": "churn",
            "decision": "retrain",
            "reasons": json.loads(Path(run.outputs["report"]).read_text(encoding="utf-8"))[
                "models"
            ][0]["summary"],
            "dispatch": "dispatched",
            "run_url": run_url,
        }
    ]
    assert TOKEN not in run.stdout["gate"] + run.stderr["gate"] + run.summaries["gate"]


def test_model_names_split_on_commas_and_lines_and_all_means_every_model(
    action_path: Path,
    workspace: Path,
    python_on_path: Path,
    tmp_path: Path,
) -> None:
    run = run_action(
        {
            "config": "retrain-gate.yml",
            "working-directory": "my examples",
            "dry-run": "true",
            "model": " fraud ,\n",
        },
        action_path=action_path,
        workspace=workspace,
        python_bin=python_on_path,
        tmp_path=tmp_path,
        extra_env={"RETRAIN_GATE_NOW": "2026-11-28"},
    )
    assert run.codes["gate"] == 0, run.stderr["gate"]
    assert run.outputs["decision"] == "skip"
    assert run.outputs["retrain"] == "false"
    assert [m["model"] for m in json.loads(run.outputs["models"])] == ["fraud"]


def test_fail_on_fails_the_step_and_keeps_the_outputs(
    action_path: Path,
    workspace: Path,
    python_on_path: Path,
    tmp_path: Path,
) -> None:
    run = run_action(
        {"config": "my examples/retrain-gate.yml", "dry-run": "true", "fail-on": "retrain"},
        action_path=action_path,
        workspace=workspace,
        python_bin=python_on_path,
        tmp_path=tmp_path,
        extra_env={"RETRAIN_GATE_NOW": "2026-11-28"},
    )
    assert run.codes["gate"] == 1
    assert run.outputs["decision"] == "retrain"
    assert run.summaries["gate"].startswith("## 🧪 retrain-gate DRY RUN: would RETRAIN")


def test_a_boolean_input_that_is_not_true_or_false_stops_the_step(
    action_path: Path,
    workspace: Path,
    python_on_path: Path,
    tmp_path: Path,
) -> None:
    run = run_action(
        {"config": "my examples/retrain-gate.yml", "dry-run": "yes"},
        action_path=action_path,
        workspace=workspace,
        python_bin=python_on_path,
        tmp_path=tmp_path,
    )
    assert run.codes["gate"] == 2
    assert (
        "::error title=retrain-gate::input dry-run must be true or false, not 'yes'"
        in (run.stderr["gate"])
    )
    assert run.step_outputs["gate"] == {} and run.summaries["gate"] == ""


def test_action_yml_pins_actions_by_sha_and_keeps_expressions_out_of_scripts() -> None:
    action = load_action()
    text = ACTION.read_text(encoding="utf-8")
    for step in action["runs"]["steps"]:
        if "uses" in step:
            assert PINNED.match(step["uses"]), step["uses"]
            assert re.search(re.escape(step["uses"]) + r" # v\d+\.\d+\.\d+\n", text)
        else:
            assert "${{" not in step["run"]
    assert action["runs"]["using"] == "composite"
    assert set(action["outputs"]) >= {"decision", "retrain", "reasons", "report", "run-url"}
    assert action["inputs"]["token"]["default"] == "${{ github.token }}"
    assert action["inputs"]["model"]["default"] == "all"
    assert action["branding"]["icon"] and action["branding"]["color"]


def load_workflow(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_example_retraining_workflow_declares_every_input_the_gate_sends(
    action_path: Path, workspace: Path, python_on_path: Path, tmp_path: Path
) -> None:
    run = run_action(
        {"config": "my examples/retrain-gate.yml", "dry-run": "true"},
        action_path=action_path,
        workspace=workspace,
        python_bin=python_on_path,
        tmp_path=tmp_path,
        extra_env={"RETRAIN_GATE_NOW": "2026-11-28"},
    )
    report = json.loads(Path(run.outputs["report"]).read_text(encoding="utf-8"))
    sent = report["models"][0]["dispatch"]["body"]
    assert report["models"][0]["dispatch"]["url"].endswith("/workflows/retrain.yml/dispatches")
    retrain = load_workflow(EXAMPLES / "workflows" / "retrain.yml")
    trigger = retrain.get("on", retrain.get(True))  # YAML 1.1 reads a bare `on` as true
    declared = trigger["workflow_dispatch"]["inputs"]
    assert set(sent["inputs"]) == set(declared)  # GitHub answers 422 to an undeclared input
    assert all(isinstance(value, str) for value in sent["inputs"].values())


def test_the_workflows_use_only_the_inputs_and_outputs_the_action_has() -> None:
    action = load_action()
    for path in (ROOT / ".github/workflows/self-test.yml", EXAMPLES / "workflows/retrain-gate.yml"):
        text = path.read_text(encoding="utf-8")
        steps = [s for job in load_workflow(path)["jobs"].values() for s in job["steps"]]
        gate = next(s for s in steps if s.get("id") == "gate")
        assert gate["uses"] == "./" or gate["uses"].endswith("/retrain-gate@v1")
        assert set(gate.get("with", {})) <= set(action["inputs"]), path
        used = set(re.findall(r"steps\.gate\.outputs\.([\w-]+)", text))
        assert used and used <= set(action["outputs"]), path


# -- the pull-request check (mode pr-check) --------------------------------------------------

# 10 good days, then 5 at 0.88: under the raised threshold (0.9), not under the old one (0.87)
PR_METRICS = daily_csv({"accuracy": [0.93] * 10 + [0.88] * 5})
PR_CONFIG = """\
version: 1
models:
  churn:
    metrics: {path: metrics/churn.csv, time: date}
    triggers:
      - {name: accuracy-floor, metric: accuracy, below: 0.87}
"""
PR_NOW = "2026-11-16"  # the day after the last observation


def pull_request_checkout(tmp_path: Path, head_config: str) -> tuple[Path, str]:
    """What actions/checkout leaves on a pull_request event with its default depth: only the
    pull request's head commit, the base branch not fetched. `origin` is a bare repository
    reached through file://, with no credentials. Returns the checkout and main's commit."""
    origin = tmp_path / "origin.git"
    author = tmp_path / "author"
    author.mkdir()
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    git(author, "init", "-q", "-b", "main")
    main = commit(
        author, {"metrics/churn.csv": PR_METRICS, "retrain-gate.yml": PR_CONFIG}, "base rules"
    )
    git(author, "remote", "add", "origin", f"file://{origin}")
    git(author, "push", "-q", "origin", "main")
    git(author, "checkout", "-q", "-b", "feature")
    commit(author, {"retrain-gate.yml": head_config}, "the pull request's change")
    git(author, "push", "-q", "origin", "feature")
    checkout = tmp_path / "work" / "repo"
    git(
        tmp_path,
        "clone",
        "-q",
        "--depth=1",
        "--branch",
        "feature",
        "--single-branch",
        f"file://{origin}",
        str(checkout),
    )
    assert "origin/main" not in git(checkout, "branch", "-r")
    return checkout, main


PR_ENV = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "main"}


def test_pr_check_on_a_raised_threshold_shows_old_and_new_and_needs_no_token(
    action_path: Path, python_on_path: Path, tmp_path: Path, fake_github: FakeGitHub
) -> None:
    checkout, main = pull_request_checkout(tmp_path, PR_CONFIG.replace("0.87", "0.9"))
    run = run_action(
        {"token": ""},  # mode auto: pr-check from the event
        action_path=action_path,
        workspace=checkout,
        python_bin=python_on_path,
        tmp_path=tmp_path,
        extra_env={**PR_ENV, "RETRAIN_GATE_NOW": PR_NOW, "GITHUB_API_URL": fake_github.url},
    )
    assert run.codes == {"step0": 0, "step1": 0, "step3": 0, "gate": 0}, run.stderr
    assert run.stdout["step0"] == ""  # no token, nothing to mask, and no failure for it
    assert fake_github.requests == []  # the check reads git and files only
    assert "retrain-gate: mode pr-check\n" in run.stdout["gate"]

    assert run.outputs["changed"] == "true"
    assert run.outputs["decision"] == "retrain"  # today, under the pull request's config
    assert run.outputs["retrain"] == "" and run.outputs["run-url"] == ""
    report = json.loads(Path(run.outputs["report"]).read_text(encoding="utf-8"))
    assert report["kind"] == "diff" and report["changed"] is True
    # the base branch was fetched from origin (the checkout had only the head commit)
    assert report["base"]["ref"] == "origin/main"
    assert report["base"]["commit"] == main
    [churn] = report["models"]
    assert churn["today"] == {"old": "skip", "new": "retrain"}
    assert [(d["day"], d["old"], d["new"]) for d in churn["backtest"]["changed_days"]] == [
        (f"2026-11-{day}", "skip", "retrain") for day in range(11, 16)
    ]

    # the job summary: the Markdown report under RUNNER_TEMP, appended to the step summary
    summary_file = Path(run.outputs["summary"])
    assert summary_file.is_relative_to(tmp_path / "runner_temp")
    summary = run.summaries["gate"]
    assert summary == summary_file.read_text(encoding="utf-8")
    lines = summary.splitlines()
    assert lines[0] == "## retrain-gate diff: `retrain-gate.yml@origin/main` → `retrain-gate.yml`"
    assert lines[2] == (
        "**Decisions change** — churn: 5 of 15 replayed days decide differently; "
        "today skip → retrain."
    )
    assert "| trigger `accuracy-floor` | changed: below: 0.87 → 0.9 |" in lines
    assert "| churn | changed | skip → retrain | 0 → 5 | 0 → 0 | never → 2026-11-11 | 5 |" in lines
    assert "old 2026-11 ..............." in lines
    assert "new 2026-11 ..........RRRRR" in lines
    assert "| 2026-11-11 | skip | retrain | accuracy-floor |" in lines


def test_pr_check_with_fail_on_change_fails_the_step_and_keeps_the_outputs(
    action_path: Path, python_on_path: Path, tmp_path: Path
) -> None:
    checkout, _ = pull_request_checkout(tmp_path, PR_CONFIG.replace("0.87", "0.9"))
    run = run_action(
        {"fail-on-change": "true"},
        action_path=action_path,
        workspace=checkout,
        python_bin=python_on_path,
        tmp_path=tmp_path,
        extra_env={**PR_ENV, "RETRAIN_GATE_NOW": PR_NOW},
    )
    assert run.codes["gate"] == 1
    assert run.outputs["changed"] == "true"
    assert run.summaries["gate"].startswith("## retrain-gate diff:")


def test_pr_check_on_an_invalid_config_fails_with_an_annotation_at_its_line(
    action_path: Path, python_on_path: Path, tmp_path: Path, fake_github: FakeGitHub
) -> None:
    broken = PR_CONFIG.replace("below: 0.87", "belw: 0.9")
    checkout, _ = pull_request_checkout(tmp_path, broken)
    run = run_action(
        {"mode": "pr-check", "token": ""},
        action_path=action_path,
        workspace=checkout,
        python_bin=python_on_path,
        tmp_path=tmp_path,
        extra_env={**PR_ENV, "RETRAIN_GATE_NOW": PR_NOW, "GITHUB_API_URL": fake_github.url},
    )
    assert run.codes["gate"] == 2
    column = broken.splitlines()[5].index("belw") + 1
    assert (
        f"::error file=retrain-gate.yml,line=6,col={column},title=retrain-gate config::"
        "unknown key 'belw' in models.churn.triggers[0] (did you mean 'below'?)\n"
    ) in run.stdout["gate"]
    assert run.stderr["gate"].startswith(
        f"retrain-gate: error: retrain-gate.yml:6:{column}: unknown key 'belw'"
    )
    assert run.step_outputs["gate"] == {} and run.summaries["gate"] == ""
    assert fake_github.requests == []


@pytest.mark.parametrize(
    ("mode", "event", "message"),
    [
        (
            "auto",
            "pull_request_target",
            "::error title=retrain-gate::mode auto does not run on pull_request_target:",
        ),
        ("pr_check", "pull_request", "input mode must be auto, gate or pr-check, not 'pr_check'"),
    ],
)
def test_a_mode_that_is_not_chosen_plainly_stops_the_step(
    mode: str,
    event: str,
    message: str,
    action_path: Path,
    workspace: Path,
    python_on_path: Path,
    tmp_path: Path,
) -> None:
    run = run_action(
        {"mode": mode, "config": "my examples/retrain-gate.yml", "dry-run": "true"},
        action_path=action_path,
        workspace=workspace,
        python_bin=python_on_path,
        tmp_path=tmp_path,
        extra_env={"GITHUB_EVENT_NAME": event, "GITHUB_BASE_REF": "main"},
    )
    assert run.codes["gate"] == 2
    assert message in run.stderr["gate"]
    assert run.step_outputs["gate"] == {} and run.summaries["gate"] == ""


def test_an_invalid_config_is_an_annotation_only_on_github(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The error handler of every command: `check` too, and JSON on stdout stays JSON."""
    write(tmp_path, {"retrain-gate.yml": PR_CONFIG.replace("version: 1", "version: 7")})
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("retrain-gate: error: retrain-gate.yml:1:")

    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path.parent))
    assert main(["check"]) == 2
    captured = capsys.readouterr()
    [annotation] = captured.out.splitlines()
    location = f"file={tmp_path.name}/retrain-gate.yml,line=1,"
    assert annotation.startswith(f"::error {location}")
    assert ",title=retrain-gate config::" in annotation

    assert main(["check", "--format", "json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"::error {location}" in captured.err


def test_the_example_pr_check_workflow_is_read_only_and_runs_the_pr_check() -> None:
    path = EXAMPLES / "workflows" / "pr-check.yml"
    workflow = load_workflow(path)
    trigger = workflow.get("on", workflow.get(True))
    assert set(trigger) == {"pull_request"}
    assert set(trigger["pull_request"]["paths"]) >= {
        "retrain-gate.yml",
        ".github/retrain-gate.yml",
        "metrics/**",
        "models/**",
    }
    assert workflow["permissions"] == {"contents": "read"}
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    assert all("permissions" not in job for job in workflow["jobs"].values())
    checkout = steps[0]
    assert checkout["uses"].startswith("actions/checkout@") and PINNED.match(checkout["uses"])
    assert checkout["with"] == {"persist-credentials": False, "fetch-depth": 0}
    gate = next(s for s in steps if s.get("id") == "gate")
    assert gate["uses"].endswith("/retrain-gate@v1")
    assert gate["with"]["mode"] == "pr-check"
    assert "token" not in gate["with"]
    action = load_action()
    assert set(gate["with"]) <= set(action["inputs"])
    used = set(re.findall(r"steps\.gate\.outputs\.([\w-]+)", path.read_text(encoding="utf-8")))
    assert used == {"changed", "decision"} and used <= set(action["outputs"])
    assert all("${{" not in s["run"] for s in steps if "run" in s)

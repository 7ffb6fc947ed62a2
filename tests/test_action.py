"""The composite action, run step by step as a runner would run it.

Each `run:` step of action.yml is executed with bash as the runner does (`bash --noprofile
--norc -eo pipefail`), with the runner's variables (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
GITHUB_ENV and GITHUB_PATH, a fresh file per step, the last two applied to the steps after it
as the runner applies them; GITHUB_ACTION_PATH, GITHUB_WORKSPACE, RUNNER_TEMP...) and the
step's `env:` after a small evaluator has replaced the `${{ ... }}` expressions the action
uses. The `actions/setup-python` step is the one step not run: with `update-environment: false`
its work is an output, the path of a Python, here this interpreter's. The install step really
makes the action's venv and installs requirements/action.txt with its hashes, offline, from a
wheelhouse of exactly those wheels (.ci/run downloads it, see WHEELHOUSE below).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from retrain_gate import __version__
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
    env_files: dict[str, str]  # what each step wrote to GITHUB_ENV and GITHUB_PATH
    job_before: str  # what a step of the job sees of PATH and `python` before the action
    job_after: str  # and after it


# A later step of the user's job: where `python` is, which interpreter it is, and the PATH.
JOB_PROBE = 'command -v python; python -c "import sys; print(sys.executable)"; echo "$PATH"'


def runner_files(text: str) -> list[tuple[str, str]]:
    """NAME=value lines and NAME<<DELIMITER blocks, as GITHUB_ENV holds them."""
    pairs, lines = [], iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block = []
            for inner in lines:
                if inner == delimiter:
                    break
                block.append(inner)
            pairs.append((name, "\n".join(block)))
        elif line:
            name, value = line.split("=", 1)
            pairs.append((name, value))
    return pairs


def probe(env: Mapping[str, str], cwd: Path) -> str:
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", JOB_PROBE],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


# The wheels of requirements/action.txt for this Python and platform, made by
#   python -m pip download --no-deps --require-hashes -r requirements/action.txt -d .ci-wheelhouse
# (.ci/run does it before the tests; without it, outside CI, the action's tests are skipped).
WHEELHOUSE = Path(os.environ.get("RETRAIN_GATE_WHEELHOUSE", ROOT / ".ci-wheelhouse"))


@pytest.fixture(scope="module")
def wheelhouse() -> Path:
    if not any(WHEELHOUSE.glob("*.whl")):
        message = f"no wheelhouse for the action's install at {WHEELHOUSE} (see WHEELHOUSE)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return WHEELHOUSE


def copy_action(folder: Path) -> Path:
    """The action as the runner checks it out: action.yml, the lock file, the package."""
    folder.mkdir(parents=True)
    for name in ("action.yml", "pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, folder / name)
    for name in ("retrain_gate", "requirements"):
        shutil.copytree(
            ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    return folder


@pytest.fixture(scope="module")
def action_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_action(tmp_path_factory.mktemp("_actions") / "retrain-gate")


@pytest.fixture(scope="module")
def runner_temp(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path) -> Path:
    """One RUNNER_TEMP for the module's runs, as for several uses of the action in one job:
    the first run makes the action's venv, the others take it (see the install step)."""
    return tmp_path_factory.mktemp("runner_temp")


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
    runner_temp: Path,
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
    job_env = {
        # the job's own PATH: this interpreter's folder first, as setup-python would leave it
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
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
        # pip, offline: no configuration of this machine's, no index, only the wheelhouse
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(WHEELHOUSE),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        **(extra_env or {}),
    }
    before = probe(job_env, workspace)
    run = Run({}, {}, {}, {}, {}, {}, {}, before, "")
    for index, step in enumerate(action["runs"]["steps"]):
        key = step.get("id") or f"step{index}"
        if "uses" in step:
            assert step["uses"].startswith("actions/setup-python@"), step["uses"]
            with_ = {k: evaluate(str(v), context) for k, v in step.get("with", {}).items()}
            # it must not touch the job's environment, and says where its Python is
            assert with_["update-environment"].lower() == "false"
            assert with_["python-version"] == given["python-version"]
            # its pip cache is keyed on the lock file, which must be in the workspace then
            assert with_["cache"] in ("pip", "")
            key_file = (workspace / with_["cache-dependency-path"]).resolve()
            assert key_file.is_relative_to(workspace.resolve()), key_file
            lock = action_path / "requirements" / "action.txt"
            assert key_file.read_bytes() == lock.read_bytes()
            context["steps"][f"{key}.python-path"] = sys.executable
            continue
        script = step["run"]
        assert "${{" not in script, f"an expression inside the run script of {step['name']!r}"
        assert step["shell"] == "bash"
        files = tmp_path / "runner" / key
        files.mkdir(parents=True)
        output, summary = files / "output", files / "summary"
        env_file, path_file = files / "env", files / "path"
        for name in (output, summary, env_file, path_file):
            name.touch()
        env = {
            **job_env,
            **{name: evaluate(str(v), context) for name, v in step.get("env", {}).items()},
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_ENV": str(env_file),
            "GITHUB_PATH": str(path_file),
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
        run.env_files[key] = env_file.read_text(encoding="utf-8") + path_file.read_text(
            encoding="utf-8"
        )
        # what the runner does with them for the later steps of the job
        job_env.update(runner_files(env_file.read_text(encoding="utf-8")))
        for folder in reversed(path_file.read_text(encoding="utf-8").splitlines()):
            job_env["PATH"] = f"{folder}{os.pathsep}{job_env['PATH']}"
        for name, value in run.step_outputs[key].items():
            context["steps"][f"{key}.{name}"] = value
        if done.returncode != 0:
            break  # the runner stops at a failed step
    run.outputs = {
        name: evaluate(str(spec["value"]), context) for name, spec in action["outputs"].items()
    }
    run.job_after = probe(job_env, workspace)
    return run


def test_the_action_in_dry_run_on_the_examples(
    action_path: Path,
    workspace: Path,
    runner_temp: Path,
    tmp_path: Path,
    fake_github: FakeGitHub,
) -> None:
    run = run_action(
        {"config": "my examples/retrain-gate.yml", "dry-run": "true"},
        action_path=action_path,
        workspace=workspace,
        runner_temp=runner_temp,
        tmp_path=tmp_path,
        extra_env={"RETRAIN_GATE_NOW": "2026-11-28", "GITHUB_API_URL": fake_github.url},
    )
    assert run.codes == {"step0": 0, "key": 0, "install": 0, "gate": 0}, run.stderr
    # the token is masked before any other step runs
    assert run.stdout["step0"] == f"::add-mask::{TOKEN}\n"
    # the gate ran from the action's own venv; the job's PATH and `python` are as they were
    assert Path(run.step_outputs["install"]["python"]).is_relative_to(runner_temp)
    assert run.job_after == run.job_before
    assert all(text == "" for text in run.env_files.values()), run.env_files
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
    assert Path(outputs["summary"]).is_relative_to(runner_temp)
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
    runner_temp: Path,
    tmp_path: Path,
    fake_github: FakeGitHub,
) -> None:
    run = run_action(
        {"config": "my examples/retrain-gate.yml", "model": "churn"},
        action_path=action_path,
        workspace=workspace,
        runner_temp=runner_temp,
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
    runner_temp: Path,
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
        runner_temp=runner_temp,
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
    runner_temp: Path,
    tmp_path: Path,
) -> None:
    run = run_action(
        {"config": "my examples/retrain-gate.yml", "dry-run": "true", "fail-on": "retrain"},
        action_path=action_path,
        workspace=workspace,
        runner_temp=runner_temp,
        tmp_path=tmp_path,
        extra_env={"RETRAIN_GATE_NOW": "2026-11-28"},
    )
    assert run.codes["gate"] == 1
    assert run.outputs["decision"] == "retrain"
    assert run.summaries["gate"].startswith("## 🧪 retrain-gate DRY RUN: would RETRAIN")


def test_a_boolean_input_that_is_not_true_or_false_stops_the_step(
    action_path: Path,
    workspace: Path,
    runner_temp: Path,
    tmp_path: Path,
) -> None:
    run = run_action(
        {"config": "my examples/retrain-gate.yml", "dry-run": "yes"},
        action_path=action_path,
        workspace=workspace,
        runner_temp=runner_temp,
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
    action_path: Path, workspace: Path, runner_temp: Path, tmp_path: Path
) -> None:
    run = run_action(
        {"config": "my examples/retrain-gate.yml", "dry-run": "true"},
        action_path=action_path,
        workspace=workspace,
        runner_temp=runner_temp,
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
    action_path: Path, runner_temp: Path, tmp_path: Path, fake_github: FakeGitHub
) -> None:
    checkout, main = pull_request_checkout(tmp_path, PR_CONFIG.replace("0.87", "0.9"))
    run = run_action(
        {"token": ""},  # mode auto: pr-check from the event
        action_path=action_path,
        workspace=checkout,
        runner_temp=runner_temp,
        tmp_path=tmp_path,
        extra_env={**PR_ENV, "RETRAIN_GATE_NOW": PR_NOW, "GITHUB_API_URL": fake_github.url},
    )
    assert run.codes == {"step0": 0, "key": 0, "install": 0, "gate": 0}, run.stderr
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
    assert summary_file.is_relative_to(runner_temp)
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
    action_path: Path, runner_temp: Path, tmp_path: Path
) -> None:
    checkout, _ = pull_request_checkout(tmp_path, PR_CONFIG.replace("0.87", "0.9"))
    run = run_action(
        {"fail-on-change": "true"},
        action_path=action_path,
        workspace=checkout,
        runner_temp=runner_temp,
        tmp_path=tmp_path,
        extra_env={**PR_ENV, "RETRAIN_GATE_NOW": PR_NOW},
    )
    assert run.codes["gate"] == 1
    assert run.outputs["changed"] == "true"
    assert run.summaries["gate"].startswith("## retrain-gate diff:")


def test_pr_check_on_an_invalid_config_fails_with_an_annotation_at_its_line(
    action_path: Path, runner_temp: Path, tmp_path: Path, fake_github: FakeGitHub
) -> None:
    broken = PR_CONFIG.replace("below: 0.87", "belw: 0.9")
    checkout, _ = pull_request_checkout(tmp_path, broken)
    run = run_action(
        {"mode": "pr-check", "token": ""},
        action_path=action_path,
        workspace=checkout,
        runner_temp=runner_temp,
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
    runner_temp: Path,
    tmp_path: Path,
) -> None:
    run = run_action(
        {"mode": mode, "config": "my examples/retrain-gate.yml", "dry-run": "true"},
        action_path=action_path,
        workspace=workspace,
        runner_temp=runner_temp,
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


# -- the action's own virtual environment ------------------------------------------------------


def pins(lock: Path) -> dict[str, str]:
    """name -> version of every requirement line of a lock file (hash lines aside)."""
    found = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith(("#", " ")):
            name, version = line.split(" ", 1)[0].split("==")
            found[name] = version
    return found


def venv_versions(python: str) -> dict[str, str]:
    listed = subprocess.run(
        [python, "-m", "pip", "list", "--format", "json", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PIP_CONFIG_FILE": os.devnull},
    ).stdout
    return {item["name"].lower().replace("_", "-"): item["version"] for item in json.loads(listed)}


def test_the_action_installs_its_pinned_hashed_dependencies_into_a_venv_of_its_own(
    workspace: Path, wheelhouse: Path, tmp_path: Path
) -> None:
    action = copy_action(tmp_path / "_actions" / "retrain-gate")
    runner_temp = tmp_path / "runner_temp"
    runner_temp.mkdir()
    inputs = {"config": "my examples/retrain-gate.yml", "dry-run": "true"}
    env = {"RETRAIN_GATE_NOW": "2026-11-28"}
    run = run_action(
        inputs,
        action_path=action,
        workspace=workspace,
        runner_temp=runner_temp,
        tmp_path=tmp_path,
        extra_env=env,
    )
    assert run.codes == {"step0": 0, "key": 0, "install": 0, "gate": 0}, run.stderr
    assert run.outputs["decision"] == "retrain"
    # the job's `python` and PATH after the action are those from before, and the action
    # asked the runner to change nothing for later steps
    assert run.job_after == run.job_before
    assert run.job_before.splitlines()[1] == sys.executable
    assert all(text == "" for text in run.env_files.values()), run.env_files

    python = run.step_outputs["install"]["python"]
    venv_dir = Path(python).parent.parent
    assert venv_dir.parent == runner_temp
    assert run.stdout["install"] == (
        f"retrain-gate: installed into its own virtual environment, {venv_dir}\n"
    )
    # exactly the lock file's versions, plus the action's package and the venv's own pip
    lock = pins(ROOT / "requirements" / "action.txt")
    applies = {name: v for name, v in lock.items() if name != "typing-extensions"}
    installed = venv_versions(python)
    assert installed.items() >= applies.items()
    assert installed["retrain-gate"] == __version__
    assert set(installed) - set(lock) == {"retrain-gate", "pip"}
    # the job's environment did not get them: the package is found only in the venv
    where = subprocess.run(
        [python, "-c", "import retrain_gate; print(retrain_gate.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert Path(where).is_relative_to(venv_dir)

    # a second use in the same job takes the venv made by the first
    again = run_action(
        inputs,
        action_path=action,
        workspace=workspace,
        runner_temp=runner_temp,
        tmp_path=tmp_path / "again",
        extra_env=env,
    )
    assert again.codes["gate"] == 0, again.stderr
    assert again.stdout["install"] == (
        f"retrain-gate: using the virtual environment made before in this job, {venv_dir}\n"
    )
    assert again.job_after == again.job_before == run.job_before


def test_a_tampered_hash_in_the_lock_file_fails_the_install_with_a_clear_message(
    workspace: Path, wheelhouse: Path, tmp_path: Path
) -> None:
    action = copy_action(tmp_path / "_actions" / "retrain-gate")
    lock = action / "requirements" / "action.txt"
    text = lock.read_text(encoding="utf-8")
    [digest] = re.findall(r"^attrs==.*\n    --hash=sha256:([0-9a-f]{64})$", text, re.MULTILINE)
    tampered = ("0" if digest[0] != "0" else "1") + digest[1:]
    lock.write_text(text.replace(digest, tampered), encoding="utf-8")
    runner_temp = tmp_path / "runner_temp"
    runner_temp.mkdir()
    run = run_action(
        {"config": "my examples/retrain-gate.yml", "dry-run": "true"},
        action_path=action,
        workspace=workspace,
        runner_temp=runner_temp,
        tmp_path=tmp_path,
    )
    assert run.codes == {"step0": 0, "key": 0, "install": 1}  # the gate does not run
    err = run.stderr["install"]
    assert "THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE" in err
    assert f"Expected sha256 {tampered}" in err
    assert err.endswith(
        "::error title=retrain-gate::a dependency downloaded for the action does not match "
        "its hash in requirements/action.txt; it was not installed\n"
    )
    assert run.outputs["decision"] == ""
    assert run.job_after == run.job_before
    # nothing of it was installed: pip checks every hash before it installs any package
    [venv_dir] = runner_temp.glob("retrain-gate-venv-*")
    python = venv_dir / "bin" / "python"
    assert not (venv_dir / "installed").exists()
    left = venv_versions(str(python))
    # what `python -m venv` puts in (setuptools too before Python 3.12), no more
    assert set(left) <= {"pip", "setuptools"}, left
    assert left.get("setuptools") != pins(lock)["setuptools"]


def test_the_lock_file_pins_what_action_in_pins_and_satisfies_pyproject() -> None:
    """requirements/action.txt is generated from action.in (scripts/lock_action.py): the same
    pins, each with at least one hash; and they meet pyproject.toml's dependency ranges."""
    source = {}
    for line in (ROOT / "requirements" / "action.in").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split(";")[0].strip().split("==")
            source[name] = version
    lock_text = (ROOT / "requirements" / "action.txt").read_text(encoding="utf-8")
    assert pins(ROOT / "requirements" / "action.txt") == source
    for name in source:
        block = lock_text.split(f"\n{name}==", 1)[1].split("\n", 1)[1]
        assert block.startswith("    --hash=sha256:"), name
    runtime = [r for r in importlib.metadata.requires("retrain-gate") or [] if ";" not in r]
    assert len(runtime) == 3, runtime
    for dependency in runtime:
        match = re.fullmatch(r"([\w-]+)>=([\d.]+)", dependency)
        assert match, dependency
        name, lowest = match.groups()
        version = source[name.lower()]
        assert tuple(map(int, version.split("."))) >= tuple(map(int, lowest.split("."))), name

"""Run a workflow job's `run:` steps as a GitHub runner would: each step's `env:` with its
`${{ }}` expressions evaluated, a fresh GITHUB_OUTPUT file per step whose outputs later steps
read, GITHUB_STEP_SUMMARY, `if:` conditions, `bash -e`. `uses:` steps are the caller's to do
(the checkout is a `git clone`), and steps may be replaced by id (the training).

Only the expressions the example workflows use are understood; anything else raises, so a
workflow that grows beyond them fails its test instead of being run wrongly.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@dataclass
class StepRun:
    id: str | None
    name: str
    status: str  # success, failure, skipped
    stdout: str
    stderr: str
    outputs: dict[str, str] = field(default_factory=dict)


def parse_outputs(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT's two forms: `name=value` and `name<<DELIMITER` ... `DELIMITER`."""
    outputs: dict[str, str] = {}
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, index + 1)
            outputs[name] = "\n".join(lines[index + 1 : end])
            index = end + 1
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
        index += 1
    return outputs


class Runner:
    def __init__(
        self, *, inputs: Mapping[str, str], github: Mapping[str, str], workdir: Path, temp: Path
    ) -> None:
        self.inputs = dict(inputs)
        self.github = dict(github)
        self.workdir = workdir
        self.temp = temp
        self.steps: dict[str, StepRun] = {}
        self.failed = False

    def value(self, expression: str) -> str:
        options = [part.strip() for part in expression.split("||")]
        for option in options:
            found = self._atom(option)
            if found:
                return found
        return ""

    def _atom(self, text: str) -> str:
        if re.fullmatch(r"'[^']*'", text):
            return text[1:-1]
        parts = text.split(".")
        if parts[0] == "inputs" and len(parts) == 2:
            return self.inputs.get(parts[1], "")
        if parts[0] == "github" and len(parts) == 2:
            return self.github[parts[1]]
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            step = self.steps.get(parts[1])
            return step.outputs.get(parts[3], "") if step else ""
        raise AssertionError(f"the test runner does not know the expression {text!r}")

    def substitute(self, text: object) -> str:
        return _EXPRESSION.sub(lambda m: self.value(m.group(1)), str(text))

    def condition(self, text: str | None) -> bool:
        expression = (text or "success()").strip()
        match = _EXPRESSION.fullmatch(expression)
        expression = match.group(1) if match else expression
        known = {
            "success()": not self.failed,
            "failure()": self.failed,
            "!cancelled()": True,
            "always()": True,
        }
        if expression not in known:
            raise AssertionError(f"the test runner does not know the condition {expression!r}")
        return known[expression]

    def run_job(
        self,
        job: Mapping[str, Any],
        *,
        env: Mapping[str, str],
        replace: Mapping[str, str] = {},
        skip: frozenset[str] = frozenset(),
    ) -> list[StepRun]:
        """Run the job's steps in order; returns each step's run."""
        job_env = {k: self.substitute(v) for k, v in (job.get("env") or {}).items()}
        runs: list[StepRun] = []
        summary = self.temp / "step_summary.md"
        for number, step in enumerate(job["steps"]):
            step_id = step.get("id")
            name = step.get("name") or step.get("uses") or f"step {number}"
            if "uses" in step or step_id in skip:
                continue  # the caller did what it does (the checkout; the install)
            if not self.condition(step.get("if")):
                runs.append(StepRun(step_id, name, "skipped", "", ""))
                continue
            output = self.temp / f"output_{number}"
            output.write_text("", encoding="utf-8")
            script = replace.get(step_id or "", step["run"])
            step_env = {k: self.substitute(v) for k, v in (step.get("env") or {}).items()}
            done = subprocess.run(
                ["bash", "-e", "-c", script],
                cwd=self.workdir,
                env={
                    **env,
                    **job_env,
                    **step_env,
                    "GITHUB_OUTPUT": str(output),
                    "GITHUB_STEP_SUMMARY": str(summary),
                },
                capture_output=True,
                text=True,
                check=False,
            )
            status = "success" if done.returncode == 0 else "failure"
            if status == "failure":
                self.failed = True
            run = StepRun(
                step_id,
                name,
                status,
                done.stdout,
                done.stderr,
                parse_outputs(output.read_text(encoding="utf-8")),
            )
            runs.append(run)
            if step_id:
                self.steps[step_id] = run
        return runs


def runner_env(extra: Mapping[str, str]) -> dict[str, str]:
    """A runner's environment: this Python's scripts (retrain-gate) on PATH, no user git
    config, the GITHUB_* variables given."""
    scripts = str(Path(sys.executable).parent)
    return {
        "PATH": scripts + os.pathsep + os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GITHUB_ACTIONS": "true",
        "NO_COLOR": "1",
        **extra,
    }


def load_job(path: Path, job: str) -> Mapping[str, Any]:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    jobs: Mapping[str, Any] = workflow["jobs"]
    return jobs[job]

"""The runner's side of a report: step outputs, the job summary and annotations.

GitHub's runner reads three channels (docs: "Workflow commands for GitHub Actions"):

- the file named by `GITHUB_OUTPUT`: step outputs, written in the `name<<DELIMITER` form with a
  random delimiter that never occurs in the value, so no value can end early or forge another;
- the file named by `GITHUB_STEP_SUMMARY`: Markdown shown on the run's page, at most 1 MiB per
  step (a larger one is dropped whole), so the report is trimmed, with a note, to fit;
- `::warning ...::` / `::error ...::` lines on stdout: annotations, at most 10 of each level per
  step (the rest are silently hidden), so the 9 most important are shown and a 10th counts the rest.

Nothing here prints: `publish` writes the files and returns the lines for the caller to print.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from retrain_gate.errors import UsageError
from retrain_gate.report.json_report import render_json
from retrain_gate.report.markdown import render_markdown
from retrain_gate.results import ModelResult, Report

# GitHub drops a step summary over 1 MiB (1,048,576 bytes); keep a margin for what other
# tools in the same step may have appended and for the trimming note itself.
SUMMARY_BUDGET = 1_000_000
# per step and level; the rest are hidden without a word, so the last slot says how many
ANNOTATIONS_PER_LEVEL = 10

Level = Literal["warning", "error"]


@dataclass(frozen=True)
class Annotation:
    """One `::warning` / `::error` workflow command."""

    level: Level
    message: str
    title: str | None = None
    file: str | None = None
    line: int | None = None

    def command(self) -> str:
        properties = [
            f"{key}={escape_property(str(value))}"
            for key, value in (("file", self.file), ("line", self.line), ("title", self.title))
            if value is not None
        ]
        head = f"::{self.level}"
        if properties:
            head += " " + ",".join(properties)
        return f"{head}::{escape_data(self.message)}"


@dataclass(frozen=True)
class Published:
    """What `publish` wrote, and the workflow commands the caller must print to stdout."""

    summary_path: Path | None
    report_path: Path | None
    commands: tuple[str, ...]


def escape_data(text: str) -> str:
    """A workflow command's message: `%`, CR and LF are escaped (as @actions/core does)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: also `:` and `,`, which would end it."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_wanted(flag: bool, environ: Mapping[str, str]) -> bool:
    """`--github`, or running on a GitHub Actions runner (which sets GITHUB_ACTIONS=true)."""
    return flag or environ.get("GITHUB_ACTIONS") == "true"


# -- outputs ---------------------------------------------------------------------------------


def one_line(text: str) -> str:
    return " ".join(text.split())


def reasons_line(report: Report) -> str:
    """Every model's decision and why, on one line: `churn: retrain (...); fraud: skip (...)`."""
    return "; ".join(f"{m.model}: {m.decision} ({one_line(m.summary)})" for m in report.models)


def run_urls(report: Report) -> list[str]:
    return [
        m.dispatch.run_url
        for m in report.models
        if m.dispatch is not None and m.dispatch.status == "dispatched" and m.dispatch.run_url
    ]


def model_output(result: ModelResult) -> dict[str, object]:
    dispatch = result.dispatch
    return {
        "model": result.model,
        "decision": result.decision,
        "reasons": one_line(result.summary),
        "dispatch": None if dispatch is None else dispatch.status,
        "run_url": None if dispatch is None else dispatch.run_url,
    }


def step_outputs(
    report: Report, *, report_path: Path | None, summary_path: Path | None
) -> dict[str, str]:
    """The action's outputs, in the order they are written."""
    outputs = {
        "decision": report.decision,
        # any model to retrain: a dispatch was (or in dry-run would be) made
        "retrain": "true" if any(m.decision == "retrain" for m in report.models) else "false",
        "reasons": reasons_line(report),
        "report": str(report_path) if report_path else "",
        "summary": str(summary_path) if summary_path else "",
        "models": json.dumps([model_output(m) for m in report.models], ensure_ascii=False),
    }
    if urls := run_urls(report):
        outputs["run-url"] = "\n".join(urls)
    return outputs


def format_output(name: str, value: str, *, delimiter: str | None = None) -> str:
    """`name<<DELIMITER`, the value, `DELIMITER`: safe for any value, one line or many."""
    while delimiter is None or delimiter in value or delimiter in name:
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def write_outputs(path: Path, outputs: Mapping[str, str]) -> None:
    _append(path, "".join(format_output(n, v) for n, v in outputs.items()), what="GITHUB_OUTPUT")


# -- job summary -----------------------------------------------------------------------------


def fit_summary(markdown: str, *, budget: int, full_report: str) -> str:
    """The Markdown as is when it fits in `budget` bytes (UTF-8). Else it is cut: whole lines,
    the last one shortened (outside code blocks, where a cut would break a chart), any open
    code fence or `<details>` closed, then a note saying what was left out and where the full
    report is."""
    size = len(markdown.encode("utf-8"))
    if size <= budget:
        return markdown
    lines = markdown.splitlines()

    def note(stop: int, kept_bytes: int) -> str:
        return (
            f"\n> [!WARNING]\n> This summary was trimmed to fit GitHub's 1 MiB limit for a step "
            f"summary: it stops at line {stop:,} of {len(lines):,} ({size - kept_bytes:,} of "
            f"{size:,} bytes left out). The full report is in `{full_report}` on the runner "
            "(the action's `summary` output; the JSON report is its `report` output).\n"
        )

    # the note's size barely depends on the numbers in it: reserve its largest form
    reserve = len(note(len(lines), 0).encode("utf-8")) + 32
    kept: list[str] = []
    used = 0
    in_fence = False
    open_details = 0
    for line in lines:
        closing = len("```\n") * in_fence + len("</details>\n") * open_details
        room = budget - reserve - closing - used
        cost = len(line.encode("utf-8")) + 1
        if cost > room:
            if not in_fence and room > 200:  # a long line (a huge reason): keep its start
                cut = line.encode("utf-8")[: room - len(" …\n".encode())].decode(
                    "utf-8", errors="ignore"
                )
                kept.append(cut + " …")
                used += len(kept[-1].encode("utf-8")) + 1
            break
        kept.append(line)
        used += cost
        stripped = line.strip()
        if stripped.startswith("```"):
            in_fence = not in_fence
        elif not in_fence:
            open_details += stripped.count("<details>") - stripped.count("</details>")
            open_details = max(open_details, 0)
    closers = (["```"] if in_fence else []) + ["</details>"] * open_details
    return "\n".join(kept + closers) + "\n" + note(len(kept), used)


def write_summary(path: Path, markdown: str, *, full_report: str) -> None:
    """Append to GITHUB_STEP_SUMMARY, within what is left of the step's budget."""
    try:
        already = path.stat().st_size
    except OSError:
        already = 0
    budget = max(SUMMARY_BUDGET - already, 0)
    _append(path, fit_summary(markdown, budget=budget, full_report=full_report), what="summary")


# -- annotations -----------------------------------------------------------------------------


def annotation_path(file: str | None, environ: Mapping[str, str]) -> str | None:
    """A file as GitHub wants it: relative to the workspace (the repository's checkout).

    Config paths are as given on the command line, so relative to the current folder, which
    the action sets to its `working-directory`."""
    if not file:
        return None
    path = Path(file)
    workspace = environ.get("GITHUB_WORKSPACE")
    if not workspace:
        return path.as_posix()
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        return absolute.resolve().relative_to(Path(workspace).resolve()).as_posix()
    except ValueError:  # outside the checkout: GitHub cannot place it; keep it readable
        return path.as_posix()


def build_annotations(report: Report, *, environ: Mapping[str, str]) -> list[Annotation]:
    """Errors first by how much they say (a file that could not be read, a rule that could not
    be evaluated, a check that vetoed), then warnings (fired triggers, then warn-level checks)."""
    problems: list[Annotation] = []
    broken: list[Annotation] = []
    vetoes: list[Annotation] = []
    fired: list[Annotation] = []
    warned: list[Annotation] = []
    for result in report.models:
        for problem in result.problems:
            problems.append(
                Annotation(
                    "error",
                    problem.message,
                    title=f"retrain-gate: {result.model}: cannot decide",
                    file=annotation_path(problem.file, environ),
                    line=problem.line,
                )
            )
        for outcome in result.outcomes:
            level: Level
            if outcome.status == "error":
                bucket, level, verb = broken, "error", "could not run"
            elif outcome.vetoes:
                bucket, level, verb = vetoes, "error", "failed"
            elif outcome.status == "fired":
                bucket, level, verb = fired, "warning", "fired"
            elif outcome.status == "warned":
                bucket, level, verb = warned, "warning", "warned"
            else:
                continue
            bucket.append(
                Annotation(
                    level,
                    outcome.reason,
                    title=f"retrain-gate: {result.model}/{outcome.name} {verb}",
                    file=annotation_path(outcome.file, environ),
                    line=outcome.line,
                )
            )
    return _capped(problems + broken + vetoes, "error") + _capped(fired + warned, "warning")


def _capped(items: Sequence[Annotation], level: Level) -> list[Annotation]:
    if len(items) <= ANNOTATIONS_PER_LEVEL:
        return list(items)
    shown = ANNOTATIONS_PER_LEVEL - 1
    more = len(items) - shown
    what = "errors" if level == "error" else "warnings"
    return [
        *items[:shown],
        Annotation(
            level,
            f"{more} more {what} are listed in the job summary "
            "(GitHub shows at most 10 annotations of each level per step).",
            title=f"retrain-gate: {more} more {what}",
        ),
    ]


def shield(text: str) -> str:
    """Print user text (rule reasons, file contents) without the runner obeying any `::command`
    in it: `::stop-commands::` pauses workflow commands until a random token resumes them."""
    token = secrets.token_hex(16)
    body = text if text.endswith("\n") else text + "\n"
    return f"::stop-commands::{token}\n{body}::{token}::\n"


# -- all together ----------------------------------------------------------------------------


def default_output_dir(environ: Mapping[str, str]) -> Path:
    """A fresh folder for the report files: under RUNNER_TEMP on a runner (emptied after
    each job), else the system's temporary folder."""
    base = environ.get("RUNNER_TEMP") or tempfile.gettempdir()
    return Path(tempfile.mkdtemp(prefix="retrain-gate-", dir=base))


def write_reports(
    markdown: str,
    json_text: str,
    *,
    github: bool,
    summary_file: str | None,
    json_report: str | None,
    outputs: Callable[[Path | None, Path | None], Mapping[str, str]],
    environ: Mapping[str, str],
) -> tuple[Path | None, Path | None]:
    """Write the Markdown and JSON reports to files (when asked, and always on GitHub), then
    on GitHub the step outputs (from `outputs(summary_path, report_path)`) and the job
    summary (appended, trimmed to GitHub's limit). Returns (summary_path, report_path)."""
    summary_path = Path(summary_file) if summary_file else None
    report_path = Path(json_report) if json_report else None
    if github and (summary_path is None or report_path is None):
        folder = default_output_dir(environ)
        summary_path = summary_path or folder / "summary.md"
        report_path = report_path or folder / "report.json"
    if summary_path is not None:
        summary_path = write_file(summary_path, markdown, what="--summary-file")
    if report_path is not None:
        report_path = write_file(report_path, json_text, what="--json-report")
    if github:
        if output_file := environ.get("GITHUB_OUTPUT"):
            write_outputs(Path(output_file), outputs(summary_path, report_path))
        if step_summary := environ.get("GITHUB_STEP_SUMMARY"):
            write_summary(Path(step_summary), markdown, full_report=str(summary_path))
    return summary_path, report_path


def publish(
    report: Report,
    *,
    github: bool,
    summary_file: str | None,
    json_report: str | None,
    environ: Mapping[str, str] | None = None,
) -> Published:
    """The gate's reports on the runner; returns the annotation commands to print."""
    env = os.environ if environ is None else environ
    summary_path, report_path = write_reports(
        render_markdown(report),
        render_json(report),
        github=github,
        summary_file=summary_file,
        json_report=json_report,
        outputs=lambda summary, json_path: step_outputs(
            report, report_path=json_path, summary_path=summary
        ),
        environ=env,
    )
    if not github:
        return Published(summary_path, report_path, ())
    commands = tuple(a.command() for a in build_annotations(report, environ=env))
    return Published(summary_path, report_path, commands)


def write_file(path: Path, text: str, *, what: str) -> Path:
    """Write a report file (creating its folder); return its absolute path."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {what}: {exc.strerror}", file=str(path)) from None
    return path.resolve()


def _append(path: Path, text: str, *, what: str) -> None:
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise UsageError(
            f"cannot append to the runner's {what} file: {exc.strerror}", file=str(path)
        ) from None


def commands_text(commands: Iterable[str]) -> str:
    return "".join(f"{c}\n" for c in commands)

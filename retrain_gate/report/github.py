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
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from retrain_gate.errors import UsageError

# re-exported: callers find the runner's whole side here
from retrain_gate.report.annotations import (
    ANNOTATIONS_PER_LEVEL as ANNOTATIONS_PER_LEVEL,
)
from retrain_gate.report.annotations import Annotation as Annotation
from retrain_gate.report.annotations import annotation_path as annotation_path
from retrain_gate.report.annotations import build_annotations
from retrain_gate.report.annotations import escape_data as escape_data
from retrain_gate.report.annotations import escape_property as escape_property
from retrain_gate.results import ModelResult, Report

if TYPE_CHECKING:
    from retrain_gate.report.budget import Fitted

# Rendering and trimming the Markdown, and random tokens, are imported where they are used: a
# plain `check` (no runner, no report files) needs none of them.

# GitHub drops a step summary over 1 MiB (1,048,576 bytes); keep a margin for what other
# tools in the same step may have appended and for the trimming note itself.
SUMMARY_BUDGET = 1_000_000


@dataclass(frozen=True)
class Published:
    """What `publish` wrote, and the workflow commands the caller must print to stdout."""

    summary_path: Path | None
    report_path: Path | None
    commands: tuple[str, ...]


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
    import secrets

    while delimiter is None or delimiter in value or delimiter in name:
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def write_outputs(path: Path, outputs: Mapping[str, str]) -> None:
    _append(path, "".join(format_output(n, v) for n, v in outputs.items()), what="GITHUB_OUTPUT")


# -- job summary -----------------------------------------------------------------------------


def fit_summary(markdown: str, *, budget: int, full_report: str) -> str:
    """The Markdown as is when it fits in `budget` bytes (UTF-8); else charts, then folded
    model details, then other details are left out, with a note naming what went (see
    retrain_gate.report.budget); lines are cut from the end only as the last resort."""
    from retrain_gate.report.budget import NoteWriter, fit

    return fit(markdown, budget=budget, note=NoteWriter(full_report=full_report)).markdown


def full_report_text(summary_path: str, environ: Mapping[str, str]) -> str:
    """Where the untrimmed report is: the runner's file, and the artifact if one is named."""
    text = f"The full report is the step's `summary` output, `{_code(summary_path)}` on the runner"
    artifact = environ.get("RETRAIN_GATE_REPORT_ARTIFACT", "").strip()
    run_url = gate_run_url(environ)
    if artifact:
        where = f" ([this run's page]({run_url}#artifacts), under Artifacts)" if run_url else ""
        return f"{text}; it is uploaded as the artifact `{_code(artifact)}` of this run{where}."
    return f"{text} (deleted with the job: upload it with actions/upload-artifact to keep it)."


def gate_run_url(environ: Mapping[str, str]) -> str | None:
    server = environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    repository, run_id = environ.get("GITHUB_REPOSITORY", ""), environ.get("GITHUB_RUN_ID", "")
    url = f"{server}/{repository}/actions/runs/{run_id}"
    safe = re.fullmatch(r"https://[\w.:-]+/[\w.-]+/[\w.-]+/actions/runs/\d+", url)
    return url if safe else None


def _code(text: str) -> str:
    return re.sub(r"[`\r\n]", "'", text)


def write_summary(path: Path, markdown: str, *, full_report: str) -> Fitted:
    """Append to GITHUB_STEP_SUMMARY, within what is left of the step's budget."""
    from retrain_gate.report.budget import NoteWriter, fit

    try:
        already = path.stat().st_size
    except OSError:
        already = 0
    budget = max(SUMMARY_BUDGET - already, 0)
    fitted = fit(markdown, budget=budget, note=NoteWriter(full_report=full_report))
    _append(path, fitted.markdown, what="summary")
    return fitted


def shield(text: str) -> str:
    """Print user text (rule reasons, file contents) without the runner obeying any `::command`
    in it: `::stop-commands::` pauses workflow commands until a random token resumes them."""
    import secrets

    token = secrets.token_hex(16)
    body = text if text.endswith("\n") else text + "\n"
    return f"::stop-commands::{token}\n{body}::{token}::\n"


# -- all together ----------------------------------------------------------------------------


def default_output_dir(environ: Mapping[str, str]) -> Path:
    """A fresh folder for the report files: under RUNNER_TEMP on a runner (emptied after
    each job), else the system's temporary folder."""
    import tempfile

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
) -> tuple[Path | None, Path | None, Fitted | None]:
    """Write the Markdown and JSON reports to files (when asked, and always on GitHub), then
    on GitHub the step outputs (from `outputs(summary_path, report_path)`) and the job
    summary (appended, trimmed to GitHub's limit). Returns (summary_path, report_path, what
    the job summary kept, when one was written)."""
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
    fitted = None
    if github:
        if output_file := environ.get("GITHUB_OUTPUT"):
            write_outputs(Path(output_file), outputs(summary_path, report_path))
        if step_summary := environ.get("GITHUB_STEP_SUMMARY"):
            full_report = full_report_text(str(summary_path), environ)
            fitted = write_summary(Path(step_summary), markdown, full_report=full_report)
    return summary_path, report_path, fitted


def publish(
    report: Report,
    *,
    github: bool,
    summary_file: str | None,
    json_report: str | None,
    environ: Mapping[str, str] | None = None,
    root: str | None = None,
) -> Published:
    """The gate's reports on the runner; returns the annotation commands to print. `root`:
    the folder the config's data paths are relative to (for the annotations' files)."""
    if not (github or summary_file or json_report):
        return Published(None, None, ())  # nothing to write: nothing to render
    from retrain_gate.report.json_report import render_json
    from retrain_gate.report.markdown import render_markdown

    env = os.environ if environ is None else environ
    summary_path, report_path, fitted = write_reports(
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
    left_out = fitted.models_dropped if fitted is not None else ()
    annotations = build_annotations(report, environ=env, root=root, left_out=left_out)
    commands = tuple(a.command() for a in annotations)
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

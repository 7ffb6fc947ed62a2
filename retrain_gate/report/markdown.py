"""`--format markdown`: the table the Action writes to the job summary."""

from __future__ import annotations

from retrain_gate.report.common import DECISION_TEXT, ICONS, show_observed, show_value
from retrain_gate.results import ModelResult, Outcome, Report

DECISION_ICONS = {"retrain": "🔁", "blocked": "⛔", "skip": "✅", "error": "💥"}


def cell(text: str) -> str:
    """Text from users' files, safe inside a Markdown table cell."""
    return (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("\r", " ")
        .replace("\n", " ")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )


def headline(result: ModelResult) -> str:
    icon = DECISION_ICONS[result.decision]
    return (
        f"{icon} **{cell(result.model)}: {DECISION_TEXT[result.decision]}**: {cell(result.summary)}"
    )


def outcome_row(outcome: Outcome) -> str:
    status = f"{ICONS[outcome.status]} {outcome.status}"
    return (
        f"| {cell(outcome.name)} | {outcome.role} · {outcome.kind} "
        f"| {cell(show_observed(outcome))} "
        f"| {cell(show_value(outcome.threshold))} | {status} | {cell(outcome.reason)} |"
    )


def model_section(result: ModelResult) -> list[str]:
    lines = [f"### {headline(result)}", ""]
    for problem in result.problems:
        lines.append(f"> **Error:** {cell(str(problem))}")
        lines.append("")
    if result.dispatch is not None:
        lines.append(f"**Dispatch:** {cell(result.dispatch.message)}")
        lines.append("")
    if result.outcomes:
        lines.append("| rule | kind | observed | threshold | status | reason |")
        lines.append("| --- | --- | --- | --- | --- | --- |")
        lines.extend(outcome_row(o) for o in result.outcomes)
        lines.append("")
    return lines


def render_markdown(report: Report) -> str:
    counts = {d: sum(1 for m in report.models if m.decision == d) for d in DECISION_TEXT}
    tally = ", ".join(f"{n} {d}" for d, n in counts.items() if n)
    lines = [
        f"## retrain-gate: {DECISION_TEXT[report.decision]} ({tally})",
        "",
        f"Evaluated as of {report.now.strftime('%Y-%m-%d %H:%M UTC')} "
        f"with `{cell(report.config_path)}`.",
        "",
    ]
    for result in report.models:
        lines.extend(model_section(result))
    return "\n".join(lines).rstrip() + "\n"

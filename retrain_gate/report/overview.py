"""The top of the job summary: a dry-run banner, the headline, one table row per model.

The overview is never trimmed (retrain_gate.report.budget keeps it whole), so each row is
short: the decision, the rule that decided it, the dispatch state, a link to the details.
"""

from __future__ import annotations

from retrain_gate.report.common import DECISION_TEXT, cell
from retrain_gate.results import Decision, DispatchResult, ModelResult, Outcome, Report

DECISION_ICONS = {"retrain": "🔁", "blocked": "⛔", "skip": "✅", "error": "💥"}
# names shown in an overview cell before "and N more"
NAMES_SHOWN = 3
# an overview cell's reason is cut past this many characters (the details have it whole)
REASON_CHARS = 120
_NOUNS: dict[Decision, tuple[str, str]] = {
    "retrain": ("retrain", "retrains"),
    "blocked": ("blocked", "blocked"),
    "skip": ("skip", "skips"),
    "error": ("error", "errors"),
}


def plural(count: int, one: str, many: str | None = None) -> str:
    """`1 day`, `2 days`."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def dry_run(report: Report) -> bool:
    return any(m.dispatch is not None and m.dispatch.status == "dry-run" for m in report.models)


def tally(report: Report) -> str:
    counts = {d: sum(1 for m in report.models if m.decision == d) for d in DECISION_TEXT}
    return ", ".join(plural(n, *_NOUNS[d]) for d, n in counts.items() if n)


def title(report: Report, *, config: str) -> list[str]:
    """The dry-run banner (when it is one), the headline, what was evaluated."""
    decision = DECISION_TEXT[report.decision]
    if dry_run(report):
        lines = [
            f"## 🧪 retrain-gate DRY RUN: would {decision} ({tally(report)}); nothing was sent",
            "",
            "> [!NOTE]",
            "> **Dry run**: the decisions are real, but no retraining workflow was started. "
            "The guards that can hold a dispatch back (the cooldown since the last retraining "
            "run, a retraining run still in progress, a re-run of the same gate run) were not "
            "checked, since they need the GitHub API.",
            "",
        ]
    else:
        icon = DECISION_ICONS[report.decision]
        lines = [f"## {icon} retrain-gate: {decision} ({tally(report)})", ""]
    return [*lines, f"Evaluated as of {_time(report)} with `{config}`.", ""]


def _time(report: Report) -> str:
    return report.now.strftime("%Y-%m-%d %H:%M UTC")


def names(outcomes: list[Outcome]) -> str:
    shown = ", ".join(cell(o.name) for o in outcomes[:NAMES_SHOWN])
    more = len(outcomes) - NAMES_SHOWN
    return f"{shown} and {more} more" if more > 0 else shown


def short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 1].rstrip() + "…"


def decided_by(result: ModelResult) -> str:
    """The rule (or file) that decided, first; the rest counted."""
    if result.decision == "error":
        if result.problems:
            return cell(short(str(result.problems[0])))
        broken = [o for o in result.outcomes if o.status == "error"]
        if broken:
            return f"{cell(broken[0].name)} could not run: {cell(short(broken[0].reason))}"
        return cell(short(result.summary))
    if result.decision == "blocked":
        held = list(result.fired)
        vetoes = f"{names(list(result.vetoes))} failed"
        return f"{vetoes}, holding back {names(held)}" if held else vetoes
    if result.decision == "retrain":
        return f"{names(list(result.fired))} fired"
    notes = [o for o in result.checks if o.status in ("failed", "warned", "error")]
    if notes:
        return f"no trigger fired; {names(notes)} {notes[0].status}"
    return "no trigger fired"


def dispatch_state(dispatch: DispatchResult | None, decision: Decision) -> str:
    if dispatch is None:
        return "not requested" if decision == "retrain" else "-"
    return {
        "dispatched": "🚀 dispatched",
        "dry-run": "🧪 dry run: not sent",
        "held": "⏸️ held back",
        "not-needed": "-",
        "failed": "💥 failed",
        "disabled": "no dispatch configured",
    }[dispatch.status]


def needs_attention(result: ModelResult) -> bool:
    """Folded in the summary otherwise: a skip with every check passed."""
    return result.decision != "skip" or any(
        o.status in ("failed", "warned", "error") for o in result.checks
    )


def table(report: Report) -> list[str]:
    lines = ["| model | decision | decided by | dispatch |", "| --- | --- | --- | --- |"]
    for result in report.models:
        lines.append(
            f"| {cell(result.model)} | {DECISION_ICONS[result.decision]} "
            f"{result.decision} | {decided_by(result)} | "
            f"{dispatch_state(result.dispatch, result.decision)} |"
        )
    return [*lines, ""]

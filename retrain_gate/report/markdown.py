"""`--format markdown`: the report the Action writes to the job summary.

Read top to bottom it answers, in order: is this a dry run (a banner), what was decided
(the headline), for every model the decision, the rule that decided and the dispatch (the
overview: one row each, never trimmed), then each model's details: the table of its rules,
and a picture where one tells something (a fired rule, a value near its limit). Models that
need no attention are folded. Every piece of user text is escaped for where it lands, and
the parts a large summary may lose are marked for retrain_gate.report.budget.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

from retrain_gate.report import budget, overview
from retrain_gate.report.charts import picture, worth_a_chart
from retrain_gate.report.common import (
    DECISION_TEXT,
    ICONS,
    card_line,
    cell,
    said_before,
    show_observed,
    show_value,
)
from retrain_gate.results import DispatchResult, ModelResult, Outcome, Report, with_members

__all__ = ["cell", "fenced", "model_section", "plain", "render_markdown"]

DECISION_ICONS = overview.DECISION_ICONS
_URL = re.compile(r"^https?://[^\s()<>\[\]`]+$")


def plain(text: str) -> str:
    """Text from users' files, safe inside a fenced code block or inline code."""
    return re.sub(r"[\r\n\t]+", " ", text).replace("`", "'")


def headline(result: ModelResult) -> str:
    """What was decided and why, the deciding rule first (a veto before what it held back)."""
    return (
        f"{DECISION_ICONS[result.decision]} {cell(result.model)}: {DECISION_TEXT[result.decision]}"
    )


def why(result: ModelResult) -> str:
    if result.decision == "blocked" and result.fired:
        vetoes = ", ".join(cell(o.name) for o in result.vetoes)
        fired = ", ".join(cell(o.name) for o in result.fired)
        return (
            f"**{vetoes} failed**, so the retrain that {fired} asked for is held back: "
            "not retraining on bad data."
        )
    return cell(result.summary)


def outcome_row(outcome: Outcome, reason: str | None = None, *, depth: int = 0) -> str:
    """One table row; a group's member (depth 1, 2...) is indented under the group. `reason`:
    the cell to show (default: the outcome's own reason, escaped)."""
    status = f"{ICONS[outcome.status]} {outcome.status}"
    # leading spaces vanish in a table cell: non-breaking ones indent the member
    indent = f"{'&nbsp;' * 2 * depth}└ " if depth else ""
    cells = (
        indent + cell(outcome.name),
        f"{outcome.role} · {outcome.kind}",
        cell(show_observed(outcome)),
        cell(show_value(outcome.threshold)),
        status,
        cell(outcome.reason) if reason is None else reason,
    )
    return "| " + " | ".join(cells) + " |"


def fenced(text: str, *, info: str = "") -> list[str]:
    """A code block that text from users' files cannot close early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{info}", text, fence]


def dispatch_lines(dispatch: DispatchResult) -> list[str]:
    """The dispatch's one line (its message starts with its status), and for a dry run the
    request it would have sent, folded."""
    text = f"**Dispatch:** {cell(dispatch.message)}"
    if dispatch.run_url and _URL.match(dispatch.run_url):
        text += f" [View the run]({dispatch.run_url})"
    lines = [text, ""]
    if dispatch.status == "dry-run" and dispatch.body is not None:
        body = json.dumps(dispatch.body, indent=2, ensure_ascii=False)
        lines += ["<details><summary>the request it would send</summary>", ""]
        lines += [*fenced(body, info="json"), "", "</details>", ""]
    return lines


def rule_table(result: ModelResult) -> list[str]:
    """Every rule, its reason said once: a reason that repeats the model's error, or an
    earlier row's, points there instead."""
    rows = []
    for depth, o, earlier in said_before(result):
        if earlier is None:
            reason = cell(o.reason)
        else:
            reason = f"as **{cell(earlier)}**" if earlier else "as the error above"
        rows.append(outcome_row(o, reason, depth=depth))
    head = ["| rule | kind | observed | threshold | status | reason |", *["| --- " * 6 + "|"]]
    return [*head, *rows, ""]


def model_section(result: ModelResult, *, now: datetime | None = None) -> list[str]:
    """A model's details: the decision and why, errors, dispatch, the rules, the pictures."""
    lines = [f"### {headline(result)}", "", why(result), ""]
    if now is not None and (card := card_line(result.card, now=now)):
        lines += [f"🏷️ Model: {cell(card)}", ""]
    for problem in result.problems:
        if str(problem) not in result.summary:
            lines += [f"> **Error:** {cell(str(problem))}", ""]
    if result.dispatch is not None:
        lines.extend(dispatch_lines(result.dispatch))
    if result.outcomes:
        lines.extend(rule_table(result))
    for _, outcome in with_members(result.outcomes):
        if worth_a_chart(outcome):
            lines.extend(picture(outcome))
    return lines


def folded_section(result: ModelResult) -> list[str]:
    """A model that needs no attention: its details under one line."""
    summary = f"{headline(result)}: {cell(result.summary)}"
    body = model_section(result)[4:]  # the headline and why are in the summary line
    return [f"<details><summary>{summary}</summary>", "", *body, "</details>", ""]


def render_markdown(report: Report) -> str:
    lines = overview.title(report, config=plain(report.config_path))
    lines += overview.table(report)
    lines += [budget.NOTE, ""]
    for result in report.models:
        folded = not overview.needs_attention(result)
        lines.append(budget.section_start(result.model, folded=folded))
        lines.extend(folded_section(result) if folded else model_section(result, now=report.now))
        lines += [budget.SECTION_END, ""]
    return "\n".join(lines).rstrip() + "\n"

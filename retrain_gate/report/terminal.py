"""The terminal report (rich): a decision line and a table per model.

Colours are off with NO_COLOR or when the output is not a terminal; text from users'
files is escaped so that `[red]` in a rule name stays text.
"""

from __future__ import annotations

import io
import json

from retrain_gate.report.common import (
    DECISION_TEXT,
    card_line,
    show_observed,
    show_time,
    show_value,
    unstated_problems,
)
from retrain_gate.results import ModelResult, Report, with_members

STYLES = {
    "fired": "bold yellow",
    "quiet": "dim",
    "passed": "green",
    "failed": "bold red",
    "warned": "yellow",
    "error": "bold magenta",
    "retrain": "bold yellow",
    "blocked": "bold red",
    "skip": "bold green",
}


def render_terminal(report: Report, *, color: bool, width: int | None = None) -> str:
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=width or 120,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )

    def model(result: ModelResult) -> None:
        style = STYLES.get(result.decision, "bold")
        line = Text.assemble(
            (f"{result.model}: ", "bold"),
            (DECISION_TEXT[result.decision], style),
            f"  {result.summary}",
        )
        console.print(line, soft_wrap=True)
        if card := card_line(result.card, now=report.now):
            console.print(Text(f"  model: {card}"), soft_wrap=True)
        for problem in unstated_problems(result):
            console.print(Text(f"  error: {problem}", style=STYLES["error"]))
        if result.dispatch is not None:
            console.print(Text(f"  dispatch: {result.dispatch.message}"))
            if result.dispatch.status == "dry-run" and result.dispatch.body is not None:
                body = json.dumps(result.dispatch.body, ensure_ascii=False)
                console.print(Text(f"  request body: {body}"), soft_wrap=True)
        if not result.outcomes:
            return
        table = Table(
            box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False, header_style="bold"
        )
        for column in ("rule", "kind", "observed", "threshold", "status", "reason"):
            table.add_column(column, overflow="fold", no_wrap=column not in ("reason",))
        for depth, o in with_members(result.outcomes):
            # a group's members are indented under it
            table.add_row(
                escape(f"{'  ' * depth}└ {o.name}" if depth else o.name),
                o.kind,
                escape(show_observed(o)),
                escape(show_value(o.threshold)),
                Text(o.status, style=STYLES[o.status]),
                Text(o.reason),
            )
        console.print(table)

    for index, result in enumerate(report.models):
        if index:
            console.print()
        model(result)
    console.print()
    overall = report.decision
    console.print(
        Text.assemble(
            "decision: ",
            (DECISION_TEXT[overall], STYLES.get(overall, "bold")),
            f"  (as of {show_time(report.now)})",
        )
    )
    return buffer.getvalue()

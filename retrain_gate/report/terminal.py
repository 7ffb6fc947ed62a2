"""The terminal report (rich): a decision line and a table per model.

Colours are off with NO_COLOR or when the output is not a terminal; text from users'
files is escaped so that `[red]` in a rule name stays text.
"""

from __future__ import annotations

import io
import json
import textwrap

from retrain_gate.report.common import (
    DECISION_TEXT,
    card_line,
    said_before,
    show_observed,
    show_time,
    show_value,
    unstated_problems,
)
from retrain_gate.results import ModelResult, Report

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


# below this many columns the table's reason column is too narrow to read: one rule per
# block instead, its reason wrapped under it at word boundaries
STACKED_BELOW = 100


def wrap(text: str, *, width: int, indent: int) -> list[str]:
    """Lines of at most `width` columns, broken between words (a word longer than a whole
    line, such as a long path, is the only thing split)."""
    return textwrap.wrap(
        " ".join(text.split()),
        width=width,
        initial_indent=" " * indent,
        subsequent_indent=" " * indent,
        break_on_hyphens=False,
    ) or [" " * indent]


def render_terminal(report: Report, *, color: bool, width: int | None = None) -> str:
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    buffer = io.StringIO()
    columns = width or 120
    stacked = columns < STACKED_BELOW
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=columns,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )

    def lines(text: str, *, indent: int, style: str = "") -> None:
        for line in wrap(text, width=columns, indent=indent):
            console.print(Text(line, style=style), soft_wrap=True)

    def stacked_model(result: ModelResult) -> None:
        head, *rest = wrap(
            f"{result.model}: {DECISION_TEXT[result.decision]}  {result.summary}",
            width=columns,
            indent=0,
        )
        name = f"{result.model}: "
        console.print(
            Text.assemble(
                (name, "bold"),
                (DECISION_TEXT[result.decision], STYLES.get(result.decision, "bold")),
                head[len(name) + len(DECISION_TEXT[result.decision]) :],
            ),
            soft_wrap=True,
        )
        for line in rest:
            console.print(Text(line), soft_wrap=True)
        for problem in unstated_problems(result):
            lines(f"error: {problem}", indent=2, style=STYLES["error"])
        if result.dispatch is not None:
            lines(f"dispatch: {result.dispatch.message}", indent=2)
            if result.dispatch.status == "dry-run" and result.dispatch.body is not None:
                console.print(Text("  request body:"))
                body = json.dumps(result.dispatch.body, ensure_ascii=False, indent=2)
                for line in body.splitlines():
                    console.print(Text(f"    {line}"), soft_wrap=True)
        for depth, o, earlier in said_before(result):
            pad = 2 + 2 * depth
            status = Text(f"{' ' * pad}{o.status:<7}", style=STYLES[o.status])
            rule = f" {o.name} ({o.kind}): {show_observed(o)}, threshold {show_value(o.threshold)}"
            first, *more = wrap(rule, width=columns - pad - 7, indent=0)
            console.print(Text.assemble(status, " " + first.lstrip()), soft_wrap=True)
            for line in more:
                console.print(Text(" " * (pad + 8) + line.lstrip()), soft_wrap=True)
            reason = o.reason if earlier is None else f"as {earlier or 'the error above'}"
            lines(reason, indent=pad + 8, style="dim" if o.status == "quiet" else "")

    def model(result: ModelResult) -> None:
        if stacked:
            stacked_model(result)
            return
        style = STYLES.get(result.decision, "bold")
        line = Text.assemble(
            (f"{result.model}: ", "bold"),
            (DECISION_TEXT[result.decision], style),
            f"  {result.summary}",
        )
        console.print(line)  # wrapped between words at the console's width
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
        for depth, o, earlier in said_before(result):
            # a group's members are indented under it
            table.add_row(
                escape(f"{'  ' * depth}└ {o.name}" if depth else o.name),
                o.kind,
                escape(show_observed(o)),
                escape(show_value(o.threshold)),
                Text(o.status, style=STYLES[o.status]),
                Text(o.reason if earlier is None else f"as {earlier or 'the error above'}"),
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
        ),
        soft_wrap=True,
    )
    return buffer.getvalue()

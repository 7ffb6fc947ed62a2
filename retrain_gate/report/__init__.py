"""Reporters render a Report; they never decide anything. Chosen by name."""

from __future__ import annotations

from typing import Literal

from retrain_gate.results import Report

Format = Literal["terminal", "markdown", "json"]
FORMATS: tuple[Format, ...] = ("terminal", "markdown", "json")


def render(report: Report, *, fmt: Format, color: bool = False, width: int | None = None) -> str:
    """The report as text in the named format."""
    if fmt == "json":
        from retrain_gate.report.json_report import render_json

        return render_json(report)
    if fmt == "markdown":
        from retrain_gate.report.markdown import render_markdown

        return render_markdown(report)
    from retrain_gate.report.terminal import render_terminal

    return render_terminal(report, color=color, width=width)

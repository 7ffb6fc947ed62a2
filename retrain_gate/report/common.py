"""Small helpers shared by the reporters: how values and statuses read."""

from __future__ import annotations

import math
import re
from datetime import datetime

from retrain_gate.report.mermaid import number
from retrain_gate.results import Decision, ModelResult, Outcome, Problem, Value
from retrain_gate.selection import fmt

ICONS = {
    "fired": "🔥",
    "quiet": "·",
    "passed": "✅",
    "failed": "❌",
    "warned": "⚠️",
    "error": "💥",
}
DECISION_TEXT: dict[Decision, str] = {
    "retrain": "RETRAIN",
    "blocked": "BLOCKED",
    "skip": "SKIP",
    "error": "ERROR",
}


def cell(text: str) -> str:
    """Text from users' files, safe inside a Markdown table cell (or any Markdown line): no
    HTML, no table break, no link or image (`[..](..)`, and no autolink either, which GitHub
    makes of `https://`, `www.` and `name@host`: a zero-width space breaks each)."""
    text = (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("\r", " ")
        .replace("\n", " ")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("[", "\\[")
        .replace("]", "\\]")
        .replace("://", ":\u200b//")
    )
    text = re.sub(r"([\w.+-])@(?=[\w-]+\.[\w-])", "\\1\u200b@", text)  # name@host.tld only
    return re.sub(r"(?i)\b(www)\.", "\\1\u200b.", text)


def show_time(now: datetime) -> str:
    """The moment a report is as of, to the minute: `2026-11-28 00:00 UTC`."""
    return now.strftime("%Y-%m-%d %H:%M UTC")


def unstated_problems(result: ModelResult) -> list[Problem]:
    """The problems the model's decision line does not already state (it states the first)."""
    return [p for p in result.problems if str(p) not in result.summary]


def show_value(value: Value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        text = fmt(value)
        # people read 0.00009, not 9e-05 (and Mermaid cannot read the exponent at all)
        return number(value) if "e" in text and math.isfinite(value) else text
    return str(value)


def show_observed(outcome: Outcome) -> str:
    """Baseline changes and growth are fractions; show them as percentages when relative."""
    value = outcome.observed
    if (
        isinstance(value, float)
        and outcome.kind in ("baseline_change", "data_growth")
        and "%" in str(outcome.threshold)
    ):
        return f"{value:+.1%}" if outcome.kind == "data_growth" else f"{value:.1%}"
    if isinstance(value, float) and outcome.kind == "drift":
        return f"{value:.3f}"
    return show_value(value)


def said_before(result: ModelResult) -> list[tuple[int, Outcome, str | None]]:
    """Each outcome (group members after their group, with their depth) and, when its reason
    only repeats what was said already, where: `None`, the model's error (`""`), or the
    name of the earlier rule with the same reason. Each reason is said once per place."""
    from retrain_gate.results import with_members

    problems = [p.message for p in result.problems] + [p.file for p in result.problems if p.file]
    said: dict[str, str] = {}
    found: list[tuple[int, Outcome, str | None]] = []
    for depth, o in with_members(result.outcomes):
        earlier: str | None = "" if any(text in o.reason for text in problems) else None
        if earlier is None:
            earlier = said.get(o.reason)
        said.setdefault(o.reason, o.name)
        found.append((depth, o, earlier))
    return found

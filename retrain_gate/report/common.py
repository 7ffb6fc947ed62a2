"""Small helpers shared by the reporters: how values and statuses read."""

from __future__ import annotations

import math
import re
from datetime import datetime

from retrain_gate.kinds.series import fmt
from retrain_gate.report.mermaid import number
from retrain_gate.results import CardState, Decision, ModelResult, Outcome, Problem, Value

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


# What turns text into a link, an image or markup: brackets (links, images), `*` and `~`
# (emphasis), `|` (a table cell's end), `\\` (an escape of its own). A code span is left
# as one: it only makes text more inert.
_INLINE = re.compile(r"([\\*\[\]~|])")
# GitHub links bare URLs, www. names and name@host by itself: a word joiner (U+2060) after
# the scheme, after "www" and before the "@" keeps them text.
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(?=://)|(?<=\bwww)(?=\.)|(?<=[\w.+-])(?=@[\w-]+\.[\w-])")


def cell(text: str) -> str:
    """Text from users' files, inert inside a Markdown table cell (or any Markdown line):
    it reads as written, never as a live link, an image, emphasis or HTML."""
    text = _INLINE.sub(r"\\\1", text.replace("\r", " ").replace("\n", " "))
    return _AUTOLINK.sub("\u2060", text).replace("<", "&lt;").replace(">", "&gt;")


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
    if (
        isinstance(value, float)
        and outcome.kind == "dataset_drift"
        and "%" in str(outcome.threshold)
    ):  # the share of features that drifted
        return f"{value:.0%}"
    if isinstance(value, float) and outcome.kind == "drift":
        if str(outcome.threshold).startswith("p <"):  # a p-value: 3.1e-08, not 0.000
            return f"{value:.3g}" if value >= 0.01 else f"{value:.2g}"
        return f"{value:.3f}"
    return show_value(value)


ATTEMPT_TEXT = {"promoted": "promoted", "kept_old": "kept old", "failed": "failed"}


def card_line(card: CardState | None, *, now: datetime) -> str | None:
    """The model's version, age and last retrain's result, in one line:
    `version 3, trained 2026-12-01 (1.0 days ago); last retrain 2026-12-02: kept old (...)`."""
    if card is None:
        return None
    parts = [f"version {card.version if card.version is not None else '1 (no version field)'}"]
    if card.trained_at is not None:
        age = (now - card.trained_at).total_seconds() / 86400
        parts.append(f"trained {card.trained_at.date().isoformat()} ({age:.1f} days ago)")
    text = ", ".join(parts)
    if card.last_result is None:
        return f"{text}; no retrain recorded"
    when = card.last_at.date().isoformat() if card.last_at else "?"
    text += f"; last retrain {when}: {ATTEMPT_TEXT[card.last_result]}"
    return f"{text} ({card.last_reason})" if card.last_reason else text


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

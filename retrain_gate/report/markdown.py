"""`--format markdown`: the report the Action writes to the job summary.

Read top to bottom it answers, in order: what was decided (first line), why (one line per
model, then the reasons that mattered), the evidence (the rule table), and the picture (each
threshold rule's recent series against its limit, folded away in a `<details>` block so the
table stays in view). Every piece of user text is escaped for where it lands.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from datetime import datetime

from retrain_gate.kinds.series import day, fmt
from retrain_gate.report.common import (
    DECISION_TEXT,
    ICONS,
    card_line,
    show_observed,
    show_time,
    show_value,
    unstated_problems,
)
from retrain_gate.results import (
    DispatchResult,
    ModelResult,
    Outcome,
    Point,
    Report,
    with_members,
)

DECISION_ICONS = {"retrain": "🔁", "blocked": "⛔", "skip": "✅", "error": "💥"}
SPARK_BARS = "▁▂▃▄▅▆▇█"
# the "why" list under a headline: enough to explain, short enough to read at a glance
WHY_LIMIT = 5
_URL = re.compile(r"^https?://[^\s()<>\[\]`]+$")


# What turns text into a link, an image or markup: brackets (links, images), `*` and `~`
# (emphasis), `|` (a table cell's end), `\\` (an escape of its own). A code span is left
# as one: it only makes text more inert.
_INLINE = re.compile(r"([\\*\[\]~|])")
# GitHub links bare URLs and www. names by itself: a word joiner (U+2060) after the scheme
# or the "www" keeps them text.
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(?=://)|(?<=\bwww)(?=\.)")


def cell(text: str) -> str:
    """Text from users' files, inert inside a Markdown table cell (or any Markdown line):
    it reads as written, never as a live link, an image, emphasis or HTML."""
    text = _INLINE.sub(r"\\\1", text.replace("\r", " ").replace("\n", " "))
    return _AUTOLINK.sub("\u2060", text).replace("<", "&lt;").replace(">", "&gt;")


def plain(text: str) -> str:
    """Text from users' files, safe inside a fenced code block or a Mermaid string."""
    return re.sub(r"[\r\n\t]+", " ", text).replace("`", "'").replace('"', "'")


def chart_text(text: str) -> str:
    """Text from users' files inside a Mermaid chart: letters, digits and plain punctuation
    only, since Mermaid reads quotes, brackets, `#` and HTML in labels."""
    return re.sub(r"[^\w .:/+%=,()@-]", "_", text)


def headline(result: ModelResult) -> str:
    icon = DECISION_ICONS[result.decision]
    return (
        f"{icon} **{cell(result.model)}: {DECISION_TEXT[result.decision]}**: {cell(result.summary)}"
    )


def outcome_row(outcome: Outcome, *, depth: int = 0) -> str:
    """One table row; a group's member (depth 1, 2...) is indented under the group."""
    status = f"{ICONS[outcome.status]} {outcome.status}"
    # leading spaces vanish in a table cell: non-breaking ones indent the member
    indent = f"{'&nbsp;' * 2 * depth}└ " if depth else ""
    cells = (
        indent + cell(outcome.name),
        f"{outcome.role} · {outcome.kind}",
        cell(show_observed(outcome)),
        cell(show_value(outcome.threshold)),
        status,
        cell(outcome.reason),
    )
    return "| " + " | ".join(cells) + " |"


def why_lines(result: ModelResult) -> list[str]:
    """The reasons behind a retrain, a block or an error, before the full table."""
    if result.decision == "skip":
        return []
    telling = [o for o in result.outcomes if o.status == "error"]
    telling += [o for o in result.checks if o.vetoes and o.status != "error"]
    telling += list(result.fired)
    lines = [
        f"- {ICONS[o.status]} **{cell(o.name)}** ({o.status}): {cell(o.reason)}"
        for o in telling[:WHY_LIMIT]
    ]
    if len(telling) > WHY_LIMIT:
        lines.append(f"- … and {len(telling) - WHY_LIMIT} more in the table below")
    return [*lines, ""] if lines else []


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


def model_section(result: ModelResult, *, now: datetime | None = None) -> list[str]:
    lines = [f"### {headline(result)}", ""]
    if now is not None and (card := card_line(result.card, now=now)):
        lines += [f"🏷️ Model: {cell(card)}", ""]
    for problem in unstated_problems(result):
        lines.append(f"> **Error:** {cell(str(problem))}")
        lines.append("")
    lines.extend(why_lines(result))
    if result.dispatch is not None:
        lines.extend(dispatch_lines(result.dispatch))
    if result.outcomes:
        lines.append("| rule | kind | observed | threshold | status | reason |")
        lines.append("| --- | --- | --- | --- | --- | --- |")
        lines.extend(outcome_row(o, depth=depth) for depth, o in with_members(result.outcomes))
        lines.append("")
    lines.extend(charts_section(result))
    return lines


# -- pictures of the recent series ---------------------------------------------------------


def charted(outcome: Outcome) -> bool:
    """Threshold-like rules with a series to draw: a line to compare the points with."""
    return outcome.limit is not None and math.isfinite(outcome.limit) and bool(_points(outcome))


def _points(outcome: Outcome) -> list[tuple[datetime, float]]:
    return [(p.time, p.value) for p in outcome.recent if p.value is not None and _finite(p.value)]


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _scale(outcome: Outcome) -> tuple[float, float]:
    """The value range to draw: the points and the limit, so the limit always shows."""
    assert outcome.limit is not None
    values = [v for _, v in _points(outcome)] + [outcome.limit]
    return min(values), max(values)


def sparkline(values: Sequence[float | None], *, low: float, high: float) -> str:
    """One bar per value, ▁ at `low` to █ at `high`; a missing value is a space."""
    top = len(SPARK_BARS) - 1
    bars = []
    for value in values:
        if value is None or not math.isfinite(value):
            bars.append(" ")
        elif high == low:
            bars.append(SPARK_BARS[top // 2])
        else:
            share = (min(max(value, low), high) - low) / (high - low)
            bars.append(SPARK_BARS[round(share * top)])
    return "".join(bars)


def _span(points: Sequence[Point]) -> str:
    return f"{day(points[0].time)} to {day(points[-1].time)}"


def text_chart(outcome: Outcome) -> list[str]:
    """The sparkline fallback: the series and the limit drawn on one scale, in words beside."""
    assert outcome.limit is not None
    low, high = _scale(outcome)
    values = [p.value for p in outcome.recent]
    drawn = [v for v in values if v is not None and _finite(v)]
    latest = drawn[-1]
    label = plain(outcome.recent_label or outcome.metric or "value")
    width = max(len(label), len("threshold"))
    missing = sum(1 for v in values if not _finite(v))
    gaps = f" · {missing} missing (blank)" if missing else ""
    # a trigger's threshold is when it fires; a check's bounds are what passes
    verb = "fires when" if outcome.role == "trigger" else "passes when"
    return [
        "```text",
        f"{label:<{width}}  {sparkline(values, low=low, high=high)}  "
        f"min {fmt(min(drawn))} · max {fmt(max(drawn))} · latest {fmt(latest)}{gaps}",
        f"{'threshold':<{width}}  {sparkline([outcome.limit] * len(values), low=low, high=high)}  "
        f"{fmt(outcome.limit)}: {verb} {plain(show_value(outcome.threshold))}",
        "```",
    ]


def _axis_labels(times: Sequence[datetime]) -> list[str]:
    labels = [t.strftime("%m-%d") for t in times]
    if len(set(labels)) < len(labels):  # several observations a day: add the time
        labels = [t.strftime("%m-%d %H:%M") for t in times]
    return labels


def _number(value: float) -> str:
    return f"{value:.6g}"


def mermaid_chart(outcome: Outcome) -> list[str]:
    """A Mermaid xychart: the series as one line, the threshold as a second, flat one."""
    assert outcome.limit is not None
    points = _points(outcome)
    low, high = _scale(outcome)
    pad = (high - low) * 0.1 or abs(high) * 0.05 or 1.0
    labels = ", ".join(f'"{label}"' for label in _axis_labels([t for t, _ in points]))
    metric = chart_text(outcome.recent_label or outcome.metric or "value")
    title = f"{chart_text(outcome.name)}: {metric} vs {_number(outcome.limit)}"
    return [
        "```mermaid",
        "xychart-beta",
        f'    title "{title}"',
        f"    x-axis [{labels}]",
        f'    y-axis "{metric}" {_number(low - pad)} --> {_number(high + pad)}',
        f"    line [{', '.join(_number(v) for _, v in points)}]",
        f"    line [{', '.join(_number(outcome.limit) for _ in points)}]",
        "```",
    ]


def charts_section(result: ModelResult) -> list[str]:
    # a group's members are charted like the rules at the top level
    outcomes = [o for _, o in with_members(result.outcomes) if charted(o)]
    if not outcomes:
        return []
    rules = "rule" if len(outcomes) == 1 else "rules"
    lines = [
        f"<details><summary>📈 {cell(result.model)}: recent values against the threshold "
        f"({len(outcomes)} {rules})</summary>",
        "",
    ]
    for outcome in outcomes:
        subject = outcome.recent_label or outcome.metric or outcome.kind
        lines.append(
            f"**{cell(outcome.name)}** ({cell(subject)}, "
            f"{len(outcome.recent)} observations, {_span(outcome.recent)}): "
            f"{ICONS[outcome.status]} {outcome.status}"
        )
        lines.append("")
        lines.extend(text_chart(outcome))
        lines.append("")
        lines.extend(mermaid_chart(outcome))
        lines.append("")
    lines.extend(["</details>", ""])
    return lines


def render_markdown(report: Report) -> str:
    counts = {d: sum(1 for m in report.models if m.decision == d) for d in DECISION_TEXT}
    tally = ", ".join(f"{n} {d}" for d, n in counts.items() if n)
    lines = [
        f"## {DECISION_ICONS[report.decision]} retrain-gate: "
        f"{DECISION_TEXT[report.decision]} ({tally})",
        "",
        f"Evaluated as of {show_time(report.now)} with `{plain(report.config_path)}`.",
        "",
    ]
    for result in report.models:
        lines.extend(model_section(result, now=report.now))
    return "\n".join(lines).rstrip() + "\n"

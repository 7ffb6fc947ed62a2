"""Fitting a Markdown report into GitHub's step-summary budget, losing the least first.

Reports mark what may go, with HTML comments (invisible on GitHub):

- `CHART_START` ... `CHART_END` around a Mermaid block: dropped first (its words stay);
- `section_start(model, folded=...)` ... `SECTION_END` around a model's details: the folded
  sections (models that need no attention) go next, then the others, the last ones first;
- `NOTE` where the note saying what was left out goes (after the overview), so that it is
  read before the details, not at the very bottom.

The overview (every model, one line each) is never marked, so no model can disappear. Only
when even that does not fit are whole lines cut from the end (the last resort, with a note).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote

CHART_START = "<!-- retrain-gate:chart -->"
CHART_END = "<!-- retrain-gate:/chart -->"
SECTION_END = "<!-- retrain-gate:/section -->"
NOTE = "<!-- retrain-gate:note -->"
_SECTION = re.compile(r"<!-- retrain-gate:section (folded|open) (\S+) -->")


def section_start(model: str, *, folded: bool) -> str:
    # quoted: a model name cannot end the comment or hold a space
    return f"<!-- retrain-gate:section {'folded' if folded else 'open'} {quote(model, safe='')} -->"


@dataclass(frozen=True)
class Fitted:
    """The Markdown that fits, and what was left out of it."""

    markdown: str
    charts_dropped: int
    charts_kept: int
    models_dropped: tuple[str, ...]
    cut: bool  # the last resort: lines cut from the end

    @property
    def trimmed(self) -> bool:
        return bool(self.charts_dropped or self.models_dropped or self.cut)


@dataclass
class _Block:
    kind: str  # "text", "chart" or "section"
    lines: list[str]
    model: str = ""
    folded: bool = False
    charts: list[_Block] | None = None  # a section's charts (blocks inside it)
    dropped: bool = False


def _size(lines: Sequence[str]) -> int:
    return sum(len(line.encode("utf-8")) + 1 for line in lines)


def _parse(markdown: str) -> list[_Block]:
    blocks: list[_Block] = []
    section: _Block | None = None
    chart: _Block | None = None
    for line in markdown.splitlines():
        if chart is not None:
            chart.lines.append(line)
            if line == CHART_END:
                chart = None
            continue
        if line == CHART_START:
            chart = _Block("chart", [line])
            if section is not None:
                assert section.charts is not None
                section.charts.append(chart)
                # a placeholder line, replaced by the chart (if kept) when rendering
                section.lines.append(f"\0{len(section.charts) - 1}")
            else:
                blocks.append(chart)
            continue
        match = _SECTION.fullmatch(line)
        if match and section is None:
            section = _Block(
                "section", [line], unquote(match.group(2)), match.group(1) == "folded", []
            )
            blocks.append(section)
            continue
        if section is not None:
            section.lines.append(line)
            if line == SECTION_END:
                section = None
            continue
        if blocks and blocks[-1].kind == "text":
            blocks[-1].lines.append(line)
        else:
            blocks.append(_Block("text", [line]))
    return blocks


def _render(block: _Block) -> list[str]:
    if block.dropped:
        return []
    if block.kind != "section":
        return block.lines
    assert block.charts is not None
    out: list[str] = []
    for line in block.lines:
        if line.startswith("\0"):
            out.extend(_render(block.charts[int(line[1:])]))
        else:
            out.append(line)
    return out


def _charts(blocks: Sequence[_Block]) -> list[_Block]:
    """Every chart, in the order they are dropped: folded sections' first, then from the end."""
    folded = [c for b in blocks if b.kind == "section" and b.folded for c in b.charts or []]
    rest = [b for b in blocks if b.kind == "chart"]
    rest += [c for b in blocks if b.kind == "section" and not b.folded for c in b.charts or []]
    return folded[::-1] + rest[::-1]


def fit(markdown: str, *, budget: int, note: NoteWriter) -> Fitted:
    """The Markdown within `budget` bytes (UTF-8), dropping charts, then folded sections,
    then the other sections, then (last resort) lines from the end; `note` words what went."""
    if len(markdown.encode("utf-8")) <= budget:
        return Fitted(markdown, 0, len(re.findall(f"^{CHART_START}$", markdown, re.M)), (), False)
    blocks = _parse(markdown)
    charts = _charts(blocks)
    sections = [b for b in blocks if b.kind == "section"]
    # the note's largest form: every chart and every section named
    reserve = len(note(len(charts), 0, [s.model for s in sections], True).encode("utf-8")) + 64
    size = len(markdown.encode("utf-8")) + reserve
    dropped_charts = 0
    for chart in charts:
        if size <= budget:
            break
        chart.dropped = True
        dropped_charts += 1
        size -= _size(chart.lines)
    order = [s for s in sections if s.folded][::-1] + [s for s in sections if not s.folded][::-1]
    for section in order:
        if size <= budget:
            break
        section.dropped = True
        size -= _size(_render_whole(section))
    models = tuple(s.model for s in sections if s.dropped)
    kept = (
        len(charts)
        - dropped_charts
        - sum(1 for s in sections if s.dropped for c in s.charts or [] if not c.dropped)
    )
    body = [line for b in blocks for line in _render(b)]
    text = note(dropped_charts, kept, models, False)
    if NOTE in body:
        at = body.index(NOTE)
        body[at : at + 1] = [NOTE, "", *text.splitlines(), ""]
        result = "\n".join(body).rstrip("\n") + "\n"
    else:
        result = "\n".join(body).rstrip("\n") + "\n\n" + text
    if len(result.encode("utf-8")) <= budget:
        return Fitted(result, dropped_charts, kept, models, False)
    ending = note(dropped_charts, kept, models, True)
    cut = cut_lines(result, budget=budget - len(ending.encode("utf-8")) - 1)
    return Fitted(cut + "\n" + ending, dropped_charts, kept, models, True)


def _render_whole(section: _Block) -> list[str]:
    """A section as it stands (its dropped charts already left out), as if kept."""
    was, section.dropped = section.dropped, False
    try:
        return _render(section)
    finally:
        section.dropped = was


class NoteWriter:
    """Words the note from what was left out; empty when nothing was."""

    def __init__(self, *, full_report: str) -> None:
        self.full_report = full_report

    def __call__(
        self, dropped_charts: int, kept_charts: int, models: Sequence[str], cut: bool
    ) -> str:
        if not (dropped_charts or models or cut):
            return ""
        parts = []
        if dropped_charts:
            parts.append(
                f"{dropped_charts} chart{'s' if dropped_charts != 1 else ''} "
                f"(their numbers are still in words)"
            )
        if models:
            count = len(models)
            names = ", ".join(f"`{_code(m)}`" for m in models)
            parts.append(
                f"the details of {count} model{'s' if count != 1 else ''} (each still in the "
                f"overview above): {names}"
            )
        if cut:
            parts.append("the end of the report (lines past the limit)")
        return (
            "> [!WARNING]\n> This summary was shortened to fit GitHub's 1 MiB limit for a step "
            f"summary. Left out: {'; '.join(parts)}. {self.full_report}\n"
        )


def _code(text: str) -> str:
    """A model name in inline code: no backtick or line break can end it early."""
    return re.sub(r"[`\r\n]", "'", text)


def cut_lines(markdown: str, *, budget: int) -> str:
    """Whole lines from the start within `budget` bytes, the last one shortened (outside
    code blocks), any open code fence or `<details>` closed."""
    kept: list[str] = []
    used = 0
    in_fence = False
    open_details = 0
    for line in markdown.splitlines():
        closing = len("```\n") * in_fence + len("</details>\n") * open_details
        room = budget - closing - used
        cost = len(line.encode("utf-8")) + 1
        if cost > room:
            if not in_fence and room > 200:  # a long line (a huge reason): keep its start
                cut = line.encode("utf-8")[: room - len(" …\n".encode())].decode(
                    "utf-8", errors="ignore"
                )
                kept.append(cut + " …")
            break
        kept.append(line)
        used += cost
        stripped = line.strip()
        if stripped.startswith("```"):
            in_fence = not in_fence
        elif not in_fence:
            open_details += stripped.count("<details") - stripped.count("</details>")
            open_details = max(open_details, 0)
    closers = (["```"] if in_fence else []) + ["</details>"] * open_details
    return "\n".join(kept + closers) + "\n"

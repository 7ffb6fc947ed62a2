"""The promotion verdict (`retrain-gate promote`) as a table: Markdown for the job summary,
plain text for the log. Values from users' files are escaped where they land."""

from __future__ import annotations

from retrain_gate.engine.promote import Promotion, PromotionRow
from retrain_gate.kinds.series import fmt
from retrain_gate.report.markdown import cell

HEADER = ("metric", "current", "candidate", "change", "rule", "verdict")
VERDICT_ICONS = {"pass": "✅", "fail": "❌", "error": "⚠️"}


def _value(value: float | None) -> str:
    return "—" if value is None else fmt(value)


def _cells(row: PromotionRow) -> tuple[str, ...]:
    return (
        row.metric,
        _value(row.current),
        _value(row.candidate),
        row.change or "—",
        row.rule,
        row.verdict,
    )


def verdict_line(promotion: Promotion) -> str:
    word = "promote" if promotion.promoted else "keep the current model"
    return f"{promotion.model}: {word}: {promotion.summary}"


def promotion_markdown(promotion: Promotion, *, candidate: str) -> str:
    icon = "✅" if promotion.promoted else "🛑"
    word = "promote the candidate" if promotion.promoted else "keep the current model"
    lines = [
        f"### {icon} {cell(promotion.model)}: {word}",
        "",
        f"{cell(promotion.summary)} (candidate: `{cell(candidate).replace('`', '')}`)",
        "",
    ]
    if promotion.rows:
        lines.append("| " + " | ".join(HEADER) + " |")
        lines.append("| " + " | ".join("---" for _ in HEADER) + " |")
        for row in promotion.rows:
            cells = [cell(text) for text in _cells(row)]
            cells[-1] = f"{VERDICT_ICONS[row.verdict]} {cells[-1]}"
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines) + "\n"


def promotion_text(promotion: Promotion) -> str:
    """The verdict and an aligned table, for the terminal and the job log."""
    lines = [verdict_line(promotion)]
    if promotion.rows:
        table = [HEADER, *(_cells(r) for r in promotion.rows)]
        widths = [max(len(row[i]) for row in table) for i in range(len(HEADER))]
        for row in table:
            lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    return "\n".join(lines) + "\n"

"""Which rules get a picture in the job summary, and the picture with its text beside it.

A chart only where it tells something: a rule that fired or failed, or one whose value is
near its limit. Each chart comes with one plain sentence (or, for drift, a small table) that
says the same in words, since GitHub may not render `xychart-beta`; the trimming of a large
summary drops the charts first and keeps the words (see `retrain_gate.report.budget`).
"""

from __future__ import annotations

import math
from datetime import datetime

from retrain_gate.kinds.series import day, fmt
from retrain_gate.report import budget
from retrain_gate.report.common import ICONS, cell, show_value
from retrain_gate.report.mermaid import (
    BAND,
    COLOUR_NAMES,
    LIMIT,
    REFERENCE,
    SERIES,
    Series,
    axis_labels,
    chart,
    number,
)
from retrain_gate.report.overview import plural
from retrain_gate.results import Outcome

# "near its limit": within this share of the limit, or within the series' own spread
NEAR_SHARE = 0.01
# a quiet drift or anomaly is near when its score has come this far towards the limit
NEAR_FRACTION = 0.8
ACTIVE = ("fired", "failed", "warned")


def points(outcome: Outcome) -> list[tuple[datetime, float]]:
    return [
        (p.time, p.value) for p in outcome.recent if p.value is not None and math.isfinite(p.value)
    ]


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def near_limit(outcome: Outcome) -> bool:
    """The latest value is close to where the rule would change its answer."""
    if outcome.bins and isinstance(outcome.observed, float) and _finite(outcome.limit):
        assert outcome.limit is not None
        return outcome.observed >= NEAR_FRACTION * outcome.limit
    series = points(outcome)
    if not series:
        return False
    latest = series[-1][1]
    if outcome.band is not None:
        low, high = outcome.band
        middle, half = (low + high) / 2, (high - low) / 2
        return half > 0 and abs(latest - middle) >= NEAR_FRACTION * half
    if not _finite(outcome.limit):
        return False
    assert outcome.limit is not None
    values = [v for _, v in series]
    gap = abs(latest - outcome.limit)
    return gap <= NEAR_SHARE * abs(outcome.limit) or gap <= max(values) - min(values)


def drawable(outcome: Outcome) -> bool:
    if outcome.bins:
        return True
    if outcome.band is not None:
        return len(points(outcome)) >= 2 and all(_finite(v) for v in outcome.band)
    return _finite(outcome.limit) and len(points(outcome)) >= 2


def worth_a_chart(outcome: Outcome) -> bool:
    return drawable(outcome) and (outcome.status in ACTIVE or near_limit(outcome))


def readable(value: float) -> str:
    """fmt's short form, but never an exponent (0.00005, not 5e-05)."""
    text = fmt(value)
    return number(value) if "e" in text else text


def _subject(outcome: Outcome) -> str:
    return outcome.recent_label or outcome.metric or outcome.kind


def picture(outcome: Outcome) -> list[str]:
    """The words, then the chart (marked, so that trimming can drop it alone)."""
    if outcome.bins:
        words, mermaid = _drift(outcome)
    elif outcome.band is not None:
        words, mermaid = _anomaly(outcome)
    else:
        words, mermaid = _threshold(outcome)
    return [*words, "", budget.CHART_START, *mermaid, budget.CHART_END, ""]


def _head(outcome: Outcome) -> str:
    return f"**{cell(outcome.name)}** {ICONS[outcome.status]} {outcome.status}"


def _span(outcome: Outcome) -> str:
    series = points(outcome)
    return f"{plural(len(series), 'observation')}, {day(series[0][0])} to {day(series[-1][0])}"


def _threshold(outcome: Outcome) -> tuple[list[str], list[str]]:
    assert outcome.limit is not None
    series = points(outcome)
    values = [v for _, v in series]
    subject = _subject(outcome)
    verb = "fires when" if outcome.role == "trigger" else "passes when"
    words = (
        f"{_head(outcome)}: {cell(subject)}, {_span(outcome)}: latest "
        f"{readable(values[-1])}, min {readable(min(values))}, max {readable(max(values))}; "
        f"{verb} "
        f"{cell(show_value(outcome.threshold))}, a limit of {readable(outcome.limit)} "
        "(red in the chart)."
    )
    mermaid = chart(
        title=f"{outcome.name} - {COLOUR_NAMES[SERIES]}: {subject}, "
        f"{COLOUR_NAMES[LIMIT]}: the limit {readable(outcome.limit)}",
        x_labels=axis_labels([t for t, _ in series]),
        y_title=subject,
        series=[
            Series("line", tuple(values), SERIES),
            Series("line", tuple(outcome.limit for _ in values), LIMIT),
        ],
    )
    return [words], mermaid


def _anomaly(outcome: Outcome) -> tuple[list[str], list[str]]:
    assert outcome.band is not None
    low, high = outcome.band
    series = points(outcome)
    values = [v for _, v in series]
    subject = _subject(outcome)
    words = (
        f"{_head(outcome)}: {cell(subject)}, {_span(outcome)}: latest "
        f"{fmt(values[-1])}; the band for it, {cell(show_value(outcome.threshold))}, is "
        f"{readable(low)} to {readable(high)} (orange in the chart)."
    )
    mermaid = chart(
        title=f"{outcome.name} - {COLOUR_NAMES[SERIES]}: {subject}, "
        f"{COLOUR_NAMES[BAND]}: mean +/- k sigma",
        x_labels=axis_labels([t for t, _ in series]),
        y_title=subject,
        series=[
            Series("line", tuple(values), SERIES),
            Series("line", tuple(low for _ in values), BAND),
            Series("line", tuple(high for _ in values), BAND),
        ],
    )
    return [words], mermaid


def _drift(outcome: Outcome) -> tuple[list[str], list[str]]:
    bins = outcome.bins
    words = [
        f"{_head(outcome)}: {cell(outcome.reason)}",
        "",
        "| bin | reference | current |",
        "| --- | ---: | ---: |",
        *(f"| {cell(b.label)} | {b.reference:.1%} | {b.current:.1%} |" for b in bins),
    ]
    mermaid = chart(
        title=f"{outcome.name} - {COLOUR_NAMES[SERIES]} bars: current, "
        f"{COLOUR_NAMES[REFERENCE]} line: reference",
        x_labels=[b.label for b in bins],
        y_title="share of the total (%)",
        series=[
            Series("bar", tuple(round(100 * b.current, 2) for b in bins), SERIES),
            Series("line", tuple(round(100 * b.reference, 2) for b in bins), REFERENCE),
        ],
    )
    return words, mermaid

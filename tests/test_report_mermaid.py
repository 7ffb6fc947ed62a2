"""Mermaid charts in the grammar's own terms: plain decimals, distinct categories, few labels."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from retrain_gate.report.markdown import render_markdown
from retrain_gate.report.mermaid import axis_labels, number, scale_for
from retrain_gate.results import ModelResult, Outcome, Point, Report

NOW = datetime(2026, 11, 28, tzinfo=timezone.utc)
# what xychart-beta reads as a number (its lexer's rule)
GRAMMAR_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2_250_000.0, "2250000"),
        (1.5e-7, "0.00000015"),
        (-0.5, "-0.5"),
        (0.0, "0"),
        (-0.0, "0"),
        (12.0, "12"),
        (0.88464, "0.88464"),
        (1e21, "1000000000000000000000"),
    ],
)
def test_numbers_are_plain_decimals(value: float, text: str) -> None:
    assert number(value) == text
    assert GRAMMAR_NUMBER.fullmatch(number(value))


def test_non_finite_values_are_refused() -> None:
    with pytest.raises(ValueError):
        number(float("nan"))


def test_huge_and_tiny_values_are_scaled_with_their_unit() -> None:
    assert scale_for([2_250_000.0, 15_000.0]).unit == "millions"
    assert scale_for([3e9]).unit == "billions"
    assert scale_for([0.00002, 0.00005]).unit == "per million"
    assert scale_for([0.5, 0.9]).unit == ""
    assert scale_for([0.0]).unit == ""


def test_a_handful_of_distinct_date_labels() -> None:
    times = [NOW - timedelta(days=29 - i) for i in range(30)]
    labels = axis_labels(times)
    assert len(labels) == len(set(labels)) == 30  # Mermaid keys categories by their text
    shown = [label for label in labels if label.strip("\u200b\u200c\u200d\u2060")]
    assert 4 <= len(shown) <= 7
    assert shown[0] == "10-30" and shown[-1] == "11-28"  # the first and the last day
    assert axis_labels(times[:1]) == ["10-30"]


def series_rule(values: list[float], limit: float) -> Outcome:
    return Outcome(
        name="rows-floor",
        kind="threshold",
        role="check",
        status="failed",
        observed=values[-1],
        threshold=f">= {limit}",
        reason="rows too few",
        metric="rows",
        recent=tuple(Point(NOW - timedelta(days=len(values) - i), v) for i, v in enumerate(values)),
        limit=limit,
    )


@pytest.mark.parametrize(
    ("values", "limit", "unit"),
    [
        ([2_250_000.0, 2_400_000.0, 1_900_000.0], 2_000_000.0, "(millions)"),
        ([0.00002, 0.00004, float("nan"), 0.00009], 0.00005, "(per million)"),
    ],
)
def test_every_number_in_a_chart_is_one_the_grammar_reads(
    values: list[float], limit: float, unit: str
) -> None:
    result = ModelResult("m", "blocked", "x", checks=(series_rule(values, limit),))
    markdown = render_markdown(Report(NOW, "gate.yml", (result,)))
    block = markdown.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert not re.search(r"\de[+-]?\d", block)  # no exponent anywhere, title included
    y_axis = next(line for line in block.splitlines() if line.strip().startswith("y-axis"))
    assert f'"rows {unit}"' in y_axis
    for line in block.splitlines():
        if line.strip().startswith(("line [", "bar [")):
            inside = line.split("[", 1)[1].rstrip("]")
            assert all(GRAMMAR_NUMBER.fullmatch(v.strip()) for v in inside.split(","))
            assert inside.count(",") == len([v for v in values if v == v]) - 1  # NaN left out
    low, high = y_axis.split('" ', 1)[1].split(" --> ")
    assert GRAMMAR_NUMBER.fullmatch(low) and GRAMMAR_NUMBER.fullmatch(high)

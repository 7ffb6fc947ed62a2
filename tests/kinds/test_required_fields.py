"""The required_fields check, day by day."""

from __future__ import annotations

from retrain_gate.kinds.days import Context
from tests.kinds.helpers import at, daily, every_day, judged, reasons, rule, runs


def test_each_of_the_last_n_observations_needs_every_field() -> None:
    days = every_day(daily(a=[1, None, 3, 4], b=[1, 1, 1, 1]))
    statuses, outcomes = judged(
        rule("required_fields", role="check", required=["a", "b"], window=2), days
    )
    assert statuses == ["passed", "failed", "failed", "passed"]
    assert reasons(outcomes) == [
        "a, b present on 2026-03-01",
        "missing or empty: a (m.csv:3)",
        "missing or empty: a (m.csv:3)",
        "a, b present on 2026-03-04",
    ]


def test_a_field_the_file_lacks_and_no_observations() -> None:
    ctx = Context(model="m", now=at(1), series=daily(a=[1, 2]))
    statuses, outcomes = judged(
        rule("required_fields", role="check", required=["c"]), runs(ctx, (at(1), 0), (at(3), 2))
    )
    assert statuses == ["error", "failed"]
    assert reasons(outcomes) == ["no observations at all", "missing or empty: c (m.csv:3)"]

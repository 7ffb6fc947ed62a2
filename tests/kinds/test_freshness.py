"""The freshness check, run by run."""

from __future__ import annotations

from retrain_gate.kinds.days import Context
from tests.kinds.helpers import at, daily, judged, reasons, rule, runs


def test_fresh_stale_in_the_future_and_no_data() -> None:
    ctx = Context(model="m", now=at(1), series=daily(acc=[1, 1]))
    days = runs(ctx, (at(1), 0), (at(2), 1), (at(4), 2), (at(1, 12), 2))
    statuses, outcomes = judged(rule("freshness", role="check", freshness="1d"), days)
    assert statuses == ["error", "passed", "failed", "failed"]
    assert reasons(outcomes) == [
        "no observations at all",
        "newest observation 2026-03-01 is 24h old: within 1d",
        "newest observation 2026-03-02 is 2.0d old: older than 1d",
        "newest observation 2026-03-02 is in the future (m.csv:3)",
    ]

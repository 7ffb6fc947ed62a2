"""The gaps check, run by run."""

from __future__ import annotations

from retrain_gate.kinds.days import Context
from tests.kinds.helpers import at, daily, judged, reasons, rule, runs


def test_a_gap_inside_or_into_the_window_fails() -> None:
    # observations on 03-01, 03-02, 03-05, 03-06
    ctx = Context(model="m", now=at(1), series=daily(acc=[1, 1, 1, 1], skip=(3, 4)))
    days = runs(ctx, (at(3), 2), (at(7), 4), (at(11), 4), (at(20), 4))
    statuses, outcomes = judged(rule("gaps", role="check", max_gap="1d", window="7d"), days)
    assert statuses == ["passed", "failed", "failed", "failed"]
    assert reasons(outcomes) == [
        "2 observations in the last 7d, none more than 1d apart",
        "1 gap over 1d in the last 7d: 2026-03-02 -> 2026-03-05",
        "1 gap over 1d in the last 7d: 2026-03-02 -> 2026-03-05",  # into the window
        "no observations in the last 7d",
    ]
    assert outcomes[1].observed == "3d"

"""The threshold trigger, day by day on hand-built series."""

from __future__ import annotations

from tests.kinds.helpers import daily, every_day, judged, reasons, rule


def test_persistence_fires_on_the_second_day_running() -> None:
    days = every_day(daily(acc=[0.9, 0.8, 0.8, 0.9, 0.8]))
    statuses, outcomes = judged(rule("threshold", metric="acc", below=0.85, **{"for": 2}), days)
    assert statuses == ["error", "quiet", "fired", "quiet", "quiet"]
    assert reasons(outcomes)[:3] == [
        "only 1 observation of acc; the rule needs 2",
        "acc 0.8 < 0.85 on 2026-03-02, but only 1 of the last 2 observations (needs 2)",
        "acc 0.8, 0.8 < 0.85 on 2 consecutive observations (2026-03-02, 2026-03-03)",
    ]
    assert [o.observed for o in outcomes[1:]] == [0.8, 0.8, 0.9, 0.8]
    assert [p.value for p in outcomes[3].recent] == [0.9, 0.8, 0.8, 0.9]


def test_a_window_with_a_missing_value_is_an_error_unless_ignored() -> None:
    days = every_day(daily(acc=[0.9, None, 0.8, 0.8]))
    mean = {"metric": "acc", "below": 0.85, "aggregate": "mean", "window": 2}
    statuses, outcomes = judged(rule("threshold", **mean), days)
    assert statuses == ["error", "error", "error", "fired"]
    assert reasons(outcomes) == [
        "only 1 observation of acc; the rule needs 2",
        "acc is missing on 2026-03-02 (m.csv:3)",
        "acc is missing on 2026-03-02 (m.csv:3)",
        "acc (mean of the last 2) 0.8 < 0.85 on 2026-03-04",
    ]
    statuses, outcomes = judged(rule("threshold", missing="ignore", **mean), days)
    assert statuses == ["error", "error", "quiet", "fired"]
    # the mean of 0.9 and 0.8 is 0.85 up to rounding: equal does not fire
    assert reasons(outcomes)[1:3] == [
        "only 1 observation of acc; the rule needs 2",
        "acc (mean of the last 2) 0.85 >= 0.85 on 2026-03-03",
    ]


def test_an_unreadable_series_is_an_error_on_every_day() -> None:
    days = every_day(daily(acc=[0.9, 0.8]))
    days = type(days)(ctx=type(days.ctx)(model="m", now=days.ctx.now), nows=days.nows, ends=[0, 0])
    statuses, outcomes = judged(rule("threshold", metric="acc", above=1), days)
    assert statuses == ["error", "error"]
    assert outcomes[0].reason == "not evaluated: no metric series"

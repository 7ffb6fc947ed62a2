"""The data_growth trigger, day by day on hand-built series."""

from __future__ import annotations

from tests.kinds.helpers import at, card, daily, every_day, judged, reasons, rule


def test_rows_since_training_add_up_and_a_missing_count_is_an_error() -> None:
    days = every_day(daily(rows=[100, 200, None, 300]), baseline=card(at(1, 12), rows=400))
    options = {"metric": "rows", "growth_since_baseline": "100%", "count": "since_training"}
    statuses, outcomes = judged(rule("data_growth", **options), days)
    assert statuses == ["quiet", "quiet", "error", "error"]
    assert reasons(outcomes)[:3] == [
        "0 rows since training on 2026-03-01T12:00Z vs 400 at training: +0.0%, not more than 100%",
        "200 rows since training on 2026-03-01T12:00Z vs 400 at training: +50.0%, "
        "not more than 100%",
        "rows is missing on 2026-03-03 (m.csv:4)",
    ]
    statuses, outcomes = judged(rule("data_growth", missing="ignore", **options), days)
    assert statuses == ["quiet", "quiet", "quiet", "fired"]
    assert outcomes[3].reason == (
        "500 rows since training on 2026-03-01T12:00Z vs 400 at training: +125.0%, more than 100%"
    )
    assert outcomes[3].observed == 1.25


def test_the_latest_count_against_the_card() -> None:
    days = every_day(daily(rows=[1000, 1300]), baseline=card(at(1), rows=1000))
    statuses, outcomes = judged(rule("data_growth", metric="rows", growth_since_baseline=200), days)
    assert statuses == ["quiet", "fired"]
    assert (
        outcomes[1].reason == "rows 1,300 on 2026-03-02 vs 1,000 at training: +300, more than 200"
    )

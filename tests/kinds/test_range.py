"""The range check, day by day on hand-built series."""

from __future__ import annotations

from tests.kinds.helpers import daily, every_day, judged, reasons, rule


def test_out_of_range_twice_running_fails_and_warns_at_severity_warn() -> None:
    days = every_day(daily(rows=[1200, 900, 800, 1100]))
    options = {"metric": "rows", "at_least": 1000, "for": 2}
    statuses, outcomes = judged(rule("range", role="check", **options), days)
    assert statuses == ["error", "passed", "failed", "passed"]
    assert reasons(outcomes) == [
        "only 1 observation of rows; the rule needs 2",
        "rows 900 on 2026-03-02 is not >= 1,000, but only 1 of the last 2 observations "
        "(fails on 2)",
        "rows 900, 800 are not >= 1,000 on 2 consecutive observations (2026-03-02, 2026-03-03)",
        "rows 1,100 on 2026-03-04 is >= 1,000",
    ]
    statuses, _ = judged(rule("range", role="check", severity="warn", **options), days)
    assert statuses == ["error", "passed", "warned", "passed"]

"""The anomaly trigger, day by day on hand-built series."""

from __future__ import annotations

from tests.kinds.helpers import daily, every_day, judged, reasons, rule


def test_needs_three_reference_values_then_fires_far_from_the_mean() -> None:
    days = every_day(daily(a=[0.0, 1.0, 2.0, 1.0, 5.0]))
    options = {"metric": "a", "outside_sigma": 2, "reference_window": 3}
    statuses, outcomes = judged(rule("anomaly", **options), days)
    assert statuses == ["error", "error", "error", "quiet", "fired"]
    assert reasons(outcomes) == [
        "only 0 reference values before 2026-03-01; needs 3",
        "only 1 reference values before 2026-03-02; needs 3",
        "only 2 reference values before 2026-03-03; needs 3",
        "a 1 on 2026-03-04 is 0.0σ above its reference mean 1 (σ 1): not more than 2σ away",
        "a 5 on 2026-03-05 is 6.4σ above its reference mean 1.333 (σ 0.577): more than 2σ away",
    ]
    assert outcomes[4].threshold == "1.333 ± 2σ"


def test_a_missing_value_judged_is_an_error_unless_ignored() -> None:
    days = every_day(daily(a=[0.0, 1.0, 2.0, None]))
    options = {"metric": "a", "outside_sigma": 2, "reference_window": "7d"}
    statuses, outcomes = judged(rule("anomaly", **options), days)
    assert statuses[3] == "error"
    assert outcomes[3].reason == "a is missing on 2026-03-04 (m.csv:5)"
    statuses, outcomes = judged(rule("anomaly", missing="ignore", **options), days)
    assert outcomes[3].reason == "no values of a to judge"

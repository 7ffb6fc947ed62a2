"""The model_age trigger, day by day."""

from __future__ import annotations

from tests.kinds.helpers import at, card, daily, every_day, judged, reasons, rule


def test_older_than_max_age_fires_strictly() -> None:
    days = every_day(daily(acc=[1, 1, 1]), baseline=card(at(1)))
    statuses, outcomes = judged(rule("model_age", max_age="2d"), days)
    assert statuses == ["quiet", "quiet", "fired"]
    assert reasons(outcomes) == [
        "model trained 2026-03-01, 1.0 days ago: not older than 2d",
        "model trained 2026-03-01, 2.0 days ago: not older than 2d",
        "model trained 2026-03-01, 3.0 days ago: older than 2d",
    ]
    assert [o.observed for o in outcomes] == ["1.0d", "2.0d", "3.0d"]


def test_without_a_card_it_is_an_error() -> None:
    statuses, outcomes = judged(rule("model_age", max_age="2d"), every_day(daily(acc=[1, 1])))
    assert statuses == ["error", "error"]
    assert outcomes[0].reason == "cannot tell the model's age: no `baseline:` in the config"

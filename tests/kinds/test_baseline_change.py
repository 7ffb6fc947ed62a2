"""The baseline_change trigger, day by day on hand-built series."""

from __future__ import annotations

from tests.kinds.helpers import at, card, daily, every_day, judged, reasons, rule


def test_a_drop_from_the_card_and_a_card_from_the_future() -> None:
    days = every_day(daily(acc=[0.85, 0.88, 0.86]), baseline=card(at(2, 12), acc=0.9))
    statuses, outcomes = judged(
        rule("baseline_change", metric="acc", drop_from_baseline="3%"), days
    )
    assert statuses == ["error", "quiet", "fired"]
    assert reasons(outcomes) == [
        "the model card card.json says the model was trained 2026-03-02T12:00Z, after now "
        "(2026-03-02): a clock or time-zone error, or --now before the training",
        "acc 0.88 on 2026-03-02 vs 0.9 at training: a drop of 2.2%, not more than 3%",
        "acc 0.86 on 2026-03-03 vs 0.9 at training: a drop of 4.4%, more than 3%",
    ]
    assert outcomes[2].threshold == "drop > 3%"


def test_no_value_in_the_card_is_an_error_on_every_day() -> None:
    days = every_day(daily(acc=[0.85, 0.88]), baseline=card(at(1), rows=10))
    statuses, outcomes = judged(rule("baseline_change", metric="acc", rise_from_baseline=1), days)
    assert statuses == ["error", "error"]
    assert outcomes[1].reason == (
        "the model card card.json has no value for acc (looked for `acc` and `metrics.acc`)"
    )

"""The group trigger, judged from its members day by day."""

from __future__ import annotations

from tests.kinds.helpers import daily, every_day, judged, reasons, rule


def test_all_needs_every_member_and_an_error_member_fails_closed() -> None:
    days = every_day(daily(acc=[0.8, 0.8, 0.9, None], rows=[900, 1100, 1100, 1100]))
    low = rule("threshold", name="low", metric="acc", below=0.85)
    big = rule("threshold", name="big", metric="rows", above=1000)
    statuses, outcomes = judged(rule("group", name="both", all=(low, big)), days)
    assert statuses == ["quiet", "fired", "quiet", "error"]
    assert reasons(outcomes) == [
        "1 of 2 fired, all needed: low fired; big quiet (rows 900 <= 1,000 on 2026-03-01)",
        "all 2 fired: low (acc 0.8 < 0.85 on 2026-03-02); big (rows 1,100 > 1,000 on 2026-03-02)",
        "1 of 2 fired, all needed: low quiet (acc 0.9 >= 0.85 on 2026-03-03); big fired",
        "member low could not be evaluated (acc is missing on 2026-03-04 (m.csv:5))",
    ]
    assert [m.status for m in outcomes[1].members] == ["fired", "fired"]
    statuses, outcomes = judged(rule("group", name="either", any=(low, big)), days)
    assert statuses == ["fired", "fired", "fired", "error"]
    assert outcomes[2].reason == (
        "1 of 2 fired, one is enough: low quiet; big fired (rows 1,100 > 1,000 on 2026-03-03)"
    )

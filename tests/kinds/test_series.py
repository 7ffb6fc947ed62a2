"""Window membership: one definition (`window_start`), and the sweep that gives it for every
point at once (`window_starts`, what a judgement over many days uses)."""

from __future__ import annotations

import random
from datetime import timedelta

from retrain_gate.kinds.series import window_start, window_starts
from tests.kinds.helpers import START


def test_the_sweep_gives_each_point_its_window_start() -> None:
    rng = random.Random(17)
    for _ in range(500):
        times, when = [], START
        for _ in range(rng.randint(0, 30)):
            times.append(when)
            when += timedelta(hours=rng.choice((0, 6, 12, 24, 24, 24, 48, 72)))
        span = rng.choice((1, 2, 3, 7, timedelta(0), timedelta(hours=36), timedelta(days=3)))
        for before in (False, True):
            expected = [window_start(times, p, span, before=before) for p in range(len(times))]
            assert window_starts(times, span, before=before) == expected, (times, span, before)


def test_a_window_of_a_duration_holds_the_points_after_its_start() -> None:
    times = [START + timedelta(days=d) for d in (0, 1, 3, 4)]
    # 2d back from day 4 is day 2: days 3 and 4 are inside
    assert window_starts(times, timedelta(days=2)) == [0, 0, 2, 2]
    # a reference window of 2d before day 3 starts on day 1 (inclusive), excludes day 3
    assert window_starts(times, timedelta(days=2), before=True) == [0, 0, 1, 2]
    assert window_starts(times, 2) == [0, 0, 1, 2]
    assert window_starts(times, 2, before=True) == [0, 0, 0, 1]

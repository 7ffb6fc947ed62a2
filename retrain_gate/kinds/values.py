"""How a rule compares values and writes them: strictly past a limit up to rounding noise,
numbers as people write them, dates as short as they can be."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime

# Metric values and thresholds are decimals written in files; their binary floats differ in
# the last bits (11000 / 10000 - 1 == 0.10000000000000009). Differences that small are "equal",
# so a value equal to its threshold never fires (or fails) by rounding noise.
REL_TOL = 1e-9
ABS_TOL = 1e-12


def exceeds(value: float, limit: float) -> bool:
    """value > limit, strictly: equal up to floating-point rounding does not count."""
    return value > limit and not math.isclose(value, limit, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def away_from_mean(*, k: float, direction: str) -> Callable[[float, float, float], bool]:
    """Whether a value is more than k standard deviations from the mean, on the side(s)
    `direction` names (`below`, `above` or `both`); chosen once, asked of every day."""
    if direction == "below":
        return lambda value, mean, sd: exceeds(mean - value, k * sd)
    if direction == "above":
        return lambda value, mean, sd: exceeds(value - mean, k * sd)
    return lambda value, mean, sd: exceeds(abs(value - mean), k * sd)


def fmt(value: float, *, apart_from: float | None = None) -> str:
    """Numbers as people write them: 0.87, 12,500, 0.0312.

    With `apart_from` (the threshold it is compared with), a value that differs from it is
    given enough digits not to print equal to it ("0.87496 < 0.875", not "0.875 < 0.875").
    """
    text = _short(value)
    if apart_from is None or not (exceeds(value, apart_from) or exceeds(apart_from, value)):
        return text
    limit_text = _short(apart_from)
    digits = 5
    while _number(text) == _number(limit_text) and digits <= 17:
        text = f"{value:,.{digits}g}"
        digits += 1
    return text


def _short(value: float) -> str:
    if value == int(value) and abs(value) >= 1000:
        return f"{int(value):,}"
    if value == int(value):
        return str(int(value))
    return f"{value:.4g}" if abs(value) < 1000 else f"{value:,.1f}"


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def percent(fraction: float) -> str:
    """A configured percentage as written: 0.03 -> '3%', 0.025 -> '2.5%'."""
    return f"{fraction * 100:.4g}%"


def day(time: datetime) -> str:
    """A timestamp as short as it can be: the date alone at midnight."""
    if (time.hour, time.minute, time.second) == (0, 0, 0):
        return time.date().isoformat()
    return time.strftime("%Y-%m-%dT%H:%MZ")

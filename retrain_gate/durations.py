"""Durations (`30d`, `12h`) and percentages (`3%`) as written in the config."""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
# the config schema's pattern for a duration (kinds.DURATION); `_DURATION` reads the same text
DURATION_PATTERN = r"^\s*\d+(\.\d+)?\s*[smhdw]\s*$"
# Durations and times are bounded so that date arithmetic (now - window, trained_at +
# max_age) stays far from the calendar's ends (year 1 and 9999), where Python overflows.
LONGEST = timedelta(days=36525)
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")


def parse_duration(text: str) -> timedelta:
    """`90m`, `12h`, `2d`, `1w` -> timedelta. Raises ValueError with a readable reason."""
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(
            f"{text!r} is not a duration; write a number and a unit: s, m, h, d or w (e.g. '2d')"
        )
    seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if not seconds <= LONGEST.total_seconds():  # `not <=`: inf too
        raise ValueError(
            f"{str(text).strip()!r} is longer than 100 years ({LONGEST.days}d), "
            "the longest duration the gate reads"
        )
    return timedelta(seconds=seconds)


def format_duration(value: timedelta) -> str:
    """The shortest exact spelling: 2d, 36h, 90m, 45s."""
    seconds = value.total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    if seconds >= 86400:
        return f"{seconds / 86400:.1f}d"
    return f"{seconds:g}s"


def parse_amount(value: object) -> tuple[float, bool]:
    """`3%` -> (0.03, True); `0.03` -> (0.03, False). The flag says "relative"."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number or a percentage")
    if isinstance(value, (int, float)):
        return float(value), False
    text = str(value).strip()
    if text.endswith("%"):
        try:
            return float(text[:-1]) / 100.0, True
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a number or a percentage such as '3%'")


def is_number(value: object) -> bool:
    """Text that float() reads (a header's "60", YAML's 1e3 read as text); not None."""
    if not isinstance(value, str):
        return False
    try:
        float(value)
    except ValueError:
        return False
    return True

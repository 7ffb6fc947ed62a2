"""Mermaid `xychart-beta` charts for the job summary, written for the grammar's limits.

The grammar reads plain decimals only (`2.25e+06` is a parse error, so is `nan`), strings
without a double quote, and one label per x-axis category, all of them drawn. So numbers are
written out in full (scaled to millions or millionths when huge or tiny, the unit said in the
axis title), most x labels are left blank (distinct zero-width strings: categories must
differ), and colours are set per chart: Mermaid's xychart has no legend, so the title says
which colour is which, and the colours are ones that read on GitHub's light and dark themes.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

# GitHub's own blue, red, orange and grey: visible on a white and on a near-black page
SERIES = "#1f6feb"
LIMIT = "#d1242f"
BAND = "#d4760b"
REFERENCE = "#8c959f"
COLOUR_NAMES = {SERIES: "blue", LIMIT: "red", BAND: "orange", REFERENCE: "grey"}
# date labels on the x axis: about this many, whatever the number of points
AXIS_LABELS = 6
ZERO_WIDTH = "\u200b"
# blank labels must still differ: an index written in four invisible characters
_INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060")


@dataclass(frozen=True)
class Scale:
    """Values are divided by `factor` to be drawn; `unit` goes in the axis title."""

    factor: float
    unit: str

    def apply(self, value: float) -> float:
        return value / self.factor


_SCALES = (
    (1e12, Scale(1e12, "trillions")),
    (1e9, Scale(1e9, "billions")),
    (1e6, Scale(1e6, "millions")),
)
_SMALL_SCALES = (
    (1e-9, Scale(1e-12, "per trillion")),
    (1e-6, Scale(1e-9, "per billion")),
    (1e-3, Scale(1e-6, "per million")),
)


def scale_for(values: Sequence[float]) -> Scale:
    """Millions (and up) when the largest value reaches a million; per million (and down)
    when every non-zero value is under a thousandth; else the values as they are."""
    largest = max((abs(v) for v in values), default=0.0)
    for bound, scale in _SCALES:
        if largest >= bound:
            return scale
    if largest == 0:
        return Scale(1.0, "")
    for bound, scale in _SMALL_SCALES:
        if largest < bound:
            return scale
    return Scale(1.0, "")


def number(value: float) -> str:
    """A finite float in the grammar's form: plain decimal, 6 significant digits, no exponent,
    no trailing zeros. `2250000`, `0.00000015`, `-0.5`."""
    if not math.isfinite(value):
        raise ValueError(f"Mermaid cannot draw {value!r}")
    text = format(Decimal(f"{value:.6g}"), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def label(text: str) -> str:
    """User text in a Mermaid string: letters, digits and plain punctuation only, since
    Mermaid reads quotes, brackets, `#`, `;` and HTML in labels."""
    return re.sub(r"[^\w .:/+%=,()@-]", "_", text)


def axis_labels(times: Sequence[datetime]) -> list[str]:
    """About AXIS_LABELS evenly spaced dates (the first and last always), the other
    categories blank but distinct (Mermaid keys categories by their text)."""
    count = len(times)
    if count == 0:
        return []
    form = "%m-%d"
    if len({t.strftime(form) for t in times}) < count:  # several a day: add the time
        form = "%m-%d %H:%M"
    step = max(1, math.ceil((count - 1) / (AXIS_LABELS - 1))) if count > 1 else 1
    shown = set(range(0, count, step)) | {count - 1}
    if count - 1 - max(shown - {count - 1}, default=-step) < step / 2 and count > 2:
        shown.discard(max(shown - {count - 1}))  # no two labels on top of each other
    return [times[i].strftime(form) if i in shown else blank(i) for i in range(count)]


def blank(index: int) -> str:
    """An invisible label, different for each index (base 4 in zero-width characters)."""
    digits = [_INVISIBLE[0]]
    while index:
        index, digit = divmod(index, 4)
        digits.append(_INVISIBLE[digit])
    return "".join(digits)


def _visible(text: str) -> bool:
    return bool(text.strip("".join(_INVISIBLE)))


def init_line(palette: Sequence[str]) -> str:
    """The chart's colours, in the order its series are written."""
    settings = {"themeVariables": {"xyChart": {"plotColorPalette": ", ".join(palette)}}}
    return f"%%{{init: {json.dumps(settings)}}}%%"


@dataclass(frozen=True)
class Series:
    kind: str  # "line" or "bar"
    values: tuple[float, ...]
    colour: str


def chart(
    *,
    title: str,
    x_labels: Sequence[str],
    y_title: str,
    series: Sequence[Series],
    pad: float = 0.1,
) -> list[str]:
    """A fenced Mermaid block; every value finite (the caller leaves the others out)."""
    values = [v for s in series for v in s.values]
    scale = scale_for(values)
    drawn = [scale.apply(v) for v in values]
    low, high = min(drawn), max(drawn)
    margin = (high - low) * pad or abs(high) * 0.05 or 1.0
    bottom = low - margin
    if low >= 0 > bottom:  # proportions and counts: the axis need not go below zero
        bottom = 0.0
    if any(s.kind == "bar" for s in series):  # a bar's height is read from zero
        bottom = min(bottom, 0.0)
    unit = f" ({scale.unit})" if scale.unit else ""
    names: list[str] = []
    for x in x_labels:
        name = label(x) if _visible(x) else x
        while name in names:  # Mermaid keys categories by their text: keep them apart
            name += ZERO_WIDTH
        names.append(name)
    categories = ", ".join(f'"{name}"' for name in names)
    lines = [
        "```mermaid",
        init_line([s.colour for s in series]),
        "xychart-beta",
        f'    title "{label(title)}"',
        f"    x-axis [{categories}]",
        f'    y-axis "{label(y_title)}{unit}" {number(bottom)} --> {number(high + margin)}',
    ]
    for s in series:
        lines.append(f"    {s.kind} [{', '.join(number(scale.apply(v)) for v in s.values)}]")
    lines.append("```")
    return lines

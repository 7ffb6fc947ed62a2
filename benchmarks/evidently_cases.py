"""The data sets retrain-gate is compared with Evidently on, made with the standard library only
(from `random.Random(seed).random()`, stable across Python versions, through inverse CDFs, and
rounded), so that a venv holding Evidently, the tests and the benchmarks build the same values.

Used by benchmarks/evidently_fixtures.py (which records Evidently's answers in
tests/fixtures/evidently.json), by tests/test_drift_evidently.py and by
benchmarks/drift_vs_evidently.py.
"""

from __future__ import annotations

import math
import random
from statistics import NormalDist

Values = list[float] | list[str]


def normal(seed: int, size: int, mean: float = 0.0, sd: float = 1.0) -> list[float]:
    rng = random.Random(seed)
    dist = NormalDist(mean, sd)
    return [round(dist.inv_cdf(_open(rng.random())), 4) for _ in range(size)]


def cauchy(seed: int, size: int) -> list[float]:
    rng = random.Random(seed)
    return [round(math.tan(math.pi * (_open(rng.random()) - 0.5)), 4) for _ in range(size)]


def integers(seed: int, size: int, weights: list[float]) -> list[float]:
    """Small whole numbers 0, 1, ... with the given weights (few distinct values)."""
    return [float(i) for i in _pick(seed, size, weights)]


def labels(seed: int, size: int, names: list[str], weights: list[float]) -> list[str]:
    return [names[i] for i in _pick(seed, size, weights)]


def _pick(seed: int, size: int, weights: list[float]) -> list[int]:
    rng = random.Random(seed)
    total = sum(weights)
    bounds = [sum(weights[: i + 1]) / total for i in range(len(weights))]
    out = []
    for _ in range(size):
        u = rng.random()
        out.append(next(i for i, bound in enumerate(bounds) if u < bound or i == len(bounds) - 1))
    return out


def _open(u: float) -> float:
    return min(max(u, 1e-12), 1 - 1e-12)


# name -> (reference, current, Evidently's column type, the stattests to record)
def feature_cases() -> dict[str, tuple[Values, Values, str, tuple[str, ...]]]:
    numeric = ("psi", "jensenshannon", "wasserstein", "ks")
    categorical = ("psi", "jensenshannon", "chisquare")
    return {
        "normal shifted": (normal(1, 1500), normal(2, 1400, 0.3), "num", numeric),
        "normal same": (normal(3, 1500), normal(4, 1500), "num", numeric),
        "normal scaled, small": (normal(5, 300), normal(6, 250, 0, 1.3), "num", numeric),
        "cauchy same": (cauchy(7, 2000), cauchy(8, 2000), "num", numeric),
        "integers": (
            integers(9, 1200, [5, 4, 3, 2, 1, 1, 1, 1]),
            integers(10, 1000, [4, 4, 3, 3, 2, 1, 1, 0, 1]),
            "num",
            numeric,
        ),
        "categories, one new": (
            labels(11, 800, ["fr", "de", "it"], [6, 3, 1]),
            labels(12, 700, ["fr", "de", "it", "es"], [5, 3, 1, 1]),
            "cat",
            ("psi", "jensenshannon"),
        ),
        "categories": (
            labels(13, 800, ["web", "ios", "android"], [5, 3, 2]),
            labels(14, 900, ["web", "ios", "android"], [5, 2.5, 2.5]),
            "cat",
            categorical,
        ),
        "binary": (
            labels(15, 500, ["yes", "no"], [7, 3]),
            labels(16, 450, ["yes", "no"], [6, 4]),
            "cat",
            ("z",),
        ),
    }


# name -> (reference columns, current columns, column types): Evidently picks each test
def dataset_cases() -> dict[str, tuple[dict[str, Values], dict[str, Values], dict[str, str]]]:
    types = {"age": "num", "income": "num", "visits": "num", "country": "cat", "plan": "cat"}

    def frame(seed: int, rows: int, shift: float) -> dict[str, Values]:
        return {
            "age": normal(seed, rows, 40 + 10 * shift, 10),
            "income": normal(seed + 1, rows, 3000, 500),
            "visits": integers(seed + 2, rows, [3, 3, 2, 1]),
            "country": labels(
                seed + 3, rows, ["fr", "de", "it"], [6 - 3 * shift, 3, 1 + 3 * shift]
            ),
            "plan": labels(seed + 4, rows, ["free", "pro"], [7, 3]),
        }

    return {
        "large": (frame(100, 1500, 0.0), frame(200, 1300, 0.3), types),
        "small": (frame(300, 600, 0.0), frame(400, 500, 0.3), types),
    }

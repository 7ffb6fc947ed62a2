"""Chi-square and Wasserstein against scipy; the drift measures' p-values."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from scipy import stats

from retrain_gate.errors import DataError
from retrain_gate.kinds.drift_metric import measure
from retrain_gate.kinds.drift_tests import (
    chi2_sf,
    chi_square,
    normalised_wasserstein,
    wasserstein,
)
from retrain_gate.sources.samples import Histogram, Sample

CHI_CASES = [
    ([10, 20, 30, 40], [12, 18, 33, 37]),
    ([500, 300, 200], [450, 350, 230]),
    ([5, 0, 3, 2], [1, 4, 0, 5]),  # zeros on each side
    ([100, 0, 7, 0], [80, 3, 9, 0]),  # a category empty on both sides is dropped
    ([30, 70], [45, 55]),  # one degree of freedom: no continuity correction
    ([10_000, 1, 2, 3], [9_000, 50, 2, 1]),
]


@pytest.mark.parametrize(("reference", "current"), CHI_CASES)
def test_chi_square_homogeneity_matches_chi2_contingency(
    reference: list[int], current: list[int]
) -> None:
    table = np.array([reference, current])
    table = table[:, table.sum(axis=0) > 0]
    expected = stats.chi2_contingency(table, correction=False)
    statistic, p_value = chi_square(reference, current)
    assert statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert p_value == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize(("reference", "current"), [c for c in CHI_CASES if 0 not in c[0]])
def test_chi_square_goodness_of_fit_matches_scipy_chisquare(
    reference: list[int], current: list[int]
) -> None:
    kept = [i for i in range(len(reference)) if reference[i] or current[i]]
    ref = np.array([reference[i] for i in kept], dtype=float)
    cur = np.array([current[i] for i in kept], dtype=float)
    expected = stats.chisquare(cur, ref * cur.sum() / ref.sum())
    statistic, p_value = chi_square(reference, current, goodness_of_fit=True)
    assert statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert p_value == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)


def test_chi_square_goodness_of_fit_on_a_value_the_reference_never_saw() -> None:
    assert chi_square([10, 0], [5, 5], goodness_of_fit=True) == (math.inf, 0.0)


def test_chi_square_one_category_has_no_freedom() -> None:
    assert chi_square([10, 0], [5, 0]) == (0.0, 1.0)


@pytest.mark.parametrize("freedom", [1, 2, 3, 9, 30, 999, 99_999])
@pytest.mark.parametrize("scale", [0.01, 0.3, 0.9, 1.0, 1.1, 1.5, 3.0])
def test_chi2_survival_function_matches_scipy(freedom: int, scale: float) -> None:
    x = freedom * scale
    assert chi2_sf(x, freedom) == pytest.approx(float(stats.chi2.sf(x, freedom)), rel=1e-9)


def test_chi2_survival_function_far_in_the_tail() -> None:
    assert chi2_sf(2000.0, 10) == pytest.approx(float(stats.chi2.sf(2000.0, 10)), rel=1e-9)
    assert chi2_sf(0.0, 3) == 1.0


_rng = random.Random(5)
W_CASES = {
    "shifted normals": (
        [_rng.gauss(0, 1) for _ in range(400)],
        [_rng.gauss(0.5, 1) for _ in range(300)],
    ),
    "ties": ([_rng.randint(0, 5) for _ in range(200)], [_rng.randint(1, 6) for _ in range(90)]),
    "one value each": ([0.5], [2.0]),
    "identical": ([1.0, 2.0, 2.0, 7.0], [7.0, 2.0, 1.0, 2.0]),
    "disjoint": ([1.0, 2.0, 3.0], [10.0, 11.0]),
    # equal sizes: the k-th smallest values are paired (no walk)
    "equal sizes, shifted": (
        [_rng.gauss(0, 1) for _ in range(500)],
        [_rng.gauss(0.2, 3) for _ in range(500)],
    ),
    "equal sizes, ties": ([_rng.randint(0, 3) for _ in range(300)], [2] * 150 + [5] * 150),
}


@pytest.mark.parametrize("name", list(W_CASES))
def test_wasserstein_matches_scipy(name: str) -> None:
    reference, current = W_CASES[name]
    expected = stats.wasserstein_distance(reference, current)
    assert wasserstein(reference, current) == pytest.approx(expected, rel=1e-12, abs=1e-15)
    norm = max(float(np.std(reference)), 0.001)
    assert normalised_wasserstein(reference, current) == pytest.approx(
        expected / norm, rel=1e-12, abs=1e-15
    )


def test_wasserstein_rejects_an_empty_sample() -> None:
    with pytest.raises(DataError, match="reference sample is empty"):
        wasserstein([], [1.0])


def test_measure_chisquare_on_categories_and_on_samples() -> None:
    reference = Histogram(edges=None, categories=("fr", "de"), counts=(60.0, 40.0))
    current = Histogram(edges=None, categories=("de", "it"), counts=(50.0, 10.0))
    measured = measure("chisquare", reference, current)
    expected = stats.chi2_contingency([[60, 40, 0], [0, 50, 10]], correction=False)
    assert measured.statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert measured.p_value == pytest.approx(expected.pvalue, rel=1e-9)


def test_measure_chisquare_refuses_proportions() -> None:
    reference = Histogram(edges=None, categories=("a", "b"), counts=(0.6, 0.4))
    with pytest.raises(DataError, match="chi-square needs counts, but the reference histogram"):
        measure("chisquare", reference, reference)


def test_measure_wasserstein_needs_samples() -> None:
    histogram = Histogram(edges=(0.0, 1.0), categories=None, counts=(1.0,))
    with pytest.raises(DataError, match="Wasserstein needs committed samples"):
        measure("wasserstein", histogram, Sample((1.0,)))


def _big_cases() -> dict[str, tuple[list[float], list[float]]]:
    rng = random.Random(21)
    same = [rng.gauss(0, 1) for _ in range(30_000)]
    return {
        "shifted": (same, [rng.gauss(0.05, 1) for _ in range(25_000)]),
        "same distribution": (same, [rng.gauss(0, 1) for _ in range(30_000)]),
        "identical": (same, list(same)),
        "heavy ties": (
            [float(rng.randint(0, 40)) for _ in range(40_000)],
            [float(rng.randint(1, 41)) for _ in range(15_000)],
        ),
        "ties at grid values": ([float(i // 300) for i in range(30_000)], [5.0] * 9000),
        "disjoint": ([rng.random() for _ in range(20_000)], [2 + rng.random() for _ in range(9)]),
        "tail only": (same, [*same[:20_000], *[10.0] * 500]),
        "tiny current": (same, [0.1]),
    }


@pytest.mark.parametrize("name", list(_big_cases()))
def test_ks_statistic_on_large_samples_matches_scipy(name: str) -> None:
    from retrain_gate.kinds.drift_tests import ks_2samp

    # above 20,000 values the walk is pruned by bounds from a grid: still exact
    reference, current = _big_cases()[name]
    statistic, _p = ks_2samp(reference, current)
    assert statistic == pytest.approx(stats.ks_2samp(reference, current).statistic, abs=1e-15)

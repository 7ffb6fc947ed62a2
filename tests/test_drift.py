"""Drift metrics against scipy/numpy as the reference, binning rules, and file parsing errors."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import numpy as np
import pytest
import yaml
from scipy import special, stats
from scipy.spatial.distance import jensenshannon

from retrain_gate.errors import ConfigError, DataError
from retrain_gate.kinds import drift_tests
from retrain_gate.kinds.drift_measures import js_distance, psi, to_histogram
from retrain_gate.kinds.drift_metric import compare
from retrain_gate.kinds.drift_tests import kolmogorov_sf as _kolmogorov_sf
from retrain_gate.sources.distributions import Unreadable, parse_distributions
from retrain_gate.sources.samples import Histogram, Sample


def numeric(edges: Sequence[float], counts: Sequence[float]) -> Histogram:
    return Histogram(
        edges=tuple(float(e) for e in edges),
        categories=None,
        counts=tuple(float(c) for c in counts),
    )


def categorical(labels: Sequence[str], counts: Sequence[float]) -> Histogram:
    return Histogram(edges=None, categories=tuple(labels), counts=tuple(float(c) for c in counts))


def sample(values: Sequence[float]) -> Sample:
    return Sample(tuple(float(v) for v in values))


def ks_2samp(reference: Sample, current: Sample) -> tuple[float, float]:
    return drift_tests.ks_2samp(reference.values, current.values)


def scipy_psi(
    reference: Sequence[float], current: Sequence[float], epsilon: float | None = None
) -> float:
    """Independent PSI: symmetric relative entropy on substituted proportions (an empty bin is
    `epsilon`, or else half an observation of its side); bins empty on both sides dropped."""
    ref = np.asarray(reference, dtype=float)
    cur = np.asarray(current, dtype=float)
    kept = (ref > 0) | (cur > 0)
    ref_floor = epsilon if epsilon is not None else 0.5 / ref.sum()
    cur_floor = epsilon if epsilon is not None else 0.5 / cur.sum()
    ref, cur = ref[kept] / ref.sum(), cur[kept] / cur.sum()
    ref[ref == 0] = ref_floor
    cur[cur == 0] = cur_floor
    return float(np.sum(special.rel_entr(cur, ref) + special.rel_entr(ref, cur)))


_rng = random.Random(20240611)

KS_CASES: dict[str, tuple[list[float], list[float]]] = {
    "shifted normals, different sizes": (
        [_rng.gauss(0, 1) for _ in range(300)],
        [_rng.gauss(0.3, 1.2) for _ in range(170)],
    ),
    "heavy ties": (
        [_rng.randint(0, 5) for _ in range(200)],
        [_rng.randint(1, 6) for _ in range(77)],
    ),
    "ties across both samples": ([1, 1, 2, 2, 2, 3], [2, 2, 3, 3, 3, 3, 4]),
    "one value each": ([0.5], [0.7]),
    "interleaved": ([1, 3, 5, 7, 9], [2, 4, 6, 8, 10, 12]),
    "tiny and large": ([0.0, 1.0, 2.0], [_rng.uniform(-1, 3) for _ in range(5000)]),
    "identical": ([1.5, 2.5, 2.5, 9.0], [1.5, 2.5, 2.5, 9.0]),
    "disjoint": ([1, 2, 3, 4], [10, 11, 12]),
}


# --------------------------------------------------------------------------- KS


@pytest.mark.parametrize("name", list(KS_CASES))
def test_ks_statistic_and_p_value_match_scipy(name: str) -> None:
    reference, current = KS_CASES[name]
    statistic, p_value = ks_2samp(sample(reference), sample(current))

    assert statistic == pytest.approx(stats.ks_2samp(reference, current).statistic, abs=1e-9)
    n, m = len(reference), len(current)
    expected_p = special.kolmogorov(math.sqrt(n * m / (n + m)) * statistic)
    assert p_value == pytest.approx(float(expected_p), abs=1e-9)
    assert 0.0 <= p_value <= 1.0


def test_ks_identical_samples_give_zero_and_p_one() -> None:
    values = [3.0, 1.0, 2.0, 2.0]
    assert ks_2samp(sample(values), sample(list(reversed(values)))) == (0.0, 1.0)


def test_ks_disjoint_samples_give_one() -> None:
    statistic, p_value = ks_2samp(sample([1, 2, 3] * 100), sample([7, 8] * 100))
    assert statistic == 1.0
    assert p_value < 1e-30


@pytest.mark.parametrize(
    "x", [0.0, 0.05, 0.2, 0.4, 0.6, 0.8, 0.81, 0.82, 0.83, 1.0, 1.36, 1.63, 2.0, 3.0, 5.0, 40.0]
)
def test_kolmogorov_survival_function_matches_scipy(x: float) -> None:
    assert _kolmogorov_sf(x) == pytest.approx(float(special.kolmogorov(x)), abs=1e-12)


def test_ks_rejects_an_empty_sample() -> None:
    with pytest.raises(DataError, match="current sample is empty"):
        ks_2samp(sample([1.0]), Sample(()))


# --------------------------------------------------------------------------- JS


JS_CASES = [
    ([10, 20, 30, 40], [40, 30, 20, 10]),
    ([5, 0, 3, 2], [1, 4, 0, 5]),  # zeros on each side, in different bins
    ([1, 1, 1], [0, 0, 9]),
    ([0.25, 0.25, 0.5], [0.2, 0.3, 0.5]),  # proportions instead of counts
    ([1000, 1, 1, 0], [999, 2, 0, 1]),
]


@pytest.mark.parametrize(("reference", "current"), JS_CASES)
def test_js_distance_matches_scipy(reference: list[float], current: list[float]) -> None:
    edges = list(range(len(reference) + 1))
    result = js_distance(numeric(edges, reference), numeric(edges, current))
    assert result == pytest.approx(float(jensenshannon(reference, current, base=2)), abs=1e-9)


def test_js_distance_bounds() -> None:
    edges = [0, 1, 2, 3]
    assert js_distance(numeric(edges, [3, 4, 5]), numeric(edges, [6, 8, 10])) == 0.0
    assert js_distance(numeric(edges, [3, 0, 0]), numeric(edges, [0, 4, 5])) == 1.0


def test_js_distance_aligns_categories_by_label() -> None:
    reference = categorical(["web", "ios"], [70, 30])
    current = categorical(["android", "web"], [20, 80])
    expected = jensenshannon([70, 30, 0], [80, 0, 20], base=2)
    assert js_distance(reference, current) == pytest.approx(float(expected), abs=1e-9)


# --------------------------------------------------------------------------- PSI


PSI_CASES = [
    ([10, 20, 30, 40], [12, 18, 33, 37]),
    ([5, 0, 3, 2], [1, 4, 0, 5]),
    ([100, 0, 0, 1], [0, 50, 50, 1]),
    ([100, 0, 0, 1, 0], [0, 500, 50, 1, 0]),  # different n; the last bin is empty on both
]


@pytest.mark.parametrize(("reference", "current"), PSI_CASES)
def test_psi_matches_relative_entropy_reference(
    reference: list[float], current: list[float]
) -> None:
    edges = list(range(len(reference) + 1))
    result = psi(numeric(edges, reference), numeric(edges, current))
    assert result == pytest.approx(scipy_psi(reference, current), abs=1e-9)
    fixed = psi(numeric(edges, reference), numeric(edges, current), epsilon=1e-4)
    assert fixed == pytest.approx(scipy_psi(reference, current, epsilon=1e-4), abs=1e-9)


def test_psi_on_proportions_uses_the_fixed_epsilon() -> None:
    # counts that are not whole numbers are proportions: no n, so empty bins become 1e-4
    edges = [0, 1, 2, 3]
    reference, current = [0.5, 0.5, 0.0], [0.3, 0.3, 0.4]
    result = psi(numeric(edges, reference), numeric(edges, current))
    assert result == pytest.approx(scipy_psi(reference, current, epsilon=1e-4), abs=1e-12)


def test_psi_epsilon_replaces_zero_proportions_without_renormalising() -> None:
    edges = [0, 1, 2, 3]
    reference, current = [5, 5, 0], [4, 4, 2]
    result = psi(numeric(edges, reference), numeric(edges, current), epsilon=0.01)
    assert result == pytest.approx(scipy_psi(reference, current, epsilon=0.01), abs=1e-9)
    # r = [0.5, 0.5, 0.01] (sums to 1.01), c = [0.4, 0.4, 0.2]
    by_hand = 2 * (0.4 - 0.5) * math.log(0.4 / 0.5) + (0.2 - 0.01) * math.log(0.2 / 0.01)
    assert result == pytest.approx(by_hand, abs=1e-12)


def test_psi_hand_computed_example() -> None:
    # r = [0.1, 0 -> 1e-4, 0.3, 0.6], c = [0.2, 0.1, 0.3, 0.4]:
    # 0.1*ln 2 + 0.0999*ln 1000 + 0 + (-0.2)*ln(2/3)
    # = 0.06931472 + 0.69008475 + 0.08109302 = 0.84049249
    reference = numeric([0, 1, 2, 3, 4], [10, 0, 30, 60])
    current = numeric([0, 1, 2, 3, 4], [20, 10, 30, 40])
    assert psi(reference, current, epsilon=1e-4) == pytest.approx(0.840492492047943, abs=1e-12)
    # by default the empty bin is half an observation of the reference's 100: 0.005
    # 0.1*ln 2 + 0.095*ln 20 + 0 + (-0.2)*ln(2/3) = 0.06931472 + 0.28459457 + 0.08109302
    assert psi(reference, current) == pytest.approx(0.4350023056652565, abs=1e-12)


def t2_histograms() -> tuple[list[float], list[float], list[float]]:
    """Two seeded 1M-value samples of Student's t(2), on 1,000 bins (998 equal-width inner
    bins over [-120, 120], open outer ones): the same distribution, sparse tails."""
    rng = np.random.default_rng(2026)
    edges = np.concatenate([[-np.inf], np.linspace(-120, 120, 999), [np.inf]])
    reference = np.histogram(rng.standard_t(2, 1_000_000), edges)[0]
    current = np.histogram(rng.standard_t(2, 1_000_000), edges)[0]
    return [float(e) for e in edges], [int(c) for c in reference], [int(c) for c in current]


def test_psi_does_not_see_drift_in_sparse_bins_of_the_same_heavy_tailed_distribution() -> None:
    edges, reference, current = t2_histograms()
    assert len(reference) == 1000 and reference.count(0) > 100  # sparse tails
    ref, cur = numeric(edges, reference), numeric(edges, current)
    # a fixed 1e-4 stands for 100 observations at 1M: it reads the sparse bins as drift
    assert psi(ref, cur, epsilon=1e-4) > 0.1
    assert psi(ref, cur) < 0.01
    assert psi(ref, cur) == pytest.approx(scipy_psi(reference, current), rel=1e-9)


def test_psi_identical_is_zero() -> None:
    histogram = numeric([0, 1, 2, 3], [7, 0, 3])
    assert psi(histogram, numeric([0, 1, 2, 3], [70, 0, 30])) == 0.0
    assert psi(histogram, histogram) == 0.0


@pytest.mark.parametrize("epsilon", [0.0, -1e-4, 1.5, float("nan")])
def test_psi_rejects_a_bad_epsilon(epsilon: float) -> None:
    histogram = numeric([0, 1, 2], [1, 1])
    with pytest.raises(ConfigError, match="epsilon must be a number between 0 and 1"):
        psi(histogram, histogram, epsilon=epsilon)


# --------------------------------------------------------------------------- binning


def test_to_histogram_bins_samples_on_reference_deciles() -> None:
    rng = random.Random(7)
    reference = [rng.gauss(10, 2) for _ in range(1000)]
    current = [rng.gauss(11, 3) for _ in range(700)] + [-1e6, 1e6]  # far outside the reference
    ref_hist, cur_hist = to_histogram(sample(reference), sample(current))

    assert ref_hist.edges == cur_hist.edges
    assert ref_hist.edges is not None
    assert ref_hist.edges[0] == -math.inf
    assert ref_hist.edges[-1] == math.inf
    deciles = np.quantile(reference, np.arange(1, 10) / 10)
    assert ref_hist.edges[1:-1] == pytest.approx(list(deciles), abs=1e-12)
    assert ref_hist.counts == (100.0,) * 10
    expected = np.bincount(np.searchsorted(deciles, current, side="right"), minlength=10)
    assert cur_hist.counts == tuple(float(c) for c in expected)
    assert sum(cur_hist.counts) == len(current)
    assert cur_hist.counts[0] >= 1 and cur_hist.counts[-1] >= 1  # -1e6 and 1e6 were counted


def test_to_histogram_quartiles_with_bins_option() -> None:
    reference = sample([1, 2, 3, 4, 5, 6, 7, 8, 9])
    ref_hist, cur_hist = to_histogram(reference, sample([0, 3, 5, 5.5, 100]), bins=4)
    assert ref_hist.edges == (-math.inf, 3.0, 5.0, 7.0, math.inf)
    assert ref_hist.counts == (2.0, 2.0, 2.0, 3.0)  # a value equal to an edge goes above it
    assert cur_hist.counts == (1.0, 1.0, 2.0, 1.0)


def test_to_histogram_drops_duplicate_quantile_edges() -> None:
    values = [0] * 60 + [1] * 30 + [2] * 10
    ref_hist, cur_hist = to_histogram(sample(values), sample([0, 1, 2, 2, 3, 0.5]))
    # deciles 0.1-0.5 are all 0, 0.7 and 0.8 are both 1: each edge is kept once
    assert ref_hist.edges == pytest.approx((-math.inf, 0.0, 0.4, 1.0, 1.1, math.inf), abs=1e-12)
    assert ref_hist.edges is not None
    assert ref_hist.edges[1:-1] == pytest.approx(
        sorted(set(np.quantile(values, np.arange(1, 10) / 10))), abs=1e-12
    )
    assert ref_hist.counts == (0.0, 60.0, 0.0, 30.0, 10.0)
    assert cur_hist.counts == (0.0, 1.0, 1.0, 1.0, 3.0)


def test_to_histogram_bins_a_sample_on_the_histograms_edges() -> None:
    histogram = numeric([0, 10, 20, 30], [5, 3, 2])
    binned_reference, binned_current = to_histogram(histogram, sample([-5, 0, 10, 15, 30, 99]))
    assert binned_reference is histogram
    assert binned_current.edges == histogram.edges
    # out-of-range values count in the outer bins; 30 (the last edge) is in the last bin
    assert binned_current.counts == (2.0, 2.0, 2.0)

    binned_reference, binned_current = to_histogram(sample([1, 25, 26]), histogram)
    assert binned_current is histogram
    assert binned_reference.counts == (1.0, 0.0, 2.0)


def test_to_histogram_aligns_categories_by_label() -> None:
    reference, current = to_histogram(
        categorical(["a", "b"], [1, 2]), categorical(["c", "b"], [3, 4])
    )
    assert reference.categories == current.categories == ("a", "b", "c")
    assert reference.counts == (1.0, 2.0, 0.0)
    assert current.counts == (0.0, 4.0, 3.0)


def test_to_histogram_rejects_mismatched_edges() -> None:
    with pytest.raises(DataError) as error:
        to_histogram(numeric([0, 1, 2, 3], [1, 1, 1]), numeric([0, 1, 2.5, 3], [1, 1, 1]))
    assert "different bin edges" in str(error.value)
    assert "bins[2] is 2 in the reference but 2.5 in the current" in str(error.value)

    with pytest.raises(DataError, match="the reference has 3 bins, the current 2"):
        to_histogram(numeric([0, 1, 2, 3], [1, 1, 1]), numeric([0, 1, 3], [1, 1]))


def test_to_histogram_rejects_categories_against_numbers() -> None:
    with pytest.raises(DataError, match="categorical and the other numeric"):
        to_histogram(categorical(["a"], [1]), numeric([0, 1], [1]))
    with pytest.raises(DataError, match="categorical histogram; they cannot be compared"):
        to_histogram(categorical(["a"], [1]), sample([1.0]))


def test_to_histogram_rejects_too_few_bins() -> None:
    with pytest.raises(ConfigError, match="bins must be a whole number of at least 2, got 1"):
        to_histogram(sample([1, 2]), sample([1, 2]), bins=1)


# --------------------------------------------------------------------------- compare


def test_compare_dispatches_to_each_metric() -> None:
    rng = random.Random(3)
    reference = sample([rng.gauss(0, 1) for _ in range(500)])
    current = sample([rng.gauss(0.5, 1) for _ in range(400)])
    ref_hist, cur_hist = to_histogram(reference, current, bins=5)

    assert compare("psi", reference, current, bins=5) == psi(ref_hist, cur_hist)
    assert compare("js", reference, current, bins=5) == js_distance(ref_hist, cur_hist)
    assert compare("ks", reference, current) == ks_2samp(reference, current)[0]
    assert compare("psi", reference, current, bins=5, epsilon=0.05) == psi(
        ref_hist, cur_hist, epsilon=0.05
    )


def test_compare_ks_needs_samples() -> None:
    histogram = numeric([0, 1, 2], [1, 1])
    with pytest.raises(DataError, match="KS needs committed samples, not histograms"):
        compare("ks", histogram, sample([1.0]))


def test_compare_rejects_an_unknown_metric() -> None:
    with pytest.raises(ConfigError, match="unknown drift metric 'kl'"):
        compare("kl", sample([1.0]), sample([1.0]))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- parsing


def test_parse_numeric_histogram() -> None:
    parsed = parse_distributions({"bins": [0, 1, 2.5], "counts": [3, 4]}, source="d.json")
    assert parsed == {"": numeric([0, 1, 2.5], [3, 4])}


def test_parse_categorical_histogram_named_by_feature_key() -> None:
    data = {"feature": "country", "categories": ["fr", "de"], "counts": [0.6, 0.4]}
    assert parse_distributions(data, source="d.json") == {
        "country": categorical(["fr", "de"], [0.6, 0.4])
    }


def test_parse_sample_and_plain_list() -> None:
    assert parse_distributions({"values": [1, 2.5]}, source="d.json") == {"": sample([1, 2.5])}
    assert parse_distributions([3, 1.5], source="d.json") == {"": sample([3, 1.5])}


def test_parse_features_from_yaml_with_infinite_edges() -> None:
    text = """
features:
  age:
    bins: [-.inf, 18, 65, .inf]
    counts: [10, 70, 20]
  plan:
    categories: [free, pro, 2024]
    counts: [5, 1, 0]
  income: [1200.5, 3400, 2800]
"""
    parsed = parse_distributions(yaml.safe_load(text), source="drift/reference.yaml")
    assert parsed == {
        "age": numeric([-math.inf, 18, 65, math.inf], [10, 70, 20]),
        "plan": categorical(["free", "pro", "2024"], [5, 1, 0]),
        "income": sample([1200.5, 3400, 2800]),
    }


BAD_FILES = [
    ({"bins": [0, 1, 2], "counts": [1, 2, 3]}, "'counts' has 3 entries but 'bins' has 3 edges"),
    ({"bins": [0, 2, 1], "counts": [1, 2]}, "strictly increasing: bins[2] = 1 follows bins[1] = 2"),
    ({"bins": [0, 1, 1], "counts": [1, 2]}, "bins[2] = 1 follows bins[1] = 1"),
    ({"bins": [0], "counts": []}, "'bins' has 1 edge(s)"),
    ({"bins": [0, 1, 2], "counts": [1, -2]}, "counts[1] is -2; counts must be non-negative"),
    ({"bins": [0, 1, 2], "counts": [1, float("nan")]}, "counts[1] is NaN"),
    ({"bins": [0, 1, 2], "counts": [float("inf"), 1]}, "counts[0] is inf; it must be finite"),
    ({"bins": [0, float("nan"), 2], "counts": [1, 1]}, "bins[1] is NaN"),
    ({"bins": [0, 1, 2], "counts": [0, 0]}, "counts are all zero"),
    ({"categories": ["a", "b"], "counts": [1]}, "'counts' has 1 entries but 'categories' has 2"),
    ({"categories": ["a", "a"], "counts": [1, 1]}, "categories[1] repeats the label 'a'"),
    ({"categories": ["a", None], "counts": [1, 1]}, "categories[1] is null"),
    ({"categories": ["a"]}, "'categories' without 'counts'"),
    ({"values": []}, "'values' is empty; a sample needs at least one value"),
    ([], "'values' is empty"),
    ({"values": [1, 2, "3"]}, "values[2] is a string ('3'), not a number"),
    ({"values": [None, float("nan")]}, "'values' is empty (2 missing)"),
    ({"values": [1, {"a": 1}]}, "values[1] is a mapping, not a number"),
    (["fr", None, 3], "values[2] is int 3, not a label (a string) like values[0]"),
    ({"values": [1, True]}, "values[1] is a boolean (true), not a number"),
    ({"values": [0.5, float("-inf")]}, "values[1] is -inf; it must be finite"),
    ({"bins": [0, None, 2], "counts": [1, 1]}, "bins[1] is null, not a number"),
    ({"values": "1, 2, 3"}, "'values' must be a list of numbers, got a string"),
    ({"values": [1, 2], "counts": [1, 2]}, "'values' and 'counts' together"),
    ({"bins": [0, 1], "values": [1]}, "ambiguous distribution: it has 'bins', 'values'"),
    ({"edges": [0, 1], "counts": [1]}, "unknown distribution shape (keys: 'counts', 'edges')"),
    ({"edges": [0, 1], "counts": [1]}, 'expected one of {"bins": [...], "counts": [...]}'),
    ("age.json", "expected a distribution, got a string ('age.json')"),
    (None, "expected a distribution, got null"),
    ({"features": []}, "'features' must be a mapping of feature name to distribution"),
    ({"features": {}}, "'features' is empty"),
    ({"features": {"age": {"values": []}}}, "feature 'age': 'values' is empty"),
    ({"features": {"age": {"bins": [0, 1], "counts": [-1]}}}, "feature 'age': counts[0] is -1"),
    ({"features": {"age": {"values": [1, "x"]}}}, "feature 'age': values[1] is a string ('x')"),
    ({"features": {"age": {"count": [1]}}}, "feature 'age': unknown distribution shape"),
    ({"features": {"age": {"feature": "income", "values": [1]}}}, "its 'feature' key says"),
    ({"features": {"age": [1]}, "bins": [0, 1]}, "both 'features' and 'bins' at the top level"),
    ({"feature": 3, "values": [1]}, "'feature' must be a non-empty string, got 3"),
    ({"feature": "age", "bins": [0, 1], "counts": [1, 2]}, "feature 'age': 'counts' has 2"),
]


def parse_error(data: object) -> DataError:
    """The error of a bad file, or of its one bad feature (the others stay readable)."""
    try:
        parsed = parse_distributions(data, source="drift/current.json")
    except DataError as error:
        return error
    (bad,) = [f for f in parsed.values() if isinstance(f, Unreadable)]
    return bad.error


@pytest.mark.parametrize(("data", "problem"), BAD_FILES)
def test_parse_errors_name_the_file_and_the_problem(data: object, problem: str) -> None:
    error = parse_error(data)
    assert error.file == "drift/current.json"
    assert str(error).startswith("drift/current.json: ")
    assert problem in str(error)


def test_parse_error_hints_at_the_accepted_shapes() -> None:
    with pytest.raises(DataError) as error:
        # ({"histogram": [1, 2]} is pandas' to_dict('list'): a feature named histogram)
        parse_distributions({"histogram": "1, 2"}, source="d.yaml")
    assert error.value.hint is not None
    for shape in ('"bins"', '"categories"', '"values"', '"features"', "plain list", "records"):
        assert shape in error.value.hint


# --------------------------------------------------------------------------- scale


def test_ks_and_psi_run_on_200k_values_per_side() -> None:
    rng = random.Random(11)
    reference = Sample(tuple(rng.gauss(0, 1) for _ in range(200_000)))
    same = Sample(tuple(rng.gauss(0, 1) for _ in range(200_000)))
    shifted = Sample(tuple(rng.gauss(0.2, 1) for _ in range(200_000)))

    statistic, p_value = ks_2samp(reference, same)
    assert statistic < 0.01 and p_value > 1e-4
    statistic, p_value = ks_2samp(reference, shifted)
    assert statistic == pytest.approx(0.0797, abs=0.01)  # Phi(0.1) - Phi(-0.1)
    assert p_value < 1e-100
    assert compare("psi", reference, same) < 0.001
    assert 0.03 < compare("psi", reference, shifted) < 0.06


def test_distinct_values_are_counted_up_to_the_limit_only() -> None:
    from retrain_gate.sources.samples import count_distinct

    assert count_distinct([1.0, 2.0, 2.0], [3.0, 1.0], limit=3) == 3
    assert count_distinct([1.0, 2.0, 2.0], [3.0, 4.0], limit=3) is None
    # a late new value still counts: every value is seen when there are few
    few = [float(i % 5) for i in range(100_000)]
    assert count_distinct([*few, 9.0], limit=5) is None
    assert count_distinct(few, limit=5) == 5

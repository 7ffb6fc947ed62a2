"""The dataset_drift trigger through the whole gate: Evidently's per-feature choice of test, the
share (or count) of drifted features, the reason listing them; values checked against scipy."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import special, stats
from scipy.spatial.distance import jensenshannon

from retrain_gate.errors import ConfigError
from retrain_gate.report.markdown import outcome_row
from retrain_gate.results import ModelResult
from tests.conftest import daily_csv
from tests.test_rules import run_gate

SPEC = "dataset_drift: {reference: drift/ref.json, current: drift/cur.json}"


def dataset() -> tuple[dict[str, object], dict[str, object]]:
    """Four features, one of each of Evidently's choices; age and country drift."""
    rng = np.random.default_rng(7)
    reference = {
        "age": rng.normal(40, 10, 2000).round(3).tolist(),  # > 1,000 values: Wasserstein
        "income": rng.normal(3000, 500, 400).round(2).tolist(),  # <= 1,000: KS
        "plan": rng.choice(["free", "pro", "team"], 300, p=[0.6, 0.3, 0.1]).tolist(),  # chi2
        "country": {"categories": ["fr", "de", "it"], "counts": [3000, 1500, 500]},  # JS
    }
    current = {
        "age": rng.normal(44, 10, 2000).round(3).tolist(),  # 0.4 sd older
        "income": rng.normal(3000, 500, 400).round(2).tolist(),
        "plan": rng.choice(["free", "pro", "team"], 300, p=[0.6, 0.3, 0.1]).tolist(),
        "country": {"categories": ["fr", "de", "it"], "counts": [1500, 1500, 2000]},
    }
    return reference, current


def gate(tmp_path: Path, rule: str, reference: object, current: object) -> ModelResult:
    files = {
        "metrics.csv": daily_csv({"rows": [1]}),
        "drift/ref.json": json.dumps(reference),
        "drift/cur.json": json.dumps(current),
    }
    (model,) = run_gate(tmp_path, [rule], files=files).models
    return model


def test_half_the_features_drifted_fires_at_drift_share_one_half(tmp_path: Path) -> None:
    reference, current = dataset()
    model = gate(tmp_path, f"{{name: ds, {SPEC}, drift_share: 0.5}}", reference, current)
    (outcome,) = model.triggers
    assert model.decision == "retrain"
    assert (outcome.kind, outcome.observed, outcome.threshold) == (
        "dataset_drift",
        0.5,
        ">= 50% of features",
    )
    age_ref, age_cur = reference["age"], current["age"]
    w = stats.wasserstein_distance(age_ref, age_cur) / np.std(age_ref)
    js = jensenshannon([3000, 1500, 500], [1500, 1500, 2000], base=2)
    assert "| 50% | &gt;= 50% of features | 🔥 fired |" in outcome_row(outcome)
    assert outcome.reason == (
        "2 of 4 features drifted (50%) >= 50%: "
        f"age (Wasserstein distance (normalised) {w:.3f} > 0.1); "
        f"country (Jensen-Shannon distance {js:.3f} > 0.1201); "
        "drift/cur.json vs drift/ref.json"
    )


def test_a_count_of_drifted_features(tmp_path: Path) -> None:
    reference, current = dataset()
    model = gate(tmp_path, f"{{name: ds, {SPEC}, drifted_features: 3}}", reference, current)
    (outcome,) = model.triggers
    assert model.decision == "skip"
    assert (outcome.observed, outcome.threshold) == (2.0, ">= 3 features")
    assert outcome.reason.startswith("2 of 4 features drifted (50%) < 3 needed: age (")


def test_the_quiet_features_tests_are_evidentlys_choice(tmp_path: Path) -> None:
    # income by KS and plan by chi-square: with thresholds near 1 every feature drifts, and
    # the reason shows each test's p-value, equal to scipy's
    reference, current = dataset()
    rule = (
        f"{{name: ds, {SPEC}, drifted_features: 4, features: "
        "{income: {test: ks, p_below: 0.999}, plan: {test: chisquare, p_below: 0.999}}}"
    )
    (outcome,) = gate(tmp_path, rule, reference, current).triggers
    assert outcome.status == "fired"
    d = stats.ks_2samp(reference["income"], current["income"]).statistic
    p = special.kolmogorov(math.sqrt(400 * 400 / 800) * d)  # the asymptotic p-value
    plan_ref = [reference["plan"].count(v) for v in ("free", "pro", "team")]
    plan_cur = [current["plan"].count(v) for v in ("free", "pro", "team")]
    chi = stats.chi2_contingency([plan_ref, plan_cur], correction=False)
    reason = outcome.reason
    assert f"income (KS p-value {p:.3g} < 0.999, D = {d:.3g})" in reason
    assert f"plan (chi-square p-value {chi.pvalue:.3g} < 0.999, X² = {chi.statistic:.3g})" in (
        reason
    )


def test_a_feature_named_with_its_own_test(tmp_path: Path) -> None:
    reference, current = dataset()
    rule = f"{{name: ds, {SPEC}, drifted_features: 1, features: {{age: {{test: psi, above: 5}}}}}}"
    (outcome,) = gate(tmp_path, rule, reference, current).triggers
    assert outcome.reason.startswith("1 of 4 features drifted (25%) >= 1 needed: country (")


def test_bad_data_in_a_compared_feature_is_an_error_and_ignore_leaves_it_out(
    tmp_path: Path,
) -> None:
    reference, current = dataset()
    current["income"] = [1.0, "n/a"]
    model = gate(tmp_path, f"{{name: ds, {SPEC}, drift_share: 0.5}}", reference, current)
    assert model.decision == "error"
    assert model.triggers[0].reason == (
        "feature 'income': drift/cur.json: feature 'income': values[1] is a string ('n/a'), "
        "not a number like values[0] (a sample holds either numbers or labels, not both)"
    )
    rule = f"{{name: ds, {SPEC}, drift_share: 0.5, ignore: [income]}}"
    (outcome,) = gate(tmp_path, rule, reference, current).triggers
    assert outcome.reason.startswith("2 of 3 features drifted (66.67%) >= 50%")


def test_a_feature_in_one_file_only_is_an_error(tmp_path: Path) -> None:
    reference, current = dataset()
    del current["plan"]
    model = gate(tmp_path, f"{{name: ds, {SPEC}, drift_share: 0.5}}", reference, current)
    assert model.triggers[0].reason == (
        "feature 'plan' is not in drift/cur.json (`ignore: [plan]` leaves it out)"
    )


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ("drift_share: 0.5, drifted_features: 2", "write one of `drift_share:`"),
        ("ignore: [a]", "write one of `drift_share:`"),
        ("drift_share: 0.5, features: {a: {test: psi, p_below: 0.1}}", "a: `p_below:` is for"),
        ("drift_share: 0.5, features: {a: {above: 0.1}}", "a: name its `test:`"),
        ("drift_share: 1.5", "1.5"),
    ],
)
def test_dataset_drift_options_are_checked(tmp_path: Path, options: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        gate(tmp_path, f"{{name: ds, {SPEC}, {options}}}", {}, {})
    assert problem in str(caught.value)


def test_js_threshold_is_evidentlys_on_the_base_2_scale() -> None:
    from retrain_gate.kinds.dataset_drift import JS_BASE_2

    # Evidently's 0.1 is sqrt(JSD) in nats; in bits the same distance is 0.1 / sqrt(ln 2)
    p, q = [0.5, 0.5], [0.6, 0.4]
    ratio = jensenshannon(p, q, base=2) / jensenshannon(p, q)
    assert math.isclose(JS_BASE_2, 0.1 * ratio, rel_tol=1e-12)
    assert math.isclose(JS_BASE_2, 0.1201122, rel_tol=1e-6)

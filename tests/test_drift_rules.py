"""Drift rules through the whole gate: committed files in a tmp repository, the decision and the
sentence a user reads."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy import stats

from retrain_gate.errors import ConfigError
from retrain_gate.kinds.drift import show_p
from retrain_gate.report.markdown import outcome_row
from retrain_gate.results import ModelResult
from tests.conftest import daily_csv
from tests.test_drift import t2_histograms
from tests.test_rules import run_gate


def gate_on(tmp_path: Path, rule: str, files: dict[str, str]) -> ModelResult:
    report = run_gate(tmp_path, [rule], files={"metrics.csv": daily_csv({"rows": [1]}), **files})
    (model,) = report.models
    return model


def test_same_heavy_tailed_distribution_on_1000_bins_does_not_retrain(tmp_path: Path) -> None:
    edges, reference, current = t2_histograms()
    files = {
        "drift/ref.yaml": yaml.safe_dump({"bins": edges, "counts": reference}),
        "drift/cur.yaml": yaml.safe_dump({"bins": edges, "counts": current}),
    }
    rule = "{name: d, psi: {reference: drift/ref.yaml, current: drift/cur.yaml}, above: 0.1}"
    model = gate_on(tmp_path, rule, files)
    assert model.decision == "skip"
    (outcome,) = model.triggers
    assert outcome.status == "quiet"
    assert outcome.reason == "PSI 0.001 <= 0.1, drift/cur.yaml vs drift/ref.yaml"

    # the fixed epsilon of old, still available, reads the same data as drift
    fixed = rule.replace("drift/cur.yaml}", "drift/cur.yaml, epsilon: 0.0001}")
    model = gate_on(tmp_path, fixed, files)
    assert model.decision == "retrain"
    assert model.triggers[0].reason.startswith("PSI 0.10")


def shifted_samples(size: int) -> tuple[str, str]:
    """Two seeded normal samples, the current shifted by 0.1 sd: a clear drift at this size
    whose KS statistic is small (about 0.04)."""
    rng = np.random.default_rng(14)
    reference = rng.normal(0.0, 1.0, size).tolist()
    current = rng.normal(0.1, 1.0, size).tolist()
    return json.dumps({"values": reference}), json.dumps({"values": current})


def test_ks_by_p_value_fires_where_the_statistic_reads_quiet(tmp_path: Path) -> None:
    reference, current = shifted_samples(100_000)
    files = {"drift/ref.json": reference, "drift/cur.json": current}
    spec = "ks: {reference: drift/ref.json, current: drift/cur.json}"
    expected = stats.ks_2samp(json.loads(reference)["values"], json.loads(current)["values"])
    d = f"{expected.statistic:.3f}"

    # `above: 0.05` thresholds D, and says so, with the p-value beside it
    model = gate_on(tmp_path, f"{{name: d, {spec}, above: 0.05}}", files)
    (outcome,) = model.triggers
    assert model.decision == "skip"
    assert outcome.reason.startswith(f"KS statistic D {d} <= 0.05, p = ")

    # `p_below: 0.05` thresholds p, as Evidently does: drift
    model = gate_on(tmp_path, f"{{name: d, {spec}, p_below: 0.05}}", files)
    (outcome,) = model.triggers
    assert model.decision == "retrain"
    assert outcome.threshold == "p < 0.05"
    assert outcome.observed == pytest.approx(expected.pvalue, abs=1e-12)
    assert outcome.reason == (
        f"KS p-value {show_p(float(outcome.observed))} < 0.05, D = {expected.statistic:.3g}, "
        "drift/cur.json vs drift/ref.json"
    )
    row = outcome_row(outcome)
    assert f"| {show_p(float(outcome.observed))} | p &lt; 0.05 |" in row


def test_chisquare_by_p_value_on_categorical_counts(tmp_path: Path) -> None:
    reference = {"features": {"country": {"categories": ["fr", "de"], "counts": [600, 400]}}}
    current = {"features": {"country": {"categories": ["de", "fr", "it"], "counts": [40, 50, 10]}}}
    files = {"drift/ref.json": json.dumps(reference), "drift/cur.json": json.dumps(current)}
    rule = (
        "{name: c, chisquare: {reference: drift/ref.json, current: drift/cur.json}, p_below: 0.01}"
    )
    model = gate_on(tmp_path, rule, files)
    expected = stats.chi2_contingency([[400, 600, 0], [40, 50, 10]], correction=False)
    (outcome,) = model.triggers
    assert model.decision == "retrain"
    assert outcome.observed == pytest.approx(expected.pvalue, rel=1e-9)
    assert outcome.reason == (
        f"chi-square p-value of country {show_p(expected.pvalue)} < 0.01, "
        f"X² = {expected.statistic:.3g}, drift/cur.json vs drift/ref.json"
    )


def test_wasserstein_above_on_samples(tmp_path: Path) -> None:
    reference = {"values": [0.0, 1.0, 2.0, 3.0]}  # population sd sqrt(1.25)
    current = {"values": [1.0, 2.0, 3.0, 4.0]}  # everything moved by 1
    files = {"drift/ref.json": json.dumps(reference), "drift/cur.json": json.dumps(current)}
    rule = (
        "{name: w, wasserstein: {reference: drift/ref.json, current: drift/cur.json}, above: 0.1}"
    )
    (outcome,) = gate_on(tmp_path, rule, files).triggers
    assert outcome.status == "fired"
    assert outcome.observed == pytest.approx(1 / math.sqrt(1.25), rel=1e-12)
    assert outcome.reason == (
        "Wasserstein distance (normalised) 0.894 > 0.1, drift/cur.json vs drift/ref.json"
    )


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("psi: {reference: r.json, current: c.json}, p_below: 0.05", "psi has no p-value"),
        ("ks: {reference: r.json, current: c.json}, above: 0.1, p_below: 0.05", "write one of"),
        ("ks: {reference: r.json, current: c.json}", "write one of `above:`"),
        ("ks: {reference: r.json, current: c.json}, p_below: 1.5", "1.5"),
    ],
)
def test_drift_thresholds_are_checked_in_the_config(
    tmp_path: Path, rule: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        gate_on(tmp_path, f"{{name: d, {rule}}}", {})
    assert problem in str(caught.value)
    assert caught.value.line == 6  # the rule's line in the config


# --- what data scientists commit ---------------------------------------------------------------


def test_open_bins_as_python_json_dump_writes_them_null_or_strings(tmp_path: Path) -> None:
    counts_ref, counts_cur = [10, 80, 10], [30, 40, 30]
    expected = sum((c / 100 - r / 100) * math.log(c / r) for r, c in zip(counts_ref, counts_cur))
    spellings = {
        "-Infinity": json.dumps({"bins": [-math.inf, 0, 1, math.inf], "counts": counts_ref}),
        "null": json.dumps({"bins": [None, 0, 1, None], "counts": counts_ref}),
        "strings": json.dumps({"bins": ["-inf", 0, 1, "inf"], "counts": counts_ref}),
    }
    current = json.dumps({"bins": [None, 0, 1, "Infinity"], "counts": counts_cur})
    for spelling, reference in spellings.items():
        files = {"drift/ref.json": reference, "drift/cur.json": current}
        rule = "{name: d, psi: {reference: drift/ref.json, current: drift/cur.json}, above: 0.1}"
        (outcome,) = gate_on(tmp_path, rule, files).triggers
        assert outcome.status == "fired", spelling
        assert outcome.observed == pytest.approx(expected, rel=1e-12), spelling


def test_nan_and_null_in_samples_are_dropped_and_counted(tmp_path: Path) -> None:
    reference = json.dumps({"values": [1.0, 2.0, math.nan, 3.0, 4.0]})  # json.dump writes NaN
    current = json.dumps({"values": [3.0, None, 4.0, 5.0, 6.0, math.nan]})
    files = {"drift/ref.json": reference, "drift/cur.json": current}
    spec = "ks: {reference: drift/ref.json, current: drift/cur.json}"
    rule = f"{{name: d, {spec}, above: 0.25, missing: ignore}}"
    (outcome,) = gate_on(tmp_path, rule, files).triggers
    assert outcome.observed == 0.5  # [1, 2, 3, 4] vs [3, 4, 5, 6]
    assert outcome.reason == (
        "KS statistic D 0.500 > 0.25, p = 0.699, drift/cur.json vs drift/ref.json; "
        "3 missing values dropped"
    )
    model = gate_on(tmp_path, f"{{name: d, {spec}, above: 0.25}}", files)  # missing: error
    assert model.decision == "error"
    assert model.triggers[0].reason == (
        "3 missing values (null or NaN): 1 in the reference, 2 in the current "
        "(`missing: ignore` drops them and compares the rest)"
    )


def test_raw_categorical_samples_are_counted_by_label(tmp_path: Path) -> None:
    reference = json.dumps({"country": ["fr"] * 60 + ["de"] * 40})
    current = json.dumps({"country": ["de"] * 50 + ["fr"] * 40 + ["it"] * 10 + [None]})
    files = {"drift/ref.json": reference, "drift/cur.json": current}
    rule = (
        "{name: c, chisquare: {reference: drift/ref.json, current: drift/cur.json}, "
        "p_below: 0.05, missing: ignore}"
    )
    (outcome,) = gate_on(tmp_path, rule, files).triggers
    expected = stats.chi2_contingency([[60, 40, 0], [40, 50, 10]], correction=False)
    assert outcome.observed == pytest.approx(expected.pvalue, rel=1e-9)
    assert outcome.reason.endswith("drift/cur.json vs drift/ref.json; 1 missing value dropped")


PANDAS_SHAPES = {
    # Series.value_counts().to_json()
    "value_counts": ('{"fr":60,"de":40}', '{"de":50,"fr":40,"it":10}'),
    # DataFrame.to_dict('list'), dumped
    "to_dict list": (
        json.dumps({"country": ["fr"] * 60 + ["de"] * 40, "age": [30] * 100}),
        json.dumps({"country": ["de"] * 50 + ["fr"] * 40 + ["it"] * 10, "age": [31] * 100}),
    ),
    # DataFrame.to_json(orient='records'): a missing value is null
    "records": (
        json.dumps([{"country": "fr"}] * 60 + [{"country": "de", "age": None}] * 40),
        json.dumps([{"country": c} for c in ["de"] * 50 + ["fr"] * 40 + ["it"] * 10]),
    ),
}


@pytest.mark.parametrize("shape", list(PANDAS_SHAPES))
def test_pandas_shapes_are_read(tmp_path: Path, shape: str) -> None:
    reference, current = PANDAS_SHAPES[shape]
    files = {"drift/ref.json": reference, "drift/cur.json": current}
    feature = "" if shape == "value_counts" else ", feature: country"
    rule = (
        f"{{name: c, chisquare: {{reference: drift/ref.json, current: drift/cur.json{feature}}},"
        " p_below: 0.05, missing: ignore}"
    )
    (outcome,) = gate_on(tmp_path, rule, files).triggers
    expected = stats.chi2_contingency([[60, 40, 0], [40, 50, 10]], correction=False)
    assert outcome.status == "fired"
    assert outcome.observed == pytest.approx(expected.pvalue, rel=1e-9)


def test_csv_samples(tmp_path: Path) -> None:
    reference = "age,country\n30,fr\n41,de\n,fr\n52,fr\n"
    current = "age,country\n60,de\n71,de\nNaN,\n82,de\n"
    files = {"drift/ref.csv": reference, "drift/cur.csv": current}
    rule = (
        "{name: a, ks: {reference: drift/ref.csv, current: drift/cur.csv, feature: age}, "
        "above: 0.5, missing: ignore}"
    )
    (outcome,) = gate_on(tmp_path, rule, files).triggers
    assert outcome.observed == 1.0  # [30, 41, 52] vs [60, 71, 82]
    assert outcome.reason.endswith("; 2 missing values dropped")
    rule = (
        "{name: c, chisquare: {reference: drift/ref.csv, current: drift/cur.csv, "
        "feature: country}, p_below: 0.05, missing: ignore}"
    )
    (outcome,) = gate_on(tmp_path, rule, files).triggers
    expected = stats.chi2_contingency([[3, 1], [0, 3]], correction=False)
    assert outcome.observed == pytest.approx(expected.pvalue, rel=1e-9)


def test_a_bad_value_in_one_feature_errs_only_the_rules_that_read_it(tmp_path: Path) -> None:
    reference = "age,country\n30,fr\n41,de\n52,fr\n"
    current = "age,country\n60,de\nsixty,de\n82,de\n"  # a typo in age, line 3
    files = {
        "metrics.csv": daily_csv({"rows": [1]}),
        "drift/ref.csv": reference,
        "drift/cur.csv": current,
    }
    spec = "{reference: drift/ref.csv, current: drift/cur.csv, feature: %s}"
    rules = [
        "{name: country, chisquare: %s, p_below: 0.5}" % (spec % "country"),
        "{name: age, ks: %s, above: 0.5}" % (spec % "age"),
    ]
    (model,) = run_gate(tmp_path, rules, files=files).models
    country, age = model.triggers
    assert country.status == "fired"
    assert age.status == "error"
    assert age.reason == (
        "drift/cur.csv: feature 'age': line 3 is a string ('sixty'), not a number like line 2 "
        "(a sample holds either numbers or labels, not both)"
    )
    assert model.problems == ()  # the file itself is readable

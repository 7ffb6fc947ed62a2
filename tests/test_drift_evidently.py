"""`convention: evidently` gives Evidently's numbers and verdicts: checked against answers that
benchmarks/evidently_fixtures.py recorded from Evidently itself (tests/fixtures/evidently.json),
on the data sets of benchmarks/evidently_cases.py, rebuilt here from their seeds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.evidently_cases import dataset_cases, feature_cases
from retrain_gate.kinds.drift import sentence
from retrain_gate.kinds.drift_metric import measure
from retrain_gate.sources.distributions import parse_distributions
from tests.conftest import daily_csv
from tests.test_rules import run_gate

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "evidently.json").read_text())
# Evidently's names -> retrain-gate's metric and whether its threshold is a p-value
METRIC = {
    "psi": ("psi", False),
    "jensenshannon": ("js", False),
    "wasserstein": ("wasserstein", False),
    "ks": ("ks", True),
    "chisquare": ("chisquare", True),
    "z": ("chisquare", True),
}
ANSWERS = [
    (case, test) for case, answers in FIXTURE["features"].items() for test in sorted(answers)
]


@pytest.mark.parametrize(("case", "test"), ANSWERS)
def test_each_measure_gives_evidentlys_score_and_verdict(case: str, test: str) -> None:
    reference, current, _kind, _tests = feature_cases()[case]
    expected = FIXTURE["features"][case][test]
    ref = parse_distributions(reference, source="ref")[""]
    cur = parse_distributions(current, source="cur")[""]
    metric, by_p = METRIC[test]
    # Evidently's z-test on two categories is the 2 x 2 homogeneity chi-square exactly
    convention = "retrain-gate" if test == "z" else "evidently"
    measured = measure(metric, ref, cur, convention=convention)  # type: ignore[arg-type]
    _text, score, fired, _threshold = sentence(
        metric, measured, limit=expected["threshold"], by_p=by_p, evidently=True
    )
    if test == "ks":  # Evidently's p is scipy's exact one; the statistic D is the same
        assert measured.statistic == pytest.approx(expected["statistic"], abs=1e-12)
        assert score == pytest.approx(expected["drift_score"], rel=0.25, abs=1e-12)
    else:
        assert score == pytest.approx(expected["drift_score"], rel=1e-9, abs=1e-15)
    assert fired == expected["drifted"]


@pytest.mark.parametrize("case", sorted(FIXTURE["datasets"]))
def test_dataset_drift_gives_evidentlys_choice_share_and_verdict(tmp_path: Path, case: str) -> None:
    reference, current, _types = dataset_cases()[case]
    expected = FIXTURE["datasets"][case]
    files = {
        "metrics.csv": daily_csv({"rows": [1]}),
        "drift/ref.json": json.dumps(reference),  # pandas' to_dict('list')
        "drift/cur.json": json.dumps(current),
    }
    rule = (
        "{name: ds, dataset_drift: {reference: drift/ref.json, current: drift/cur.json}, "
        "drift_share: 0.5, convention: evidently}"
    )
    (model,) = run_gate(tmp_path, [rule], files=files).models
    (outcome,) = model.triggers
    assert outcome.observed == pytest.approx(expected["share_of_drifted_columns"], abs=1e-12)
    assert (outcome.status == "fired") == expected["dataset_drift"]
    drifted = [c for c, answer in sorted(expected["columns"].items()) if answer["drift_detected"]]
    listed = outcome.reason.split(": ", 1)[1] if drifted else ""
    assert [part.split(" (")[0] for part in listed.split("; ")[: len(drifted)]] == drifted
    names = {
        "K-S p_value": "KS p-value",
        "chi-square p_value": "chi-square p-value",
        "Z-test p_value": "chi-square p-value",
        "Wasserstein distance (normed)": "Wasserstein distance (normalised)",
        "Jensen-Shannon distance": "Jensen-Shannon distance",
    }
    for column in drifted:
        test = names[expected["columns"][column]["stattest_name"]]
        assert f"{column} ({test} " in outcome.reason

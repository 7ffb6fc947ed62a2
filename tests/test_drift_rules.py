"""Drift rules through the whole gate: committed files in a tmp repository, the decision and the
sentence a user reads."""

from __future__ import annotations

from pathlib import Path

import yaml

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

"""The rule kinds: one module each, listed here.

A trigger asks for a retrain; a check vetoes it. Each module defines `KIND`, a `base.Kind`
holding the kind's options (JSON Schema), its documentation (the evaluator's docstring),
its evaluator, its statuses over many days and what it reads. Adding a kind is adding a
module and one line below.
"""

from __future__ import annotations

from collections.abc import Mapping

from retrain_gate.kinds import (
    anomaly,
    baseline_change,
    data_growth,
    dataset_drift,
    drift,
    freshness,
    gaps,
    group,
    model_age,
    range,
    required_fields,
    sample_schema,
    threshold,
)
from retrain_gate.kinds.base import Kind

TRIGGERS: dict[str, Kind] = {
    k.name: k
    for k in (
        threshold.KIND,
        baseline_change.KIND,
        data_growth.KIND,
        model_age.KIND,
        drift.KIND,
        dataset_drift.KIND,
        anomaly.KIND,
        group.KIND,
    )
}
CHECKS: dict[str, Kind] = {
    k.name: k
    for k in (
        range.KIND,
        freshness.KIND,
        gaps.KIND,
        required_fields.KIND,
        sample_schema.KIND,
    )
}


def registry(role: str) -> Mapping[str, Kind]:
    """The kinds of one role: `trigger` or `check`."""
    return TRIGGERS if role == "trigger" else CHECKS

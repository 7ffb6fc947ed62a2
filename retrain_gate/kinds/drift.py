"""The drift trigger: a feature's distribution moved from its reference (PSI, KS, JS)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from retrain_gate.kinds.base import (
    COMMON,
    Context,
    Kind,
    _one_of,
    error_outcome,
    outcome,
)
from retrain_gate.kinds.series import (
    exceeds,
    fmt,
)
from retrain_gate.kinds.windows import _constant
from retrain_gate.model import RuleConfig
from retrain_gate.results import Outcome

DRIFT_METRICS = ("psi", "ks", "js")


_DRIFT_NAMES = {"psi": "PSI", "ks": "KS statistic", "js": "Jensen-Shannon distance"}


def _drift_inputs(options: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    for metric in DRIFT_METRICS:
        if metric in options:
            spec = options[metric]
            return (
                (str(spec["reference"]), "distribution"),
                (str(spec["current"]), "distribution"),
            )
    return ()


def evaluate_drift(rule: RuleConfig, ctx: Context) -> Outcome:
    """Fires when a feature's distribution drifted from a committed reference.

    Write one of `psi:`, `ks:` or `js:` with `{reference: FILE, current: FILE}` and
    optionally `feature:` (for files holding several features; without it every feature
    is compared and the largest value counts), `bins:` (default 10, for samples) and
    `epsilon:` (PSI only), plus `above: X`. Strict: equal does not fire.
    Files hold histograms (`bins` and `counts`, or `categories` and `counts`) or samples
    (`values`); KS needs samples. The formulas are in `retrain_gate.kinds.drift_measures`.
    PSI = sum (c_i - r_i) ln(c_i / r_i) over the bin proportions; an empty bin counts as
    half an observation of its side, 1 / (2 n) (the Haldane-Anscombe correction: Haldane,
    Annals of Human Genetics 20, 1956), so sparse bins at a million values do not read as
    drift as a fixed 1e-4 does (it stands for 100 observations there); bins empty on both
    sides add nothing; histograms of proportions (no n) use 1e-4; `epsilon: X` fixes the
    proportion for both sides. JS is the base-2 distance in [0, 1].
    Missing data: a missing or unreadable file, or a feature absent from one of them,
    makes the rule an error.
    """
    from retrain_gate.errors import GateError
    from retrain_gate.kinds import (
        drift_measures as drift,  # imported here: only configs with drift rules pay for it
    )

    metric = next(m for m in DRIFT_METRICS if m in rule.options)
    spec = rule.options[metric]
    limit = float(rule.options["above"])
    loaded = []
    for key in ("reference", "current"):
        data = ctx.files.get(str(spec[key]))
        if data is None or not isinstance(data, dict):
            return error_outcome(rule, f"cannot read the {key} distribution: {data}")
        loaded.append(data)
    reference, current = loaded
    wanted = spec.get("feature")
    features = [wanted] if wanted else sorted(set(reference) & set(current))
    if not features:
        return error_outcome(rule, "the reference and current files share no feature")
    scores: list[tuple[float, str]] = []
    for feature in features:
        if feature not in reference or feature not in current:
            side = spec["reference"] if feature not in reference else spec["current"]
            return error_outcome(rule, f"feature {feature!r} is not in {side}")
        try:
            score = drift.compare(
                metric,  # type: ignore[arg-type]
                reference[feature],
                current[feature],
                bins=int(spec.get("bins", 10)),
                epsilon=float(spec["epsilon"]) if "epsilon" in spec else None,
            )
        except GateError as exc:
            return error_outcome(rule, str(exc))
        scores.append((score, feature))
    score, feature = max(scores)
    name = _DRIFT_NAMES[metric]
    label = f" of {feature}" if feature else ""
    fired = exceeds(score, limit)
    others = f" (largest of {len(scores)} features)" if len(scores) > 1 else ""
    relation = ">" if fired else "<="
    shown = f"{score:.3f}"
    if float(shown) == limit and (fired or exceeds(limit, score)):
        shown = fmt(score, apart_from=limit)  # 0.2504 is not "0.250 > 0.25"
    return outcome(
        rule,
        status="fired" if fired else "quiet",
        observed=score,
        threshold=f"> {fmt(limit)}",
        reason=f"{name}{label} {shown} {relation} {fmt(limit)}{others}, "
        f"{spec['current']} vs {spec['reference']}",
        limit=limit,
    )


DISTRIBUTION_SPEC: dict[str, Any] = {
    "type": "object",
    "required": ["reference", "current"],
    "additionalProperties": False,
    "properties": {
        "reference": {
            "type": "string",
            "minLength": 1,
            "description": "The committed reference distribution.",
        },
        "current": {
            "type": "string",
            "minLength": 1,
            "description": "The committed current distribution.",
        },
        "feature": {"type": "string", "description": "Which feature, when files hold several."},
        "bins": {"type": "integer", "minimum": 2, "description": "Quantile bins for samples."},
        "epsilon": {"type": "number", "exclusiveMinimum": 0, "description": "PSI: empty bins."},
    },
}


KIND = Kind(
    name="drift",
    role="trigger",
    keys=DRIFT_METRICS,
    options={
        **COMMON,
        **{m: DISTRIBUTION_SPEC for m in DRIFT_METRICS},
        "above": {"type": "number", "minimum": 0},
    },
    required=("above",),
    evaluate=evaluate_drift,
    uses_series=False,
    inputs=_drift_inputs,
    semantic=lambda o: _one_of(o, DRIFT_METRICS),
    statuses=_constant,
)

"""The dataset_drift trigger: enough features drifted (Evidently's dataset drift, `drift_share`).

A kind of its own, not an option of `drift`: its threshold is about the dataset (a share or a
count of features), each feature has its own test and threshold, and its reason lists the
drifted features; `drift` stays one statistic against one threshold.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from retrain_gate.kinds.base import (
    COMMON,
    MISSING,
    Context,
    Kind,
    error_outcome,
    outcome,
    same_every_day,
)
from retrain_gate.kinds.drift import (
    CONVENTION,
    DRIFT_METRICS,
    TEST_METRICS,
    dropped_text,
    feature_problem,
    sentence,
)
from retrain_gate.kinds.series import fmt
from retrain_gate.model import RuleConfig
from retrain_gate.results import Outcome

# Evidently's default thresholds; JS's 0.1 is on its natural-log scale, 0.1 / sqrt(ln 2) in
# retrain-gate's base 2.
DEFAULT_LIMITS = {"psi": 0.1, "wasserstein": 0.1, "ks": 0.05, "chisquare": 0.05, "js": 0.1}
JS_BASE_2 = 0.1 / math.sqrt(math.log(2.0))
# Evidently: up to this many reference observations a test, above it a distance.
SMALL = 1000
FEW_VALUES = 5


def choose(reference: Any, current: Any) -> str:
    """The test Evidently picks for a feature, by its type and size (module docstring)."""
    from retrain_gate.sources.samples import Sample

    if isinstance(reference, Sample) and isinstance(current, Sample):
        size = len(reference.values)
        if _distinct(reference, current, limit=FEW_VALUES) <= FEW_VALUES:
            return "chisquare" if size <= SMALL else "js"
        return "ks" if size <= SMALL else "wasserstein"
    whole = all(count == int(count) for count in reference.counts)
    return "chisquare" if whole and reference.total <= SMALL else "js"


def _distinct(reference: Any, current: Any, *, limit: int) -> int:
    """Distinct values (samples) or categories seen (histograms) on either side; for samples
    counted only up to `limit` (more is limit + 1)."""
    from retrain_gate.sources.samples import Sample, count_distinct

    if isinstance(reference, Sample) and isinstance(current, Sample):
        found = count_distinct(reference.values, current.values, limit=limit)
        return limit + 1 if found is None else found
    if reference.categories is None or current.categories is None:
        return len(reference.counts)
    seen = (label for h in (reference, current) for label, n in zip(h.categories, h.counts) if n)
    return len(set(seen))


def evaluate_dataset_drift(rule: RuleConfig, ctx: Context) -> Outcome:
    """Fires when enough features drifted: a share (Evidently's `drift_share`) or a count.

    Write `dataset_drift: {reference: FILE, current: FILE}` and `drift_share: S` (fires
    when at least that share of the compared features drifted, as Evidently: `>=`; its
    default is 0.5) or `drifted_features: N` (fires when at least N drifted). Every feature
    the two files share is compared (`ignore: [names]` leaves some out); a feature in only
    one file is an error. Each feature's test is chosen as Evidently chooses it: samples
    with at most 1,000 reference values: chi-square on the values if there are at most 5
    distinct ones, else KS; larger samples: JS if at most 5 distinct values, else
    Wasserstein; categorical features and histograms: chi-square up to 1,000 reference
    counts, else JS. Thresholds are Evidently's defaults: p < 0.05 for KS and chi-square,
    0.1 for Wasserstein and PSI, JS 0.1 on Evidently's natural-log scale (0.12 in base 2).
    `features: {name: TEST}` or `{name: {test: TEST, above: X}}` (or `p_below: X` for ks
    and chisquare) names a feature's test and threshold; TEST is one of psi, js,
    wasserstein, ks, chisquare. `bins`, `epsilon`, `missing` and `convention` act as in
    `drift` (with `convention: evidently` each feature is measured and compared as
    Evidently does). The reason lists the drifted features, each with its value.
    Missing data: an unreadable file, or bad data in a compared feature, makes the rule
    an error.
    """
    from retrain_gate.errors import GateError
    from retrain_gate.kinds import drift_evidently
    from retrain_gate.kinds import drift_metric as drift
    from retrain_gate.sources.samples import Sample

    spec = rule.options["dataset_drift"]
    files = []
    for key in ("reference", "current"):
        data = ctx.files.get(str(spec[key]))
        if data is None or not isinstance(data, dict):
            return error_outcome(rule, f"cannot read the {key} distribution: {data}")
        files.append(data)
    reference, current = files
    ignored = set(rule.options.get("ignore", ()))
    names = sorted((set(reference) | set(current)) - ignored)
    for name in names:
        if name not in reference or name not in current:
            side = spec["reference"] if name not in reference else spec["current"]
            return error_outcome(
                rule, f"feature {name!r} is not in {side} (`ignore: [{name}]` leaves it out)"
            )
    if not names:
        return error_outcome(rule, "the reference and current files share no feature")
    overrides: Mapping[str, Any] = rule.options.get("features", {})
    unknown = sorted(set(overrides) - set(names))
    if unknown:
        return error_outcome(
            rule, f"`features:` names {unknown[0]!r}, which the files do not compare"
        )
    convention = rule.options.get("convention", "retrain-gate")
    evidently = convention == "evidently"
    drifted: list[str] = []
    dropped = 0
    for name in names:
        ref, cur = reference[name], current[name]
        if problem := feature_problem(ref, cur, missing=rule.missing):
            return error_outcome(rule, f"feature {name!r}: {problem}")
        dropped += ref.missing + cur.missing
        chosen = overrides.get(name)
        own = chosen if isinstance(chosen, Mapping) else {"test": chosen} if chosen else {}
        test = str(own.get("test") or choose(ref, cur))
        by_p = "p_below" in own or ("above" not in own and test in TEST_METRICS)
        default = JS_BASE_2 if test == "js" and not evidently else DEFAULT_LIMITS[test]
        limit = float(own.get("p_below" if by_p else "above", default))
        try:
            few = isinstance(ref, Sample) and _distinct(ref, cur, limit=FEW_VALUES) <= FEW_VALUES
            if few and test in ("psi", "js", "chisquare"):
                ref, cur = drift_evidently.by_value(ref, cur)  # few values: one bin each
            # Evidently's z-test on two values is the 2 x 2 homogeneity chi-square
            two = test == "chisquare" and _distinct(ref, cur, limit=2) <= 2
            measured = drift.measure(
                test,  # type: ignore[arg-type]
                ref,
                cur,
                bins=int(spec.get("bins", 10)),
                epsilon=float(spec["epsilon"]) if "epsilon" in spec else None,
                convention="retrain-gate" if two else convention,
            )
        except GateError as exc:
            return error_outcome(rule, f"feature {name!r}: {exc}")
        text, _score, fired, _threshold = sentence(
            test, measured, limit=limit, by_p=by_p, evidently=evidently
        )
        if fired:
            drifted.append(f"{name} ({text.format(label='')})")
    share = len(drifted) / len(names)
    if "drifted_features" in rule.options:
        need = int(rule.options["drifted_features"])
        fired = len(drifted) >= need
        observed: float = float(len(drifted))
        threshold = f">= {need} feature{'s' if need != 1 else ''}"
        verdict = f"{'>=' if fired else '<'} {need} needed"
    else:
        need_share = float(rule.options["drift_share"])
        fired = share >= need_share
        observed = share
        threshold = f">= {fmt(need_share * 100)}% of features"
        verdict = f"{'>=' if fired else '<'} {fmt(need_share * 100)}%"
    listed = f": {'; '.join(drifted)}" if drifted else ""
    return outcome(
        rule,
        status="fired" if fired else "quiet",
        observed=observed,
        threshold=threshold,
        reason=f"{len(drifted)} of {len(names)} features drifted ({fmt(share * 100)}%) "
        f"{verdict}{listed}; {spec['current']} vs {spec['reference']}{dropped_text(dropped)}",
    )


def _semantic(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    given = [key for key in ("drift_share", "drifted_features") if key in options]
    if len(given) != 1:
        where = given[1] if given else "dataset_drift"
        return [(where, "write one of `drift_share:` (a share) or `drifted_features:` (a count)")]
    for name, own in dict(options.get("features", {})).items():
        if isinstance(own, Mapping):
            if "above" in own and "p_below" in own:
                return [("features", f"{name}: write one of `above:` or `p_below:`")]
            if "p_below" in own and own.get("test") not in TEST_METRICS:
                return [("features", f"{name}: `p_below:` is for ks and chisquare")]
            if "test" not in own:
                return [("features", f"{name}: name its `test:` ({', '.join(DRIFT_METRICS)})")]
    return []


_TEST: dict[str, Any] = {"enum": list(DRIFT_METRICS)}

KIND = Kind(
    name="dataset_drift",
    role="trigger",
    keys=("dataset_drift",),
    options={
        **COMMON,
        "missing": MISSING,
        "convention": CONVENTION,
        "dataset_drift": {
            "type": "object",
            "required": ["reference", "current"],
            "additionalProperties": False,
            "properties": {
                "reference": {
                    "type": "string",
                    "minLength": 1,
                    "description": "The committed reference features.",
                },
                "current": {
                    "type": "string",
                    "minLength": 1,
                    "description": "The committed current features.",
                },
                "bins": {
                    "type": "integer",
                    "minimum": 2,
                    "default": 10,
                    "description": "Quantile bins for samples.",
                },
                "epsilon": {
                    "type": "number",
                    "exclusiveMinimum": 0,
                    "description": "PSI: the proportion an empty bin counts as.",
                },
            },
            "description": "The two files holding the features: {reference: FILE, current: FILE}.",
        },
        "drift_share": {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": 1,
            "description": "Fires when at least this share of the compared features drifted.",
        },
        "drifted_features": {
            "type": "integer",
            "minimum": 1,
            "description": "Fires when at least this many features drifted.",
        },
        "ignore": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Features left out of the comparison.",
        },
        "features": {
            "description": "A feature's test and threshold: {name: TEST} or {name: {test: TEST, "
            "above: X}} (or p_below: X for ks and chisquare).",
            "type": "object",
            "additionalProperties": {
                "oneOf": [
                    _TEST,
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "test": {**_TEST, "description": "The feature's test or distance."},
                            "above": {
                                "type": "number",
                                "minimum": 0,
                                "description": "Drifted when the statistic is above this.",
                            },
                            "p_below": {
                                "type": "number",
                                "exclusiveMinimum": 0,
                                "maximum": 1,
                                "description": "ks, chisquare: drifted when the p-value is below "
                                "this.",
                            },
                        },
                    },
                ]
            },
        },
    },
    required=(),
    judge=same_every_day(evaluate_dataset_drift),
    uses_series=False,
    inputs=lambda o: (
        (str(o["dataset_drift"]["reference"]), "distribution"),
        (str(o["dataset_drift"]["current"]), "distribution"),
    ),
    semantic=_semantic,
)

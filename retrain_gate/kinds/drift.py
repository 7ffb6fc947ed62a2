"""The drift trigger: a feature's distribution moved from its reference (PSI, JS, KS, chi-square,
Wasserstein)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from retrain_gate.errors import GateError
from retrain_gate.kinds.base import (
    COMMON,
    MISSING,
    Context,
    Kind,
    _one_of,
    error_outcome,
    outcome,
    same_every_day,
)
from retrain_gate.kinds.series import (
    exceeds,
    fmt,
)
from retrain_gate.model import RuleConfig
from retrain_gate.results import Bin, Outcome

DRIFT_METRICS = ("psi", "ks", "js", "chisquare", "wasserstein")
# The metrics that are tests, with a p-value: they take `p_below:` as well as `above:`.
TEST_METRICS = ("ks", "chisquare")


_DRIFT_NAMES = {
    "psi": "PSI",
    "ks": "KS",
    "js": "Jensen-Shannon distance",
    "chisquare": "chi-square",
    "wasserstein": "Wasserstein distance (normalised)",
}
_STATISTIC = {"ks": "D", "chisquare": "X²"}


def _drift_inputs(options: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    for metric in DRIFT_METRICS:
        if metric in options:
            spec = options[metric]
            return (
                (str(spec["reference"]), "distribution"),
                (str(spec["current"]), "distribution"),
            )
    return ()


def show_p(p_value: float) -> str:
    """A p-value as people read it: 0.27, 0.0012, 3.1e-08, 0."""
    return f"{p_value:.3g}" if p_value >= 0.01 else f"{p_value:.2g}"


def evaluate_drift(rule: RuleConfig, ctx: Context) -> Outcome:
    """Fires when a feature's distribution drifted from a committed reference.

    Write one of `psi:`, `js:`, `wasserstein:`, `ks:` or `chisquare:` with
    `{reference: FILE, current: FILE}` and optionally `feature:` (for files holding several
    features; without it every feature is compared and the most drifted one counts),
    `bins:` (default 10, for samples) and `epsilon:` (PSI only); then `above: X` (the
    statistic) or, for the tests `ks` and `chisquare`, `p_below: X` (the p-value; Evidently's
    KS and chi-square thresholds, 0.05, are p-values). Strict: equal does not fire. Reports
    show the statistic and, for the tests, the p-value, whichever is compared.
    Files (JSON, YAML, CSV) hold histograms (`bins` and `counts`, or `categories` and
    `counts`; open outer bins as null, "-inf"/"inf" or -Infinity) or samples (`values`, or
    a plain list, of numbers or of labels), or several features (`features:`, or pandas'
    value_counts().to_json(), to_dict('list'), to_json(orient='records'), or a CSV with a
    header row); KS and Wasserstein need numeric samples, chi-square counts.
    The formulas are in `retrain_gate.kinds.drift_measures` and `drift_tests`.
    PSI = sum (c_i - r_i) ln(c_i / r_i) over the bin proportions; an empty bin counts as
    half an observation of its side, 1 / (2 n) (the Haldane-Anscombe correction: Haldane,
    Annals of Human Genetics 20, 1956), so sparse bins at a million values do not read as
    drift as a fixed 1e-4 does (it stands for 100 observations there); bins empty on both
    sides add nothing; histograms of proportions (no n) use 1e-4; `epsilon: X` fixes the
    proportion for both sides. JS is the base-2 distance in [0, 1]. KS: D, the largest gap
    between the empirical CDFs, asymptotic p-value. chi-square: the 2 x k homogeneity test
    of the two sides' counts (scipy's chi2_contingency without continuity correction):
    unlike a goodness-of-fit test against the reference, it does not take a small
    reference's noise for drift. Wasserstein: the area between the CDFs divided by the
    reference's standard deviation (as Evidently; 0.1 is a tenth of a standard deviation).
    `convention: evidently` reproduces Evidently's numbers and verdicts for teams that
    migrate: its bins for samples (equal-width Sturges bins over both samples, or one bin per
    value up to 20 distinct reference values), its empty-bin rule (the side's smallest
    proportion / 10^6, or 1e-4), natural-log JS, chi-square as goodness of fit against the
    reference, and its comparisons (>= for distances). The defaults differ where they are
    better: quantile bins of the reference give every bin data (equal-width bins leave
    heavy tails in one or two bins and miss shifts there), the 1 / (2 n) empty bin scales
    with the sample, base-2 JS lies in [0, 1], and the homogeneity chi-square does not take
    a small reference's noise for drift. The KS p-value stays asymptotic (scipy, which
    Evidently calls, is exact below 10,000 values: the two differ only near the threshold).
    Missing data: a missing or unreadable file, or a feature absent from one of them,
    makes the rule an error; so does bad data in a feature the rule compares (bad data in
    another feature of the same file does not affect it). Missing values in samples (null,
    NaN, an empty CSV cell) make the rule an error saying how many (`missing: error`, the
    default: a current sample that is half NaN is a broken pipeline, not a distribution),
    or are dropped, the reason saying how many (`missing: ignore`, as Evidently does).
    """
    from retrain_gate.errors import GateError
    from retrain_gate.kinds import (
        drift_metric as drift,  # imported here: only configs with drift rules pay for it
    )

    metric = next(m for m in DRIFT_METRICS if m in rule.options)
    spec = rule.options[metric]
    by_p = "p_below" in rule.options
    convention = rule.options.get("convention", "retrain-gate")
    limit = float(rule.options["p_below" if by_p else "above"])
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
    scores: list[tuple[float, float, str, Any]] = []
    dropped = 0
    for feature in features:
        if feature not in reference or feature not in current:
            side = spec["reference"] if feature not in reference else spec["current"]
            return error_outcome(rule, f"feature {feature!r} is not in {side}")
        if problem := feature_problem(reference[feature], current[feature], missing=rule.missing):
            return error_outcome(rule, problem)
        dropped += reference[feature].missing + current[feature].missing
        try:
            measured = drift.measure(
                metric,  # type: ignore[arg-type]
                reference[feature],
                current[feature],
                bins=int(spec.get("bins", 10)),
                epsilon=float(spec["epsilon"]) if "epsilon" in spec else None,
                convention=convention,
            )
        except GateError as exc:
            # the two files, compared: name both
            return error_outcome(rule, f"{spec['reference']} vs {spec['current']}: {exc}")
        p_value = 1.0 if measured.p_value is None else measured.p_value
        # the most drifted feature: the smallest p-value (ties: the largest statistic)
        rank = (-p_value, measured.statistic) if by_p else (measured.statistic, -p_value)
        scores.append((*rank, feature, measured))
    best = max(scores)
    feature, measured = best[2], best[3]
    text, score, fired, threshold = sentence(
        metric, measured, limit=limit, by_p=by_p, evidently=convention == "evidently"
    )
    label = f" of {feature}" if feature else ""
    others = ""
    if len(scores) > 1:
        others = f" ({'most drifted' if by_p else 'largest'} of {len(scores)} features)"
    return outcome(
        rule,
        status="fired" if fired else "quiet",
        observed=score,
        threshold=threshold,
        reason=text.format(label=label)
        + f"{others}, {spec['current']} vs {spec['reference']}{dropped_text(dropped)}",
        limit=limit,
        bins=_drift_bins(reference[feature], current[feature], bins=int(spec.get("bins", 10))),
    )


def _drift_bins(reference: Any, current: Any, *, bins: int) -> tuple[Bin, ...]:
    """The two distributions on common bins, as shares: what a report draws side by side."""
    from retrain_gate.kinds import drift_measures

    try:
        ref_hist, cur_hist = drift_measures.to_histogram(reference, current, bins=bins)
    except (GateError, TypeError, ValueError, AttributeError):  # a picture only: never fatal
        return ()
    ref_total, cur_total = sum(ref_hist.counts), sum(cur_hist.counts)
    if ref_hist.categories is not None:
        labels = [str(c) for c in ref_hist.categories]
    else:
        assert ref_hist.edges is not None
        labels = [_bin_label(a, b) for a, b in zip(ref_hist.edges, ref_hist.edges[1:])]
    return tuple(
        Bin(text, r / ref_total if ref_total else 0.0, c / cur_total if cur_total else 0.0)
        for text, r, c in zip(labels, ref_hist.counts, cur_hist.counts)
    )


def _bin_label(low: float, high: float) -> str:
    if math.isinf(low):
        return f"< {fmt(high)}"
    if math.isinf(high):
        return f">= {fmt(low)}"
    return f"{fmt(low)}-{fmt(high)}"


def feature_problem(reference: Any, current: Any, *, missing: str) -> str | None:
    """Why one feature cannot be compared: bad data (its file's own message), or missing
    values when `missing: error`."""
    from retrain_gate.sources.distributions import Unreadable

    for side in (reference, current):
        if isinstance(side, Unreadable):
            return str(side.error)
    if missing == "error" and reference.missing + current.missing:
        return (
            f"{reference.missing + current.missing} missing values (null or NaN): "
            f"{reference.missing} in the reference, {current.missing} in the current "
            "(`missing: ignore` drops them and compares the rest)"
        )
    return None


def dropped_text(count: int) -> str:
    return f"; {count:,} missing value{'s' if count != 1 else ''} dropped" if count else ""


def sentence(
    metric: str, measured: Any, *, limit: float, by_p: bool, evidently: bool = False
) -> tuple[str, float, bool, str]:
    """(reason with a {label} slot, observed value, fired, threshold text). Strict, or with
    `evidently`, Evidently's comparisons: >= for distances, <= for KS's p, < for chi-square's."""
    name = _DRIFT_NAMES[metric]
    if by_p:
        score = float(measured.p_value)
        inclusive = evidently and metric == "ks"
        fired = score <= limit if inclusive else exceeds(limit, score)
        below = "<=" if inclusive else "<"
        shown = show_p(score)
        if float(shown) == limit and score != limit:
            shown = fmt(score, apart_from=limit)
        relation = below if fired else (">" if inclusive else ">=")
        statistic = f"{_STATISTIC[metric]} = {measured.statistic:.3g}"
        text = f"{name} p-value{{label}} {shown} {relation} {fmt(limit)}, {statistic}"
        return text, score, fired, f"p {below} {fmt(limit)}"
    score = float(measured.statistic)
    fired = score >= limit if evidently else exceeds(score, limit)
    above = ">=" if evidently else ">"
    shown = f"{score:.3f}"
    if float(shown) == limit and score != limit:
        shown = fmt(score, apart_from=limit)  # 0.2504 is not "0.250 > 0.25"
    relation = above if fired else ("<" if evidently else "<=")
    statistic = f" statistic {_STATISTIC[metric]}" if metric in TEST_METRICS else ""
    text = f"{name}{statistic}{{label}} {shown} {relation} {fmt(limit)}"
    if measured.p_value is not None:
        text += f", p = {show_p(measured.p_value)}"
    return text, score, fired, f"{above} {fmt(limit)}"


CONVENTION: dict[str, Any] = {
    "enum": ["retrain-gate", "evidently"],
    "default": "retrain-gate",
    "description": "Whose binning, empty-bin rule, JS logarithm, chi-square and comparisons: "
    "retrain-gate's (default) or Evidently's, to get its numbers and verdicts.",
}


def _drift_semantic(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    problems = _one_of(options, DRIFT_METRICS)
    if problems:
        return problems
    given = [key for key in ("above", "p_below") if key in options]
    if len(given) != 1:
        where = given[1] if given else next(m for m in DRIFT_METRICS if m in options)
        return [(where, "write one of `above:` (the statistic) or `p_below:` (the p-value)")]
    metric = next(m for m in DRIFT_METRICS if m in options)
    if given == ["p_below"] and metric not in TEST_METRICS:
        return [("p_below", f"{metric} has no p-value; `p_below:` is for ks and chisquare")]
    return []


DRIFT_LABELS = {
    "psi": "the population stability index (PSI)",
    "ks": "the Kolmogorov-Smirnov test (numeric samples)",
    "js": "the Jensen-Shannon distance",
    "chisquare": "the chi-square test (counts)",
    "wasserstein": "the Wasserstein distance over the reference's standard deviation",
}
assert tuple(DRIFT_LABELS) == DRIFT_METRICS

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
        "bins": {
            "type": "integer",
            "minimum": 2,
            "maximum": 1000,  # 10^9 bins took minutes and gigabytes
            "default": 10,
            "description": "Quantile bins for samples (2 to 1000).",
        },
        "epsilon": {"type": "number", "exclusiveMinimum": 0, "description": "PSI: empty bins."},
    },
}


KIND = Kind(
    name="drift",
    role="trigger",
    keys=DRIFT_METRICS,
    options={
        **COMMON,
        "missing": MISSING,
        "convention": CONVENTION,
        **{
            m: {**DISTRIBUTION_SPEC, "description": f"Compare by {label}: the two files."}
            for m, label in DRIFT_LABELS.items()
        },
        "above": {
            "type": "number",
            "minimum": 0,
            "description": "A number: fires when the statistic is above it; equal does not fire.",
        },
        "p_below": {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": 1,
            "description": "Tests (ks, chisquare): fire when the p-value is below this.",
        },
    },
    required=(),
    judge=same_every_day(evaluate_drift),
    uses_series=False,
    inputs=_drift_inputs,
    semantic=_drift_semantic,
)

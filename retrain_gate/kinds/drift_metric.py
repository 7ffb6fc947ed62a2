"""One feature's drift by the metric a rule names, under retrain-gate's conventions or Evidently's.

Above both: `drift_measures` (PSI, JS, binning), `drift_tests` (KS, chi-square, Wasserstein)
and `drift_evidently` (Evidently's binning and formulas) know nothing of each other's choice.
"""

from __future__ import annotations

from retrain_gate.errors import ConfigError, DataError
from retrain_gate.kinds import drift_evidently as evidently
from retrain_gate.kinds.drift_measures import (
    METRICS,
    Convention,
    Measured,
    Metric,
    _align_histograms,
    js_distance,
    psi,
    to_histogram,
)
from retrain_gate.kinds.drift_tests import chi_square, ks_2samp, reference_spread, wasserstein
from retrain_gate.sources.samples import Distribution, Sample


def measure(
    metric: Metric,
    reference: Distribution,
    current: Distribution,
    *,
    bins: int = 10,
    epsilon: float | None = None,
    convention: Convention = "retrain-gate",
) -> Measured:
    """The drift of one feature by one metric (formulas in the module docstrings);
    `convention="evidently"`: Evidently's binning and formulas (`drift_evidently`)."""
    if metric in ("ks", "wasserstein"):
        name = "KS" if metric == "ks" else "Wasserstein"
        if not (isinstance(reference, Sample) and isinstance(current, Sample)):
            raise DataError(
                f"{name} needs committed samples, not histograms",
                hint='commit raw values ({"values": [...]}) or use the psi, js or chisquare metric',
            )
        ref, cur = reference.ordered, current.ordered  # sorted once, shared with the bins
        if metric == "ks":
            return Measured(*ks_2samp(ref, cur, presorted=True))
        distance = wasserstein(ref, cur, presorted=True)
        return Measured(distance / reference_spread(reference.values))
    if metric not in METRICS:
        raise ConfigError(f"unknown drift metric {metric!r}; expected one of {', '.join(METRICS)}")
    if convention == "evidently":
        ref_hist, cur_hist = _align_histograms(*evidently.histograms(reference, current))
        if metric == "psi":
            return Measured(evidently.psi(ref_hist, cur_hist))
        if metric == "js":
            return Measured(evidently.js_distance(ref_hist, cur_hist))
    else:
        ref_hist, cur_hist = to_histogram(reference, current, bins=bins)
        if metric == "psi":
            return Measured(psi(ref_hist, cur_hist, epsilon=epsilon))
        if metric == "js":
            return Measured(js_distance(ref_hist, cur_hist))
    for side, histogram in (("reference", ref_hist), ("current", cur_hist)):
        if not all(count == int(count) for count in histogram.counts):
            raise DataError(
                f"chi-square needs counts, but the {side} histogram holds proportions",
                hint="commit the counts (whole numbers), or use the psi or js metric",
            )
    return Measured(
        *chi_square(ref_hist.counts, cur_hist.counts, goodness_of_fit=convention == "evidently")
    )


def compare(
    metric: Metric,
    reference: Distribution,
    current: Distribution,
    *,
    bins: int = 10,
    epsilon: float | None = None,
) -> float:
    """One drift number, larger meaning more drift: the statistic of `measure`."""
    return measure(metric, reference, current, bins=bins, epsilon=epsilon).statistic

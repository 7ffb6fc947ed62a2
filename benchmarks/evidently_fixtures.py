"""Record Evidently's drift answers on the data sets of evidently_cases.py, into
tests/fixtures/evidently.json (small: the data are rebuilt from their seeds), for
tests/test_drift_evidently.py, which checks `convention: evidently` against them without
needing Evidently.

    python benchmarks/evidently_fixtures.py

Installs Evidently (pinned, with pandas < 3, which its legacy API needs) into a venv of its
own under benchmarks/out/ on first use, from PyPI, and runs itself there. Evidently is no
dependency of retrain-gate or of its tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENV = HERE / "out" / "evidently-venv"
PACKAGES = ("evidently==0.7.23", "pandas<3")
FIXTURE = REPO / "tests" / "fixtures" / "evidently.json"


def python_with_evidently() -> Path:
    """The venv's interpreter, creating the venv and installing Evidently if needed."""
    python = VENV / "bin" / "python"
    if not python.exists():
        venv.create(VENV, with_pip=True)
    probe = [str(python), "-c", "import evidently, pandas"]
    if subprocess.run(probe, capture_output=True).returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PACKAGES], check=True)
    return python


def record() -> dict[str, object]:
    """Inside the venv: Evidently's answer for every case."""
    import warnings

    import evidently
    import pandas as pd
    from evidently.legacy.calculations import stattests
    from evidently.legacy.core import ColumnType
    from evidently.legacy.metrics import DataDriftTable
    from evidently.legacy.pipeline.column_mapping import ColumnMapping
    from evidently.legacy.report import Report
    from evidently_cases import dataset_cases, feature_cases
    from scipy import stats

    warnings.filterwarnings("ignore")
    tests = {
        "psi": stattests.psi_stat_test,
        "jensenshannon": stattests.jensenshannon_stat_test,
        "wasserstein": stattests.wasserstein_stat_test,
        "ks": stattests.ks_stat_test,
        "chisquare": stattests.chi_stat_test,
        "z": stattests.z_stat_test,
    }
    types = {"num": ColumnType.Numerical, "cat": ColumnType.Categorical}
    features: dict[str, object] = {}
    for name, (reference, current, kind, names) in feature_cases().items():
        ref, cur = pd.Series(reference), pd.Series(current)
        answers: dict[str, object] = {}
        for test in names:
            result = tests[test](ref, cur, types[kind], None)
            answers[test] = {
                "drift_score": float(result.drift_score),
                "drifted": bool(result.drifted),
                "threshold": float(result.actual_threshold),
            }
        if "ks" in names:  # Evidently reports only the p-value; scipy's D, which it computes
            answers["ks"]["statistic"] = float(stats.ks_2samp(reference, current).statistic)  # type: ignore[index]
        features[name] = answers
    datasets: dict[str, object] = {}
    for name, (reference, current, kinds) in dataset_cases().items():
        mapping = ColumnMapping(
            numerical_features=[c for c, k in kinds.items() if k == "num"],
            categorical_features=[c for c, k in kinds.items() if k == "cat"],
        )
        report = Report(metrics=[DataDriftTable()])
        report.run(
            reference_data=pd.DataFrame(reference),
            current_data=pd.DataFrame(current),
            column_mapping=mapping,
        )
        result = report.as_dict()["metrics"][0]["result"]
        datasets[name] = {
            "share_of_drifted_columns": result["share_of_drifted_columns"],
            "dataset_drift": result["dataset_drift"],
            "columns": {
                column: {
                    "stattest_name": answer["stattest_name"],
                    "drift_score": answer["drift_score"],
                    "drift_detected": answer["drift_detected"],
                }
                for column, answer in result["drift_by_columns"].items()
            },
        }
    return {"evidently": evidently.__version__, "features": features, "datasets": datasets}


def main() -> int:
    if "--inside" in sys.argv:
        sys.path.insert(0, str(HERE))
        FIXTURE.parent.mkdir(parents=True, exist_ok=True)
        FIXTURE.write_text(json.dumps(record(), indent=1, sort_keys=True) + "\n")
        print(f"wrote {FIXTURE.relative_to(REPO)}")
        return 0
    python = python_with_evidently()
    return subprocess.run([str(python), __file__, "--inside"]).returncode


if __name__ == "__main__":
    raise SystemExit(main())

"""benchmarks/drift_vs_evidently.py runs (without Evidently here: it is no test dependency) and
says what the gate decided on its data; no timing is asserted (machines vary)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "drift_vs_evidently.py"


def test_the_drift_benchmark_runs_and_reports_the_verdict() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--sizes", "20000", "--repeat", "1", "--no-evidently"],
        capture_output=True,
        text=True,
        check=True,
    )
    out = done.stdout
    assert "20,000 values per side" in out
    assert re.search(r"json\.load of the two files +\d+\.\d\d s", out)
    # a 0.05 sd shift on 20,000 values a side is found by KS at p < 0.05
    assert re.search(r"retrain-gate check +\d+\.\d\d s += \d+\.\d\d x the floor; drift: True", out)
    assert "Evidently" not in out

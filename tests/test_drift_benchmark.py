"""benchmarks/drift_vs_evidently.py runs (without Evidently here: it is no test dependency) and
says what the gate decided on its data, and whether the floor bar is met; no timing is asserted
(machines vary)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "drift_vs_evidently.py"


def test_the_drift_benchmark_runs_and_reports_the_verdict_and_the_bar() -> None:
    options = ["--sizes", "20000", "--repeat", "1", "--no-evidently", "--bars", "20000", "20000"]
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *options],
        capture_output=True,
        text=True,
        check=True,
    )
    out = done.stdout
    assert "20,000 values per side" in out
    assert re.search(r"json\.load of the two files +\d+\.\d\d s", out)
    # a 0.05 sd shift on 20,000 values a side is found by KS at p < 0.05
    assert re.search(r"retrain-gate check +\d+\.\d\d s += \d+\.\d\d x the floor; drift: True", out)
    # the floor bar, checked at the size asked for; the Evidently bar needs Evidently
    assert re.search(
        r"bars\n  20,000: retrain-gate / json\.load \d+\.\d\d x \(target <= 1\.5 x\): (NOT )?met$",
        out,
        re.MULTILINE,
    )
    assert "Evidently" not in out

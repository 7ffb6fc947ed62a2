"""Drift on one numeric feature, retrain-gate against Evidently, side by side in one run.

For each size (values per side), writes a tiny repository (a config with one drift rule and two
committed samples, {"values": [...]}, seeded normal data, the current shifted by 0.05 sd) and
times, in FRESH processes (interpreter start and imports included; best of `--repeat`, wall
time):

- the FLOOR: `python -c` reading the two JSON files with the standard library (`json.load`);
- retrain-gate: `python -m retrain_gate check --format json` on the repository;
- Evidently: a script reading the same files (`json.load`) and running a legacy `Report` with
  `DataDriftTable(stattest=...)` on them, in a venv of its own (benchmarks/out/, installed from
  PyPI on first use by evidently_fixtures.py; `--no-evidently` skips it).

Both tools run the same test with the same threshold: KS with p < 0.05 (`--test ks`, Evidently's
p <= 0.05), or the normalised Wasserstein distance above 0.1 (`--test wasserstein`, Evidently's
default for numeric columns over 1,000 rows, >= 0.1), or PSI on Evidently's bins
(`--test psi`, `convention: evidently`, >= 0.1); the verdicts are printed side by side.

    python benchmarks/drift_vs_evidently.py [--sizes 100000 1000000] [--repeat 3] [--test ks]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

RULES = {
    "ks": "ks: {reference: drift/ref.json, current: drift/cur.json}, p_below: 0.05",
    "wasserstein": "wasserstein: {reference: drift/ref.json, current: drift/cur.json}, above: 0.1",
    # Evidently's Sturges bins and empty-bin rule, >= 0.1: its numbers exactly
    "psi": "psi: {reference: drift/ref.json, current: drift/cur.json}, above: 0.1, "
    "convention: evidently",
}
FLOOR = """
import json, sys
for path in sys.argv[1:]:
    with open(path) as f:
        json.load(f)
"""
EVIDENTLY = """
import json, sys, warnings
warnings.filterwarnings("ignore")
import pandas as pd
from evidently.legacy.metrics import DataDriftTable
from evidently.legacy.pipeline.column_mapping import ColumnMapping
from evidently.legacy.report import Report
test, reference, current = sys.argv[1:]
with open(reference) as f:
    ref = json.load(f)["values"]
with open(current) as f:
    cur = json.load(f)["values"]
report = Report(metrics=[DataDriftTable(stattest=test)])
report.run(
    reference_data=pd.DataFrame({"x": ref}),
    current_data=pd.DataFrame({"x": cur}),
    column_mapping=ColumnMapping(numerical_features=["x"]),
)
answer = report.as_dict()["metrics"][0]["result"]["drift_by_columns"]["x"]
print(json.dumps({"drift": bool(answer["drift_detected"]), "score": answer["drift_score"]}))
"""


def make_repository(root: Path, size: int, *, test: str, seed: int) -> None:
    rng = random.Random(seed)
    (root / "drift").mkdir(parents=True)
    for name, mean in (("ref", 0.0), ("cur", 0.05)):
        values = [round(rng.gauss(mean, 1.0), 6) for _ in range(size)]
        (root / "drift" / f"{name}.json").write_text(json.dumps({"values": values}))
    config = f"version: 1\nmodels:\n  m:\n    triggers:\n      - {{name: d, {RULES[test]}}}\n"
    (root / "retrain-gate.yml").write_text(config)


def best(repeat: int, command: Sequence[str]) -> tuple[float, str]:
    """The best wall time of `repeat` fresh runs, and the last run's stdout."""
    times, out = [], ""
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{command[0]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
        out = done.stdout
    return min(times), out


def gate_verdict(out: str) -> tuple[bool, float]:
    (model,) = json.loads(out)["models"]
    (trigger,) = model["triggers"]
    return trigger["status"] == "fired", float(trigger["observed"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--test", choices=sorted(RULES), default="ks")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--no-evidently", action="store_true")
    args = parser.parse_args(argv)
    evidently = None
    if not args.no_evidently:
        sys.path.insert(0, str(HERE))
        from evidently_fixtures import python_with_evidently

        evidently = python_with_evidently()
    print(f"drift ({args.test}) on one numeric feature, fresh processes, best of {args.repeat}")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            make_repository(root, size, test=args.test, seed=args.seed)
            files = [str(root / "drift" / "ref.json"), str(root / "drift" / "cur.json")]
            floor, _ = best(args.repeat, [sys.executable, "-c", FLOOR, *files])
            gate = [sys.executable, "-m", "retrain_gate", "check", "--format", "json"]
            ours, out = best(args.repeat, [*gate, "--config", str(root / "retrain-gate.yml")])
            fired, observed = gate_verdict(out)
            print(f"\n{size:,} values per side")
            print(f"  json.load of the two files      {floor:8.2f} s")
            print(
                f"  retrain-gate check              {ours:8.2f} s  = {ours / floor:.2f} x the "
                f"floor; drift: {fired} ({args.test} {observed:.4g})"
            )
            if evidently is not None:
                theirs, out = best(
                    args.repeat, [str(evidently), "-c", EVIDENTLY, args.test, *files]
                )
                answer = json.loads(out)
                same = "same verdict" if answer["drift"] == fired else "DIFFERENT verdict"
                print(
                    f"  Evidently Report                {theirs:8.2f} s  = {theirs / ours:.1f} x "
                    f"retrain-gate; drift: {answer['drift']} ({answer['score']:.4g}): {same}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

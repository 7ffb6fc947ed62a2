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

The gate and the floor run with their bytecode cached (in a folder of the run's own, after one
untimed warm-up run), as after `pip install`, which compiles it; Evidently's venv was installed
by pip, so its bytecode is cached too.

Both tools run the same test with the same threshold: KS with p < 0.05 (`--test ks`, Evidently's
p <= 0.05), or the normalised Wasserstein distance above 0.1 (`--test wasserstein`, Evidently's
default for numeric columns over 1,000 rows, >= 0.1), or PSI on Evidently's bins
(`--test psi`, `convention: evidently`, >= 0.1); the verdicts are printed side by side.

At the end, the two bars of the drift issue, met or not: at 100,000 values per side Evidently
takes at least 30 times as long as retrain-gate, with the same verdict; at 1,000,000
retrain-gate takes at most 1.5 times as long as the floor (`--bars` moves them).

    python benchmarks/drift_vs_evidently.py [--sizes 100000 1000000] [--repeat 3] [--test ks]
        [--bars 100000 1000000] [--no-evidently]
"""

from __future__ import annotations

import argparse
import json
import os
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


# The bars (the sizes they are checked at: --bars).
EVIDENTLY_BAR = 30.0  # Evidently's time / retrain-gate's, at least, at 100,000 values a side
FLOOR_BAR = 1.5  # retrain-gate's time / the floor's, at most, at 1,000,000


def cached_bytecode_env(pycache: Path) -> dict[str, str]:
    """This checkout first on the path, its bytecode cached in `pycache` (as after an install)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def best(
    repeat: int, command: Sequence[str], env: dict[str, str] | None = None
) -> tuple[float, str]:
    """The best wall time of `repeat` fresh runs, and the last run's stdout."""
    times, out = [], ""
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=env)
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
    parser.add_argument(
        "--bars",
        type=int,
        nargs=2,
        default=[100_000, 1_000_000],
        metavar=("EVIDENTLY_SIZE", "FLOOR_SIZE"),
        help="the sizes at which the two bars are checked",
    )
    args = parser.parse_args(argv)
    evidently = None
    if not args.no_evidently:
        sys.path.insert(0, str(HERE))
        from evidently_fixtures import python_with_evidently

        evidently = python_with_evidently()
    print(f"drift ({args.test}) on one numeric feature, fresh processes, best of {args.repeat}")
    bars: list[str] = []
    with tempfile.TemporaryDirectory() as cache:
        env = cached_bytecode_env(Path(cache))
        for size in args.sizes:
            bars += measure_size(size, args=args, env=env, evidently=evidently)
    if bars:
        print("\nbars")
        print("\n".join(bars))
    return 0


def measure_size(
    size: int, *, args: argparse.Namespace, env: dict[str, str], evidently: Path | None
) -> list[str]:
    """Time the three at one size, print them; the bar lines for this size."""
    bars = []
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        make_repository(root, size, test=args.test, seed=args.seed)
        files = [str(root / "drift" / "ref.json"), str(root / "drift" / "cur.json")]
        gate = [sys.executable, "-m", "retrain_gate", "check", "--format", "json"]
        gate += ["--config", str(root / "retrain-gate.yml")]
        best(1, gate, env)  # warm-up: compiles the bytecode once
        floor, _ = best(args.repeat, [sys.executable, "-c", FLOOR, *files], env)
        ours, out = best(args.repeat, gate, env)
        fired, observed = gate_verdict(out)
        print(f"\n{size:,} values per side")
        print(f"  json.load of the two files      {floor:8.2f} s")
        print(
            f"  retrain-gate check              {ours:8.2f} s  = {ours / floor:.2f} x the "
            f"floor; drift: {fired} ({args.test} {observed:.4g})"
        )
        if size == args.bars[1]:
            met = "met" if ours / floor <= FLOOR_BAR else "NOT met"
            bars.append(
                f"  {size:,}: retrain-gate / json.load {ours / floor:.2f} x "
                f"(target <= {FLOOR_BAR} x): {met}"
            )
        if evidently is not None:
            theirs, out = best(args.repeat, [str(evidently), "-c", EVIDENTLY, args.test, *files])
            answer = json.loads(out)
            same = answer["drift"] == fired
            print(
                f"  Evidently Report                {theirs:8.2f} s  = {theirs / ours:.1f} x "
                f"retrain-gate; drift: {answer['drift']} ({answer['score']:.4g}): "
                f"{'same' if same else 'DIFFERENT'} verdict"
            )
            if size == args.bars[0]:
                met = "met" if theirs / ours >= EVIDENTLY_BAR and same else "NOT met"
                bars.append(
                    f"  {size:,}: Evidently / retrain-gate {theirs / ours:.1f} x "
                    f"(target >= {EVIDENTLY_BAR:g} x, same verdict): {met}"
                )
    return bars


if __name__ == "__main__":
    raise SystemExit(main())

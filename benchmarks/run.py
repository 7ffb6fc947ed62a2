"""How fast the gate is on a big repository, as ratios to what cannot be avoided.

Generates (deterministically, into a temporary folder) repositories with
`benchmarks/make_repo.py` and times, in this one process, run after run (best of
`--repeat`, with time.perf_counter):

- the FLOOR: reading and parsing the same metric files with the standard library alone
  (`csv.reader` and `float()` on every metric cell, nothing else);
- `check` of every model: the real pipeline in-process (`load_config` + `gate.check`);
- `validate` of the config (`retrain-gate validate`, in-process);
- both at the full size and at two smaller ones (half the models, half the days), to show
  that the cost grows linearly in models and in days;
- start-up: `python -m retrain_gate --version` against `python -c pass`, and a small `check`
  (subprocesses, bytecode cached as after an install);
- peak memory of `check` (tracemalloc) against the size of the parsed data (every metric value
  of every file as Python floats, as the floor holds them);
- drift: KS, PSI and JS on `--drift-values` values per side
  (`retrain_gate.kinds.drift_measures`), against sorting the two samples, and at a quarter
  of the size to show O(n log n) (against Evidently, in fresh processes:
  `benchmarks/drift_vs_evidently.py`);
- installing the package into a fresh virtual environment from a local wheel folder, against
  installing its three dependencies alone.

Every figure is printed as a ratio, with the seconds beside it.

    python benchmarks/run.py [--models 200 --days 1095 --metrics 10] [--repeat 3] [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
import venv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from make_repo import RepoSize, last_day, make_repo  # noqa: E402

from retrain_gate.cli import main as cli_main  # noqa: E402
from retrain_gate.config import load_config  # noqa: E402
from retrain_gate.engine.gate import check  # noqa: E402

DEPENDENCIES = ("pyyaml", "jsonschema", "rich")
# Modules whose import a small `check` should pay for only when it uses them.
OPTIONAL_IMPORTS = ("jsonschema", "rich", "retrain_gate.kinds.drift_measures")


@dataclass(frozen=True)
class Timed:
    seconds: float
    result: object = None


def best_of(repeat: int, work: Callable[[], object]) -> Timed:
    """The fastest of `repeat` runs (the least disturbed by the rest of the machine)."""
    best = math.inf
    result: object = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return Timed(best, result)


def line(label: str, ratio: float, detail: str) -> None:
    print(f"  {label:<34} {ratio:7.2f}x   {detail}", flush=True)


def seconds(value: float) -> str:
    return f"{value:.4f} s" if value < 1 else f"{value:.3f} s"


# --- the floor -------------------------------------------------------------------------------


def metric_files(root: Path) -> list[Path]:
    return sorted(root.glob("metrics/*/daily.csv"))


def floor(root: Path) -> list[list[list[float]]]:
    """Every metric file read with csv and float(): one list of floats per column per file."""
    parsed = []
    for path in metric_files(root):
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            columns: list[list[float]] = [[] for _ in header[1:]]
            for row in reader:
                for column, cell in zip(columns, row[1:]):
                    column.append(float(cell))
        parsed.append(columns)
    return parsed


# --- the gate --------------------------------------------------------------------------------


def now_for(size: RepoSize) -> datetime:
    day = last_day(size.days) + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def gate_check(config_path: Path, now: datetime) -> object:
    report = check(load_config(config_path), now=now)
    if report.exit_code:  # a benchmark of errors would measure the wrong thing
        raise SystemExit(f"check did not decide every model: exit {report.exit_code}")
    return report


def gate_validate(config_path: Path) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        code = cli_main(["validate", "--config", str(config_path)])
    if code:
        raise SystemExit(f"validate failed: exit {code}")


@dataclass(frozen=True)
class SizeTimes:
    size: RepoSize
    floor: float
    check: float
    validate: float


def time_size(folder: Path, size: RepoSize, *, seed: int, repeat: int) -> SizeTimes:
    root = folder / f"repo-{size.models}x{size.days}x{size.metrics}"
    config_path = make_repo(root, size, seed=seed)
    now = now_for(size)
    gate_check(config_path, now)  # warm the file cache and imports once, untimed
    floor_time = best_of(repeat, lambda: floor(root))
    check_time = best_of(repeat, lambda: gate_check(config_path, now))
    validate_time = best_of(repeat, lambda: gate_validate(config_path))
    return SizeTimes(size, floor_time.seconds, check_time.seconds, validate_time.seconds)


def describe(size: RepoSize) -> str:
    return f"{size.models} models x {size.days} days x {size.metrics} metrics"


def report_sizes(times: list[SizeTimes]) -> None:
    full, fewer_models, fewer_days = times
    print("\ncheck and validate against the floor (csv + float on every metric cell)")
    for entry in times:
        print(f" {describe(entry.size)}:")
        line(
            "check/floor",
            entry.check / entry.floor,
            f"check {seconds(entry.check)}, floor {seconds(entry.floor)}",
        )
        line(
            "validate/floor",
            entry.validate / entry.floor,
            f"validate {seconds(entry.validate)}, floor {seconds(entry.floor)}",
        )
    print("\nlinear growth (1.00x = exactly linear)")
    for label, small, grown in (
        ("models", fewer_models, full.size.models / fewer_models.size.models),
        ("days", fewer_days, full.size.days / fewer_days.size.days),
    ):
        for name in ("check", "floor"):
            big_time = getattr(full, name)
            small_time = getattr(small, name)
            line(
                f"{name} growth in {label} / linear",
                big_time / small_time / grown,
                f"x{grown:g} {label}: {seconds(small_time)} -> {seconds(big_time)} "
                f"({big_time / small_time:.2f}x)",
            )
    for entry in times:
        cells = entry.size.models * entry.size.days
        line(
            f"check per model-day, {entry.size.models}x{entry.size.days}",
            (entry.check / cells) / (full.check / (full.size.models * full.size.days)),
            f"{entry.check / cells * 1e6:.2f} us per model-day, check {seconds(entry.check)} "
            "(ratio to the full size)",
        )


# --- memory ----------------------------------------------------------------------------------


def traced(work: Callable[[], object]) -> tuple[int, int]:
    """(bytes still allocated by the result, peak bytes) while `work` runs."""
    tracemalloc.start()
    try:
        result = work()
        current, peak = tracemalloc.get_traced_memory()
        del result
    finally:
        tracemalloc.stop()
    return current, peak


def report_memory(folder: Path, size: RepoSize) -> None:
    root = folder / f"repo-{size.models}x{size.days}x{size.metrics}"
    config_path = root / "retrain-gate.yml"
    parsed_size, _ = traced(lambda: floor(root))
    _, check_peak = traced(lambda: gate_check(config_path, now_for(size)))
    raw = sum(p.stat().st_size for p in metric_files(root))
    print(f"\npeak memory of check ({describe(size)}, tracemalloc)")
    line(
        "check peak/parsed data",
        check_peak / parsed_size,
        f"peak {check_peak / 1e6:.1f} MB, parsed data {parsed_size / 1e6:.1f} MB "
        f"(metric files {raw / 1e6:.1f} MB on disk)",
    )


# --- start-up --------------------------------------------------------------------------------


def startup_env(pycache: Path) -> dict[str, str]:
    """Bytecode cached in a folder of our own, as after `pip install` (which compiles it)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["NO_COLOR"] = "1"
    return env


def run_quietly(argv: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr[-500:]}")


def imported(argv: list[str], env: dict[str, str]) -> set[str]:
    """The modules a command imports (python -X importtime)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *argv[1:]], env=env, capture_output=True, text=True
    )
    return {row.rsplit("|", 1)[-1].strip() for row in done.stderr.splitlines() if "|" in row}


def report_startup(folder: Path, *, seed: int, repeat: int) -> None:
    small = RepoSize(models=2, days=60, metrics=5)
    config_path = make_repo(folder / "small", small, seed=seed)
    env = startup_env(folder / "pycache")
    python = [sys.executable]
    commands = {
        "python -c pass": [*python, "-c", "pass"],
        "--version": [*python, "-m", "retrain_gate", "--version"],
        "small check": [
            *python,
            "-m",
            "retrain_gate",
            "check",
            "--config",
            str(config_path),
            "--format",
            "json",
            "--now",
            now_for(small).date().isoformat(),
        ],
    }
    for argv in commands.values():
        run_quietly(argv, env)  # compile and cache the bytecode, untimed
    times = {
        name: best_of(repeat, lambda argv=argv: run_quietly(argv, env)).seconds  # type: ignore[misc]
        for name, argv in commands.items()
    }
    base = times["python -c pass"]
    print(f"\nstart-up (subprocesses, best of {repeat}, bytecode cached)")
    line(
        "--version/python -c pass",
        times["--version"] / base,
        f"{seconds(times['--version'])} vs {seconds(base)}",
    )
    line(
        "small check/python -c pass",
        times["small check"] / base,
        f"{seconds(times['small check'])} vs {seconds(base)} ({describe(small)}, --format json)",
    )
    for name in ("--version", "small check"):
        modules = imported(commands[name], env)
        loaded = [m for m in OPTIONAL_IMPORTS if m in modules]
        print(f"    {name} imports: {', '.join(loaded) or 'none'} of {', '.join(OPTIONAL_IMPORTS)}")


# --- drift -----------------------------------------------------------------------------------


def report_drift(values: int, *, seed: int, repeat: int) -> None:
    from retrain_gate.kinds import drift_metric as drift
    from retrain_gate.sources.samples import Sample

    rng = random.Random(seed)

    def samples(count: int) -> tuple[Sample, Sample]:
        reference = Sample(tuple(rng.gauss(0.0, 1.0) for _ in range(count)))
        current = Sample(tuple(rng.gauss(0.1, 1.1) for _ in range(count)))
        return reference, current

    quarter = max(values // 4, 1000)
    print(f"\ndrift on {values:,} values per side (retrain_gate.kinds.drift_measures)")
    big = samples(values)
    small = samples(quarter)
    sort_time = best_of(repeat, lambda: (sorted(big[0].values), sorted(big[1].values))).seconds
    n_log_n = (values * math.log(values)) / (quarter * math.log(quarter))
    small_sort = best_of(repeat, lambda: (sorted(small[0].values), sorted(small[1].values)))
    line(
        f"sorting growth x{values // quarter} / n log n",
        (sort_time / small_sort.seconds) / n_log_n,
        f"{seconds(small_sort.seconds)} at {quarter:,} -> {seconds(sort_time)} at {values:,} "
        "(the reference: memory effects included)",
    )

    def fresh(pair: tuple[Sample, Sample]) -> tuple[Sample, Sample]:
        """New Samples of the same values: each run sorts them (Sample.ordered is cached)."""
        return Sample(pair[0].values), Sample(pair[1].values)

    for metric in ("ks", "psi", "js"):
        timed = best_of(
            repeat,
            lambda m=metric: drift.compare(m, *fresh(big)),  # type: ignore[misc]
        )
        small_time = best_of(
            repeat,
            lambda m=metric: drift.compare(m, *fresh(small)),  # type: ignore[misc]
        ).seconds
        line(
            f"{metric}/sorting both samples",
            timed.seconds / sort_time,
            f"{metric} {seconds(timed.seconds)} (= {timed.result:.4f}), "
            f"sorting {seconds(sort_time)}",
        )
        line(
            f"{metric} growth x{values // quarter} / n log n",
            (timed.seconds / small_time) / n_log_n,
            f"{seconds(small_time)} at {quarter:,} -> {seconds(timed.seconds)} at {values:,}",
        )


# --- installation ----------------------------------------------------------------------------


def fresh_venv(path: Path) -> Path:
    venv.EnvBuilder(with_pip=True, clear=True).create(path)
    return path / ("Scripts" if os.name == "nt" else "bin") / "python"


def pip(python: Path | str, *args: str) -> None:
    run_quietly(
        [str(python), "-m", "pip", "--disable-pip-version-check", "-q", *args], dict(os.environ)
    )


def report_install(folder: Path, *, repeat: int) -> None:
    wheels = folder / "wheels"
    print("\ninstall into a fresh virtual environment from a local wheel folder")
    started = time.perf_counter()
    pip(sys.executable, "wheel", "--wheel-dir", str(wheels), str(REPO), *DEPENDENCIES)
    built = time.perf_counter() - started
    print(f"    (pip wheel of the package and its dependencies: {seconds(built)}, not timed)")

    elapsed: dict[str, list[float]] = {"package": [], "dependencies": []}
    for _ in range(repeat):  # interleaved, so that a busier minute weighs on both alike
        for name, packages in (("package", ("retrain-gate",)), ("dependencies", DEPENDENCIES)):
            python = fresh_venv(folder / "venv")  # not timed: the same for both
            started = time.perf_counter()
            pip(python, "install", "--no-index", "--find-links", str(wheels), *packages)
            elapsed[name].append(time.perf_counter() - started)
    results = {name: min(times) for name, times in elapsed.items()}
    line(
        "package/its 3 dependencies alone",
        results["package"] / results["dependencies"],
        f"retrain-gate {seconds(results['package'])}, "
        f"{' '.join(DEPENDENCIES)} {seconds(results['dependencies'])}",
    )


# --- main ------------------------------------------------------------------------------------


@contextlib.contextmanager
def workspace(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="retrain-gate-bench-") as folder:
        yield Path(folder)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=200)
    parser.add_argument("--days", type=int, default=1095)
    parser.add_argument("--metrics", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    parser.add_argument("--startup-repeat", type=int, default=10)
    parser.add_argument("--drift-values", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-install", action="store_true", help="skip the install timing")
    parser.add_argument("--workdir", type=Path, help="keep the generated files here")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: a tiny size, one repetition, 20,000 drift values, no install",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.models, args.days, args.metrics = min(args.models, 8), min(args.days, 60), 5
        args.repeat, args.startup_repeat, args.drift_values = 1, 1, 20_000
        args.no_install = True
    full = RepoSize(models=args.models, days=args.days, metrics=args.metrics)
    sizes = [
        full,
        RepoSize(models=max(full.models // 2, 1), days=full.days, metrics=full.metrics),
        RepoSize(models=full.models, days=max(full.days // 2, 30), metrics=full.metrics),
    ]
    print(f"retrain-gate benchmark: {describe(full)} (and half the models, half the days)")
    print(f"python {sys.version.split()[0]}, best of {args.repeat}, seed {args.seed}")
    with workspace(args.workdir) as folder:
        times = [time_size(folder, size, seed=args.seed, repeat=args.repeat) for size in sizes]
        report_sizes(times)
        report_memory(folder, full)
        report_startup(folder, seed=args.seed, repeat=args.startup_repeat)
        report_drift(args.drift_values, seed=args.seed, repeat=args.repeat)
        if args.no_install:
            print("\ninstall: skipped (--no-install or --quick)")
        else:
            report_install(folder, repeat=args.repeat)
            shutil.rmtree(folder / "venv", ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

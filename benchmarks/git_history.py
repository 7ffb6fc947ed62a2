"""What reading a metric file's history from git (`history: git`) costs, against a floor.

Generates (deterministically, with `git fast-import`, into a temporary folder) a repository
whose CI rewrote `metrics/model-NN/metrics.json` for each of `--files` models and committed
them once a day for `--commits` days. Then times, in this one process:

- the floor: per file, `git log --format=%H -- FILE` and one `git cat-file --batch` of those
  blobs, and `json.loads` of each (what any reader of the history must do at least);
- retrain-gate: `history_records` and `build_series` of the same files (the series a rule
  reads, with every check the gate makes).

It prints both for one file and for all the files, and each at half the commits (linear in
commits: the second ratio stays near the first). Each time is the best of `--repeat`.

    python benchmarks/git_history.py [--commits 1095] [--files 20] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from retrain_gate.sources.history import history_records
from retrain_gate.sources.metrics import build_series

START = int(datetime(2024, 1, 1, tzinfo=timezone.utc).timestamp())


def make_history(root: Path, *, commits: int, files: int, seed: int = 1) -> list[str]:
    """A repository of `commits` daily commits, each rewriting every model's metrics.json."""
    rng = random.Random(seed)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    paths = [f"metrics/model-{n:02d}/metrics.json" for n in range(files)]
    chunks: list[bytes] = []
    for day in range(commits):
        stamp = START + day * 86400
        message = f"metrics of day {day}".encode()
        chunks.append(b"commit refs/heads/main\n")
        chunks.append(f"committer CI <ci@example.com> {stamp} +0000\n".encode())
        chunks.append(b"data %d\n%s\n" % (len(message), message))
        for path in paths:
            body = json.dumps(
                {
                    "accuracy": round(0.9 + rng.uniform(-0.02, 0.02), 4),
                    "f1": round(0.87 + rng.uniform(-0.02, 0.02), 4),
                    "rows": 12000 + rng.randrange(1000),
                }
            ).encode()
            chunks.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(body), body))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(chunks), check=True)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=root, check=True)
    return paths


def floor(root: Path, path: str) -> int:
    """The least any reader does: list the commits, read the blobs in one batch, parse."""
    log = subprocess.run(
        ["git", "log", "--format=%H", "--", path], cwd=root, capture_output=True, check=True
    )
    shas = log.stdout.split()
    batch = b"".join(b"%s:%s\n" % (sha, path.encode()) for sha in shas)
    out = subprocess.run(
        ["git", "cat-file", "--batch"], cwd=root, input=batch, capture_output=True, check=True
    ).stdout
    at = parsed = 0
    while at < len(out):
        end = out.index(b"\n", at)
        size = int(out[at:end].split()[2])
        json.loads(out[end + 1 : end + 1 + size])
        parsed += 1
        at = end + 1 + size + 1
    return parsed


def gate(root: Path, path: str) -> int:
    records = history_records(root, path)
    series = build_series(
        records, source=path, time_field="date", metrics=("accuracy", "f1", "rows")
    )
    return len(series)


def best_of(repeat: int, read: Callable[[Path, str], int], root: Path, paths: list[str]) -> float:
    """The best time of `repeat` reads of every path."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        for path in paths:
            read(root, path)
        times.append(time.perf_counter() - started)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commits", type=int, default=1095)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="retrain-gate-history-") as folder:
        rows = []
        for commits in (args.commits // 2, args.commits):
            root = Path(folder) / f"repo-{commits}"
            paths = make_history(root, commits=commits, files=args.files)
            assert gate(root, paths[0]) == floor(root, paths[0]) == commits
            for label, chosen in (("1 file", paths[:1]), (f"{len(paths)} files", paths)):
                low = best_of(args.repeat, floor, root, chosen)
                ours = best_of(args.repeat, gate, root, chosen)
                rows.append((commits, label, low, ours))
    print(f"{'commits':>7}  {'files':<9} {'floor':>9} {'retrain-gate':>13} {'ratio':>6}")
    for commits, label, low, ours in rows:
        ms = f"{low * 1000:7.1f}ms {ours * 1000:11.1f}ms"
        print(f"{commits:>7}  {label:<9} {ms} {ours / low:6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

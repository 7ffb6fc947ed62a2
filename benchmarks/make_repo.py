"""Generate a benchmark repository: M models x D days x K metrics, deterministic from a seed.

Each model gets a daily CSV (`metrics/<model>/daily.csv`: a date column and K metric
columns), a model card (`models/<model>/model_card.json`), reference and current histograms
(`data/<model>/{reference,current}_hist.json`) and an entry in `retrain-gate.yml` that uses
several rule kinds: threshold (with persistence), baseline change over a window, data growth,
model age, a PSI drift rule, an anomaly rule, and range, freshness and gap checks.

    python benchmarks/make_repo.py OUT --models 200 --days 1095 --metrics 10 --seed 1
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

FIRST_DAY = date(2024, 1, 1)
# The first metrics are the ones the rules read; the rest are filler the gate must skip.
NAMED_METRICS = ("accuracy", "rows", "null_rate.age")
HIST_EDGES = (18, 25, 35, 45, 55, 65, 90)


@dataclass(frozen=True)
class RepoSize:
    models: int
    days: int
    metrics: int

    def __post_init__(self) -> None:
        if self.models < 1 or self.days < 30 or self.metrics < len(NAMED_METRICS):
            raise ValueError(
                f"need at least 1 model, 30 days and {len(NAMED_METRICS)} metrics, got {self}"
            )


def metric_names(count: int) -> list[str]:
    return [*NAMED_METRICS, *(f"m{i:02d}" for i in range(count - len(NAMED_METRICS)))]


def last_day(days: int) -> date:
    return FIRST_DAY + timedelta(days=days - 1)


def model_name(index: int) -> str:
    return f"model-{index:04d}"


def daily_csv(rng: random.Random, *, days: int, metrics: list[str]) -> str:
    lines = [",".join(["date", *metrics])]
    accuracy = 0.9 + rng.uniform(-0.02, 0.02)
    rows = rng.randint(5_000, 50_000)
    for offset in range(days):
        accuracy = min(0.99, max(0.5, accuracy + rng.gauss(0, 0.002)))
        cells = [
            (FIRST_DAY + timedelta(days=offset)).isoformat(),
            f"{accuracy:.4f}",
            str(rows + rng.randint(-500, 500)),
            f"{rng.uniform(0.0, 0.04):.4f}",
        ]
        cells += [f"{rng.gauss(0, 1):.5f}" for _ in metrics[len(NAMED_METRICS) :]]
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def histogram(rng: random.Random, *, shift: float) -> dict[str, object]:
    counts = [round(1000 * (1 + shift * i) * rng.uniform(0.8, 1.2)) for i in range(6)]
    return {"features": {"age": {"bins": list(HIST_EDGES), "counts": counts}}}


def model_entry(name: str) -> str:
    return f"""  {name}:
    metrics: {{path: metrics/{name}/daily.csv, time: date}}
    baseline: models/{name}/model_card.json
    dispatch: {{workflow: retrain.yml, ref: main, inputs: {{model: {name}}}, cooldown: 7d}}
    triggers:
      - {{name: accuracy-floor, metric: accuracy, below: 0.85, for: 2}}
      - {{name: accuracy-drop, metric: accuracy, drop_from_baseline: 3%,
          aggregate: mean, window: 7d}}
      - {{name: more-data, metric: rows, growth_since_baseline: 20%}}
      - {{name: stale-model, max_age: 90d}}
      - name: feature-drift
        psi: {{reference: data/{name}/reference_hist.json,
               current: data/{name}/current_hist.json, feature: age}}
        above: 0.25
      - {{name: accuracy-anomaly, metric: accuracy, outside_sigma: 4, reference_window: 28d}}
    checks:
      - {{name: enough-rows, metric: rows, at_least: 1000}}
      - {{name: fresh-data, freshness: 2d}}
      - {{name: no-gaps, max_gap: 1d, window: 14d}}
      - {{name: nulls-age, metric: null_rate.age, at_most: 0.05}}
"""


def make_repo(out: Path, size: RepoSize, *, seed: int) -> Path:
    """Write the repository under `out`; return the config's path."""
    rng = random.Random(seed)
    metrics = metric_names(size.metrics)
    trained = last_day(size.days) - timedelta(days=60)
    entries = []
    for index in range(size.models):
        name = model_name(index)
        files = {
            f"metrics/{name}/daily.csv": daily_csv(rng, days=size.days, metrics=metrics),
            f"models/{name}/model_card.json": json.dumps(
                {
                    "model": name,
                    "trained_at": f"{trained.isoformat()}T06:00:00Z",
                    "rows": rng.randint(20_000, 40_000),
                    "metrics": {"accuracy": round(rng.uniform(0.88, 0.92), 4)},
                },
                indent=2,
            ),
            f"data/{name}/reference_hist.json": json.dumps(histogram(rng, shift=0.0)),
            f"data/{name}/current_hist.json": json.dumps(histogram(rng, shift=0.05)),
        }
        for relative, text in files.items():
            path = out / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        entries.append(model_entry(name))
    config = out / "retrain-gate.yml"
    config.write_text("version: 1\nmodels:\n" + "".join(entries), encoding="utf-8")
    return config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the folder to write (created if missing)")
    parser.add_argument("--models", type=int, default=200)
    parser.add_argument("--days", type=int, default=1095)
    parser.add_argument("--metrics", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    size = RepoSize(models=args.models, days=args.days, metrics=args.metrics)
    config = make_repo(args.out, size, seed=args.seed)
    print(f"wrote {config} ({size.models} models x {size.days} days x {size.metrics} metrics)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

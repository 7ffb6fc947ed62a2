"""Regenerate the example's data: `python examples/generate.py` (stdlib only).

The story, as of 2026-11-28 (the day after the last metric row):

- churn: the previous model sagged until it was retrained on 2026-10-20 (card: accuracy
  0.912 on 12,500 rows); the new one sags steadily and falls below 0.87 on the last three
  days; the daily batch has grown well past the 12,500 training rows; it is ~39 days old;
  customers got younger (age PSI ~0.3) while tenure barely moved. Every check passes, so the
  gate should decide `retrain`.
- fraud: healthy and recently trained, so the gate should decide `skip`.

Everything comes from one `random.Random(7)`, consumed in a fixed order, so running the
script again rewrites byte-identical files. It prints the figures quoted in README.md.
"""

from __future__ import annotations

import csv
import json
import math
import random
import statistics
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SEED = 7
FIRST_DAY = date(2026, 8, 1)
LAST_DAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 28, tzinfo=timezone.utc)  # the day the README's figures are for
FRAUD_DAYS = 60  # fraud keeps only its last 60 per-run files

CHURN_CARD: dict[str, Any] = {
    "model": "churn",
    "trained_at": "2026-10-20T06:00:00Z",
    "rows": 12500,
    "metrics": {"accuracy": 0.912, "precision": 0.88, "recall": 0.83},
    "training_data": "s3://example-bucket/churn/2026-10-19/",
}
FRAUD_CARD: dict[str, Any] = {
    "model": "fraud",
    "trained_at": "2026-11-10T00:00:00Z",
    "rows": 50000,
    "metrics": {"auc": 0.951, "precision": 0.80},
    "training_data": "s3://example-bucket/fraud/2026-11-09/",
}

# Fixed so the README can quote them: below 0.87 on the last three days, not the day before.
CHURN_LAST_ACCURACY = (0.873, 0.868, 0.862, 0.858)
CHURN_TRAINED = date(2026, 10, 20)  # the card's trained_at: accuracy restarts at 0.912
CHURN_SAG_TO = 0.879  # the trend's value on the day before those four
SAG_SHAPE = 1.0  # a steady sag after the retraining
ACCURACY_NOISE = 0.0012  # standard deviation of the day-to-day noise: "small"

AGE_BINS = [18, 25, 35, 45, 55, 65, 90]
AGE_REFERENCE = [0.08, 0.20, 0.24, 0.22, 0.16, 0.10]  # proportions at training time
AGE_CURRENT = [0.21, 0.31, 0.21, 0.13, 0.09, 0.05]  # younger customers now
TENURE_BINS = [0, 6, 12, 24, 48, 120]
TENURE_REFERENCE = [0.16, 0.14, 0.22, 0.27, 0.21]
TENURE_CURRENT = [0.18, 0.16, 0.22, 0.25, 0.19]
SAMPLE_SIZE = 200


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def write_json(path: Path, data: object) -> None:
    write_text(path, json.dumps(data, indent=2) + "\n")


def counts_from(proportions: Sequence[float], total: int) -> list[int]:
    """Whole counts with the given proportions that sum exactly to `total`."""
    counts = [round(p * total) for p in proportions]
    counts[counts.index(max(counts))] += total - sum(counts)
    return counts


def psi(reference: Sequence[int], current: Sequence[int]) -> float:
    """Population stability index: sum over bins of (c - r) * ln(c / r), on proportions."""
    ref_total, cur_total = sum(reference), sum(current)
    return sum(
        (c / cur_total - r / ref_total) * math.log((c / cur_total) / (r / ref_total))
        for r, c in zip(reference, current)
    )


def churn_daily(rng: random.Random, dates: list[date]) -> list[dict[str, object]]:
    """One row per day. Before CHURN_TRAINED the previous model serves and sags slowly; the
    retrained model starts at its card's accuracy on CHURN_TRAINED and sags until the fixed
    last days. The daily batch grows slowly, then faster after the retraining."""
    rows: list[dict[str, object]] = []
    sag_days = len(dates) - len(CHURN_LAST_ACCURACY)
    trained = dates.index(CHURN_TRAINED)
    for index, day in enumerate(dates):
        if index < trained:
            before = index / (trained - 1)
            trend = 0.906 - 0.026 * before
            batch_trend = 11000 + 1400 * before
        else:
            after = (index - trained) / (sag_days - 1 - trained)
            trend = 0.912 - (0.912 - CHURN_SAG_TO) * min(after, 1.0) ** SAG_SHAPE
            batch_trend = 12500 + 4100 * (index - trained) / (len(dates) - 1 - trained)
        noise = max(-2 * ACCURACY_NOISE, min(2 * ACCURACY_NOISE, rng.gauss(0, ACCURACY_NOISE)))
        if index < sag_days:
            accuracy = trend + noise
        else:
            accuracy = CHURN_LAST_ACCURACY[index - sag_days]
        # precision and recall sag along with accuracy
        precision = accuracy - 0.03 + rng.uniform(-0.004, 0.004)
        recall = accuracy - 0.08 + rng.uniform(-0.006, 0.006)
        batch_rows = round(batch_trend * (1 + rng.uniform(-0.012, 0.012)))
        rows.append(
            {
                "date": day.isoformat(),
                "accuracy": f"{accuracy:.4f}",
                "precision": f"{precision:.4f}",
                "recall": f"{recall:.4f}",
                "rows": batch_rows,
                "null_rate.age": f"{rng.uniform(0.010, 0.016):.4f}",
                "null_rate.income": f"{rng.uniform(0.014, 0.020):.4f}",
            }
        )
    return rows


def fraud_runs(rng: random.Random, dates: list[date]) -> dict[date, dict[str, Any]]:
    """One healthy run per day: auc ~0.95, rows 50,000 +- 2%, almost no null merchants."""
    runs: dict[date, dict[str, Any]] = {}
    for day in dates:
        auc = 0.95 + max(-0.004, min(0.004, rng.gauss(0, 0.002)))
        runs[day] = {
            "metrics": {
                "auc": round(auc, 4),
                "precision": round(0.80 + rng.uniform(-0.01, 0.01), 4),
            },
            "rows": round(50000 * (1 + rng.uniform(-0.02, 0.02))),
            "null_rate": {"merchant": round(rng.uniform(0.0007, 0.0013), 4)},
        }
    return runs


def churn_sample(rng: random.Random, size: int) -> list[dict[str, object]]:
    """The newest batch's records, drawn from the current (younger) age distribution."""
    records: list[dict[str, object]] = []
    customer_ids = sorted(rng.sample(range(1, 100000), size))
    for customer_id in customer_ids:
        age_bin = rng.choices(range(len(AGE_CURRENT)), weights=AGE_CURRENT)[0]
        age = rng.randrange(AGE_BINS[age_bin], AGE_BINS[age_bin + 1])
        tenure_bin = rng.choices(range(len(TENURE_CURRENT)), weights=TENURE_CURRENT)[0]
        tenure = rng.randrange(TENURE_BINS[tenure_bin], TENURE_BINS[tenure_bin + 1])
        income = round(max(12000.0, rng.gauss(30000 + 700 * min(age, 60), 12000)), -2)
        churn_chance = 0.35 if tenure < 12 else 0.12
        records.append(
            {
                "customer_id": f"C{customer_id:06d}",
                "age": age,
                "income": float(income),
                "tenure_months": tenure,
                "churned": rng.random() < churn_chance,
            }
        )
    return records


SAMPLE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "churn evaluation record",
    "description": "One customer in the churn model's daily evaluation batch.",
    "type": "object",
    "required": ["customer_id", "age", "income", "tenure_months", "churned"],
    "additionalProperties": False,
    "properties": {
        "customer_id": {"type": "string", "pattern": "^C[0-9]{6}$"},
        "age": {"type": "integer", "minimum": 18, "maximum": 100},
        "income": {"type": "number", "minimum": 0},
        "tenure_months": {"type": "integer", "minimum": 0},
        "churned": {"type": "boolean"},
    },
}


def main() -> None:
    rng = random.Random(SEED)
    dates = days(FIRST_DAY, LAST_DAY)

    daily = churn_daily(rng, dates)
    columns = list(daily[0])
    daily_path = HERE / "metrics" / "churn" / "daily.csv"
    daily_path.parent.mkdir(parents=True, exist_ok=True)
    with daily_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(daily)

    runs_dir = HERE / "metrics" / "fraud" / "runs"
    runs_dir.mkdir(parents=True, exist_ok=True)
    for stale in runs_dir.glob("*.json"):  # so a changed date range leaves no old runs behind
        stale.unlink()
    runs = fraud_runs(rng, dates[-FRAUD_DAYS:])
    for day, run in runs.items():
        write_json(runs_dir / f"{day.isoformat()}.json", run)

    write_json(HERE / "models" / "churn" / "model_card.json", CHURN_CARD)
    write_json(HERE / "models" / "fraud" / "model_card.json", FRAUD_CARD)

    # The reference histogram counts the training rows; the current one the newest batch.
    latest_rows = int(str(daily[-1]["rows"]))
    reference = {
        "age": counts_from(AGE_REFERENCE, CHURN_CARD["rows"]),
        "tenure_months": counts_from(TENURE_REFERENCE, CHURN_CARD["rows"]),
    }
    current = {
        "age": counts_from(AGE_CURRENT, latest_rows),
        "tenure_months": counts_from(TENURE_CURRENT, latest_rows),
    }
    bins = {"age": AGE_BINS, "tenure_months": TENURE_BINS}
    for name, hist in (("reference_hist.json", reference), ("current_hist.json", current)):
        features = {f: {"bins": bins[f], "counts": hist[f]} for f in ("age", "tenure_months")}
        write_json(HERE / "data" / "churn" / name, {"features": features})

    sample = churn_sample(rng, SAMPLE_SIZE)
    write_text(
        HERE / "data" / "churn" / "sample.jsonl",
        "".join(json.dumps(record) + "\n" for record in sample),
    )
    write_json(HERE / "data" / "churn" / "sample.schema.json", SAMPLE_SCHEMA)

    print_figures(daily, runs, reference, current)


def print_figures(
    daily: list[dict[str, object]],
    runs: dict[date, dict[str, Any]],
    reference: dict[str, list[int]],
    current: dict[str, list[int]],
) -> None:
    """The expected figures on 2026-11-28, as a Markdown table for README.md."""
    accuracy = [float(str(row["accuracy"])) for row in daily]
    rows = [int(str(row["rows"])) for row in daily]
    baseline_accuracy = float(CHURN_CARD["metrics"]["accuracy"])
    week_mean = statistics.fmean(accuracy[-7:])
    drop = (baseline_accuracy - week_mean) / baseline_accuracy
    growth = rows[-1] / CHURN_CARD["rows"] - 1
    trained_at = datetime.fromisoformat(CHURN_CARD["trained_at"].replace("Z", "+00:00"))
    age_days = (NOW - trained_at).total_seconds() / 86400
    # Each of the last 3 days against the 14 days before it (the anomaly rule: 2 of 3 must
    # be more than 3 standard deviations below).
    sigmas = []
    for end in (-3, -2, -1):
        before = accuracy[end - 14 : end]
        value = accuracy[end]
        sigmas.append((statistics.fmean(before) - value) / statistics.stdev(before))
    age_psi = psi(reference["age"], current["age"])
    tenure_psi = psi(reference["tenure_months"], current["tenure_months"])
    fraud_auc = [float(run["metrics"]["auc"]) for run in runs.values()]
    fraud_rows = [int(run["rows"]) for run in runs.values()]
    fraud_trained = datetime.fromisoformat(FRAUD_CARD["trained_at"].replace("Z", "+00:00"))

    last = ", ".join(f"{a:.4f}" for a in accuracy[-4:])
    lines = [
        ("churn", "accuracy, last 4 days", last, "accuracy-floor: < 0.87 for 2 -> fires"),
        ("churn", "accuracy, 7-day mean", f"{week_mean:.4f}", "vs baseline 0.912"),
        ("churn", "relative drop of the 7-day mean", f"{drop:.2%}", "accuracy-drop: > 3% -> fires"),
        (
            "churn",
            "accuracy, sigmas below the 14 days before, last 3 days",
            ", ".join(f"{s:.1f}" for s in sigmas),
            "accuracy-anomaly: > 3 on 2 of 3 -> fires",
        ),
        (
            "churn",
            "rows, newest batch",
            f"{rows[-1]:,} (+{growth:.1%} vs 12,500)",
            "more-data: > 20% -> fires",
        ),
        ("churn", "model age", f"{age_days:.2f} days", "stale-model: > 30d -> fires"),
        ("churn", "PSI of age", f"{age_psi:.3f}", "feature-drift: > 0.25 -> fires"),
        ("churn", "PSI of tenure_months", f"{tenure_psi:.3f}", "not a rule; barely moved"),
        (
            "churn",
            "null_rate.age, max",
            f"{max(float(str(r['null_rate.age'])) for r in daily):.4f}",
            "nulls-age: <= 0.05 -> passes",
        ),
        (
            "fraud",
            "metrics.auc, last / min",
            f"{fraud_auc[-1]:.4f} / {min(fraud_auc):.4f}",
            "auc-floor < 0.9, auc-drop > 0.03 -> quiet",
        ),
        (
            "fraud",
            "rows, min / max",
            f"{min(fraud_rows):,} / {max(fraud_rows):,}",
            "enough-rows >= 10,000 -> passes",
        ),
        (
            "fraud",
            "model age",
            f"{(NOW - fraud_trained).total_seconds() / 86400:.2f} days",
            "stale-model: > 45d -> quiet",
        ),
    ]
    print(f"Expected figures on {NOW.date()} (seed {SEED}):")
    print()
    print("| model | figure | value | rule |")
    print("|---|---|---|---|")
    for model, figure, value, rule in lines:
        print(f"| {model} | {figure} | {value} | {rule} |")


if __name__ == "__main__":
    main()

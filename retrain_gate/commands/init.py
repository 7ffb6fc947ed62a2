"""`retrain-gate init`: a starting config for the repository it is run in.

Finds the metric files (CSV/TSV with a time column, a folder of per-run JSON files named by
date, Evidently reports and Great Expectations validation results among them, a
`dvc.yaml`'s metrics files, which are rewritten per run: `history: git`) and the
model cards beside them (`*card*.json`/`.yaml` with `trained_at`), and writes
`retrain-gate.yml` with one model per metric source: a floor on its quality metric, a rows
check when there is a rows column, freshness and gaps checks, each with a comment saying
what to tune. The written config is validated (it is loaded as `check` would load it).
Refuses to overwrite an existing config (exit 2) unless `--force`.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from pathlib import Path
from typing import Any

from retrain_gate.errors import UsageError

SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".dvc", "mlruns"}
TIME_FIELDS = ("date", "timestamp", "time", "ts", "day")
QUALITY = ("accuracy", "auc", "f1", "precision", "recall", "r2")
_DATED = re.compile(r"\d{4}-\d{2}-\d{2}")


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "init",
        help="write a starting retrain-gate.yml from the metric files found here",
        description="Write a starting retrain-gate.yml for this repository, from the metric "
        "files and model cards it finds, and validate it.",
    )
    parser.add_argument("--root", default=".", help="the repository (default: here)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing config")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from retrain_gate.config.parse import load_config

    root = Path(args.root).resolve()
    target = root / "retrain-gate.yml"
    if target.exists() and not args.force:
        raise UsageError(f"{target.name} exists already", hint="pass --force to overwrite it")
    sources = find_sources(root)
    if not sources:
        raise UsageError(
            "found no metric files here (a CSV with a date column, per-run JSON files named "
            "by date, or a dvc.yaml with metrics)",
            hint="see the README's 'What the gate reads', and write the config by hand",
        )
    if all(s.get("quality") for s in sources):
        raise UsageError(
            "found only data-quality results here (Great Expectations), no metrics to "
            "trigger a retrain",
            hint="commit the model's metrics beside them, or write the config by hand",
        )
    cards = [p for p in _files(root) if "card" in p.name and p.suffix in (".json", ".yaml")]
    text = render(sources, cards=cards, root=root)
    target.write_text(text, encoding="utf-8")
    load_config(target, root=root)  # validate what was written: an error here is exit 2
    sources = [s for s in sources if not s.get("quality")]  # read by the models' checks
    names = ", ".join(s["model"] for s in sources)
    sys.stderr.write(f"retrain-gate: wrote {target.name} with {len(sources)} model(s): {names}\n")
    return 0


def _files(root: Path) -> list[Path]:
    found = []
    for path in sorted(root.rglob("*")):
        parts = set(path.relative_to(root).parts[:-1])
        if path.is_file() and not parts & SKIP_DIRS:
            found.append(path)
    return found


def find_sources(root: Path) -> list[dict[str, Any]]:
    """Each metric source: its model name, `metrics:` mapping and numeric fields."""
    sources: list[dict[str, Any]] = []
    dvc = root / "dvc.yaml"
    if dvc.is_file():
        sources.extend(_dvc_sources(root, dvc))
    seen = {s["metrics"]["path"] for s in sources}
    folders: set[Path] = set()
    for path in _files(root):
        relative = path.relative_to(root).as_posix()
        if relative in seen:
            continue
        if path.suffix in (".csv", ".tsv"):
            source = _table_source(path, relative)
            if source:
                sources.append(source)
        elif path.suffix == ".json" and _DATED.search(path.name):
            folders.add(path.parent)
    for folder in sorted(folders):
        source = _runs_source(root, folder)
        if source:
            sources.append(source)
    return sources


def _model_name(relative: str) -> str:
    parts = [p for p in Path(relative).parts[:-1] if p not in ("metrics", "runs", "data")]
    name = parts[-1] if parts else Path(relative).stem
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "model"


def _table_source(path: Path, relative: str) -> dict[str, Any] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    rows = list(csv.reader(io.StringIO(text), delimiter="\t" if path.suffix == ".tsv" else ","))
    if len(rows) < 2:
        return None
    header = rows[0]
    time = next((f for f in TIME_FIELDS if f in header), None)
    if time is None:
        return None
    numeric = [h for i, h in enumerate(header) if h != time and _number(rows[1], i)]
    metrics: dict[str, Any] = {"path": relative, "time": time}
    if _epoch_ms(rows[1][header.index(time)]):
        metrics["time_unit"] = "ms"
    return {"model": _model_name(relative), "metrics": metrics, "fields": numeric}


def _runs_source(root: Path, folder: Path) -> dict[str, Any] | None:
    newest = sorted(folder.glob("*.json"))[-1]
    try:
        data = json.loads(newest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    from retrain_gate.sources.values import flatten

    relative = folder.relative_to(root).as_posix()
    peer = _peer_source(data, f"{relative}/*.json")
    if peer is not None:
        return {"model": _model_name(f"{relative}/x"), **peer}
    fields = flatten(data)
    time = next((f for f in TIME_FIELDS if f in fields), "filename")
    numeric = [k for k, v in fields.items() if isinstance(v, (int, float)) and k != time]
    return {
        "model": _model_name(f"{relative}/x"),
        "metrics": {"path": f"{relative}/*.json", "time": time},
        "fields": numeric,
    }


def _peer_source(data: dict[str, Any], pattern: str) -> dict[str, Any] | None:
    """A folder of Great Expectations validation results (a data-quality source the other
    models' checks read) or of Evidently reports, read as its tool wrote them; None for
    other files."""
    from retrain_gate.errors import DataError
    from retrain_gate.sources.evidently import evidently_records
    from retrain_gate.sources.great_expectations import gx_records

    metrics = data.get("metrics")
    evidently = "metric_results" in data or (
        isinstance(metrics, list)
        and bool(metrics)
        and all(isinstance(m, dict) and ("config" in m or "result" in m) for m in metrics)
    )
    gx = "success" in data and ("results" in data or "validation_results" in data)
    if not (gx or evidently):
        return None
    fmt = "great_expectations" if gx else "evidently"
    try:
        (record,) = (gx_records if gx else evidently_records)(data, display=pattern)
    except DataError:
        return None
    source: dict[str, Any] = {"path": pattern, "format": fmt}
    own = "run_time" if gx else "timestamp"
    if own not in record.fields:
        source["time"] = "filename"
    elif evidently and not str(record.fields[own]).endswith(("Z", "+00:00")):
        source["timezone"] = "UTC"  # Evidently writes the time it is given, often naive
    numeric = [k for k, v in record.fields.items() if isinstance(v, (int, float))]
    return {"metrics": source, "fields": numeric, "quality": gx}


def _dvc_sources(root: Path, dvc: Path) -> list[dict[str, Any]]:
    import yaml

    try:
        spec = yaml.safe_load(dvc.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []
    found = []
    for stage in (spec.get("stages") or {}).values():
        for item in (stage or {}).get("metrics") or []:
            name = next(iter(item)) if isinstance(item, dict) else item
            path = root / str(name)
            if not path.is_file() or path.suffix != ".json":
                continue
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            from retrain_gate.sources.values import flatten

            numeric = [k for k, v in flatten(data).items() if isinstance(v, (int, float))]
            found.append(
                {
                    "model": _model_name(str(name)) if "/" in str(name) else "model",
                    "metrics": {"path": str(name), "history": "git"},
                    "fields": numeric,
                }
            )
    return found


def _number(row: list[str], index: int) -> bool:
    try:
        float(row[index])
    except (ValueError, IndexError):
        return False
    return True


def _epoch_ms(text: str) -> bool:
    return text.isdigit() and len(text) == 13


def render(sources: list[dict[str, Any]], *, cards: list[Path], root: Path) -> str:
    # data-quality results (Great Expectations) are no model: every model's checks read them
    quality_sources = [s for s in sources if s.get("quality")]
    sources = [s for s in sources if not s.get("quality")]
    lines = [
        "# retrain-gate config written by `retrain-gate init`: a start, to tune.",
        "# Check it with `retrain-gate validate`, try it with `retrain-gate backtest`.",
        "version: 1",
        "models:",
    ]
    used: set[str] = set()
    for source in sources:
        name = source["model"]
        while name in used:
            name += "-2"
        used.add(name)
        fields = source["fields"]
        if not fields:
            continue  # nothing numeric to judge
        quality = next((f for f in fields if any(q in f.lower() for q in QUALITY)), fields[0])
        rows = next((f for f in fields if f.lower() in ("rows", "row_count", "n_rows")), None)
        metrics = ", ".join(f"{k}: {json.dumps(v)}" for k, v in source["metrics"].items())
        lines += [f"  {name}:", f"    metrics: {{{metrics}}}"]
        if quality_sources:
            lines.append("    sources:  # data-quality results, read by the checks below")
            for index, found in enumerate(quality_sources):
                read = ", ".join(f"{k}: {json.dumps(v)}" for k, v in found["metrics"].items())
                lines.append(f"      quality{index or ''}: {{{read}}}")
        card = next((c for c in cards if name in c.as_posix()), None)
        if card is not None:
            lines.append(f"    baseline: {card.relative_to(root).as_posix()}  # the model card")
        lines.append("    triggers:")
        lines += _triggers(fields, quality=quality, card=card is not None)
        lines.append("    checks:")
        if rows is not None:
            lines += [
                "      # never retrain on too little data",
                f"      - {{name: enough-rows, metric: {rows}, at_least: 1000}}",
            ]
        lines += [
            "      # never retrain on stale data: the newest observation is at most 2 days old",
            "      - {name: fresh-data, freshness: 2d}",
        ]
        for index, _ in enumerate(quality_sources):
            lines += [
                "      # never retrain when the data-quality run failed (each failed "
                "expectation is named)",
                f"      - {{name: great-expectations{index or ''}, source: quality{index or ''}, "
                "validation: all}",
                f"      - {{name: fresh-quality{index or ''}, source: quality{index or ''}, "
                "freshness: 2d}",
            ]
    return "\n".join(lines) + "\n"


def _triggers(fields: list[str], *, quality: str, card: bool) -> list[str]:
    """The triggers of one model, each with its comment: an Evidently report retrains on
    dataset drift; other metrics on a floor, and on the model's age or an anomaly."""
    if "dataset_drift" in fields:
        return [
            "      # retrain when Evidently finds the dataset drifted (its drift_share of",
            "      # the columns drifted, each by its own test)",
            "      - {name: dataset-drift, metric: dataset_drift, above: 0.5}",
        ]
    if "drift_share" in fields:
        return [
            "      # retrain when more than half the columns drifted, by Evidently's tests",
            "      - {name: dataset-drift, metric: drift_share, above: 0.5}",
        ]
    floor = [
        "      # retrain when the metric is under a floor on 2 observations in a row:",
        "      # set the floor your model must keep",
        f"      - {{name: {_slug(quality)}-floor, metric: {quality}, below: 0.8, for: 2}}",
    ]
    if card:
        return [
            *floor,
            "      # retrain when the model is older than this",
            "      - {name: stale-model, max_age: 90d}",
        ]
    return [
        *floor,
        "      # retrain when the metric leaves its recent range (4 standard deviations)",
        f"      - {{name: {_slug(quality)}-anomaly, metric: {quality}, outside_sigma: 4}}",
    ]


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "metric"

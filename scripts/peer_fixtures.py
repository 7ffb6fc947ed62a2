"""Write tests/fixtures/peers/: the files ML teams' own tools write, produced by those tools.

    python scripts/peer_fixtures.py            # every tool
    python scripts/peer_fixtures.py gx mlflow  # some

Each fixture folder holds what one tool wrote for the same ten days (2026-11-01 to
2026-11-10, one run a day at 06:00 UTC), the same series as a plain wide CSV (`wide.csv`,
written here from the values handed to the tool, not read back from its files), and a
`retrain-gate.yml` with one model per way of reading the tool's files and a model `wide`
with the same rules on `wide.csv`. tests/test_peer_fixtures.py checks that each model
decides as `wide` does, day by day, without any of these tools installed.

The tools are installed, pinned, into venvs of their own under `.peer-venvs/` (ignored by
git) on first use, from PyPI; none is a dependency of retrain-gate or of its tests.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tests" / "fixtures" / "peers"
VENVS = REPO / ".peer-venvs"
TOOLS = {
    "evidently": ("evidently==0.7.23", "pandas==2.3.3"),
    "gx": ("great_expectations==1.24.1", "pandas==2.3.3"),
    "mlflow": ("mlflow-skinny==3.18.0", "dvclive==3.49.1", "pandas==2.3.3"),
}
FIRST = datetime(2026, 11, 1, 6, tzinfo=timezone.utc)
DAYS = [FIRST + timedelta(days=i) for i in range(10)]
ACCURACY = [0.91, 0.9, 0.92, 0.91, 0.9, 0.91, 0.9, 0.92, 0.84, 0.83]
ROWS = [1500] * 10
WIDE = "    metrics: {path: wide.csv}\n"
RULES = """\
    triggers:
      - {name: accuracy-floor, metric: accuracy, below: 0.85, for: 2}
    checks:
      - {name: enough-rows, metric: rows, at_least: 1000}
"""


def ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def wide_csv(columns: dict[str, list[object]]) -> str:
    names = list(columns)
    lines = ["date," + ",".join(names)]
    for i, when in enumerate(DAYS):
        lines.append(",".join([when.isoformat()] + [str(columns[n][i]) for n in names]))
    return "\n".join(lines) + "\n"


def config(models: dict[str, str]) -> str:
    """`models`: name -> its YAML body (indented four spaces)."""
    body = "".join(f"  {name}:\n{text}" for name, text in models.items())
    return "# written by scripts/peer_fixtures.py\nversion: 1\nmodels:\n" + body


def fresh(name: str) -> Path:
    folder = OUT / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, default=str) + "\n")


# --- MLflow, dvclive, pandas -------------------------------------------------------------


def make_mlflow() -> None:
    import mlflow
    import pandas as pd
    from mlflow.tracking import MlflowClient

    # MLflow 3 keeps its file store, the one teams commit, behind this switch
    os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "mlruns"
        client = MlflowClient(tracking_uri=store.as_uri(), registry_uri=store.as_uri())
        experiment = client.create_experiment("churn")
        run = client.create_run(experiment, start_time=ms(DAYS[0]))
        run_id = run.info.run_id
        for step, when in enumerate(DAYS):
            # MLflow logs the keys of one step a few milliseconds apart
            client.log_metric(run_id, "accuracy", ACCURACY[step], timestamp=ms(when), step=step)
            client.log_metric(run_id, "rows", ROWS[step], timestamp=ms(when) + 7, step=step)
        client.set_terminated(run_id, end_time=ms(DAYS[-1]) + 1000)
        rows = [
            {
                "run_id": run_id,
                "timestamp": m.timestamp,
                "key": key,
                "value": m.value,
                "step": m.step,
            }
            for key in ("accuracy", "rows")
            for m in client.get_metric_history(run_id, key)
        ]
        folder = fresh("mlflow-long")
        pd.DataFrame(rows).to_csv(folder / "history.csv", index=False)
        (folder / "wide.csv").write_text(wide_csv({"accuracy": ACCURACY, "rows": ROWS}))
        long = "{path: history.csv, time: timestamp, time_unit: ms, layout: long, group_by: step}"
        (folder / "retrain-gate.yml").write_text(
            config(
                {
                    "tool": f"    metrics: {long}\n{RULES}",
                    "wide": WIDE + f"{RULES}",
                }
            )
        )

        folder = fresh("mlflow-store")
        shutil.copytree(store / experiment / run_id, folder / "mlruns" / experiment / run_id)
        (folder / "wide.csv").write_text(wide_csv({"accuracy": ACCURACY, "rows": ROWS}))
        metrics = f"{{path: mlruns/{experiment}/{run_id}/metrics, format: mlflow}}"
        (folder / "retrain-gate.yml").write_text(
            config(
                {
                    "tool": f"    metrics: {metrics}\n{RULES}",
                    "wide": WIDE + f"{RULES}",
                }
            )
        )

        # a model registry's version, as a team exports it for its card: epoch milliseconds
        client.create_registered_model("churn")
        version = client.create_model_version("churn", f"runs:/{run_id}/model", run_id=run_id)
        card = {
            "name": version.name,
            "version": int(version.version),
            "creation_timestamp": ms(DAYS[0]) - 86_400_000,  # trained the day before
            "last_updated_timestamp": version.last_updated_timestamp,
            "run_id": version.run_id,
            "status": version.status,
            "metrics": {"accuracy": 0.93},
        }
        folder = fresh("mlflow-registry-card")
        write_json(folder / "card.json", card)
        (folder / "wide.csv").write_text(wide_csv({"accuracy": ACCURACY, "rows": ROWS}))
        iso = {"version": card["version"], "trained_at": (DAYS[0] - timedelta(days=1)).isoformat()}
        write_json(folder / "wide-card.json", {**iso, "metrics": {"accuracy": 0.93}})
        rules = (
            "    triggers:\n"
            "      - {name: accuracy-drop, metric: accuracy, drop_from_baseline: 0.05}\n"
            "      - {name: model-age, max_age: 7d}\n"
        )
        (folder / "retrain-gate.yml").write_text(
            config(
                {
                    "tool": WIDE + "    baseline: {path: card.json, "
                    f"trained_at: creation_timestamp, time_unit: ms}}\n{rules}",
                    "wide": WIDE + f"    baseline: wide-card.json\n{rules}",
                }
            )
        )
    assert mlflow.__version__


def make_dvclive() -> None:
    import types
    from unittest import mock

    import dvclive.plots.metric
    from dvclive import Live

    folder = fresh("dvclive")
    now = [0.0]
    clock = types.SimpleNamespace(time=lambda: now[0])
    # dvclive stamps each logged value with the wall clock: give it the runs' times
    with (
        mock.patch.object(dvclive.plots.metric, "time", clock),
        Live(str(folder / "dvclive"), save_dvc_exp=False, dvcyaml=None) as live,
    ):
        for step, when in enumerate(DAYS):
            now[0] = when.timestamp()
            live.log_metric("accuracy", ACCURACY[step], timestamp=True)
            now[0] += 0.005
            live.log_metric("rows", ROWS[step], timestamp=True)
            live.next_step()
    (folder / "wide.csv").write_text(wide_csv({"accuracy": ACCURACY, "rows": ROWS}))
    rules = RULES.replace("at_least: 1000}", "at_least: 1000, source: rows}")
    tsv = "{path: dvclive/plots/metrics/%s.tsv, time: timestamp, time_unit: ms}"
    (folder / "retrain-gate.yml").write_text(
        config(
            {
                "tool": f"    metrics: {tsv % 'accuracy'}\n    sources:\n"
                f"      rows: {tsv % 'rows'}\n{rules}",
                "wide": WIDE + "    sources:\n      rows: {path: wide.csv}\n" + rules,
            }
        )
    )


def make_pandas() -> None:
    import pandas as pd

    folder = fresh("pandas-naive")
    frame = pd.DataFrame(
        {
            "date": pd.date_range("2026-11-01 06:00", periods=len(DAYS), freq="D"),  # naive
            "accuracy": ACCURACY,
            "rows": ROWS,
        }
    )
    frame.to_csv(folder / "metrics.csv", index=False)
    (folder / "wide.csv").write_text(wide_csv({"accuracy": ACCURACY, "rows": ROWS}))
    (folder / "retrain-gate.yml").write_text(
        config(
            {
                "tool": f"    metrics: {{path: metrics.csv, timezone: UTC}}\n{RULES}",
                "wide": WIDE + f"{RULES}",
            }
        )
    )


# --- Evidently ---------------------------------------------------------------------------


def _frames(day: int, *, rows: int = 300):  # type: ignore[no-untyped-def]
    """(reference, current) of day `day`: the last two days' ages are shifted."""
    import random

    import pandas as pd

    rng = random.Random(day)
    shift = 9.0 if day >= 8 else 0.0

    def frame(offset: float) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "age": [rng.gauss(40 + offset, 10) for _ in range(rows)],
                "country": [rng.choice("abc") for _ in range(rows)],
            }
        )

    return frame(0.0), frame(shift)


def make_evidently() -> None:
    from evidently import Report
    from evidently.legacy.metric_preset import DataDriftPreset as LegacyDriftPreset
    from evidently.legacy.report import Report as LegacyReport
    from evidently.presets import DataDriftPreset
    from evidently.ui.workspace import Workspace

    folder = fresh("evidently")
    (folder / "reports").mkdir()
    shares: list[object] = []
    age_drifted: list[object] = []
    failed: list[object] = []
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Workspace.create(tmp)
        project = workspace.create_project("churn")
        for day, when in enumerate(DAYS):
            reference, current = _frames(day)
            naive = when.replace(tzinfo=None)  # as Evidently users pass datetime.now()
            report = Report([DataDriftPreset()], include_tests=True)
            snapshot = report.run(current_data=current, reference_data=reference, timestamp=naive)
            snapshot.save_json(str(folder / "reports" / f"{when.date()}.json"))
            if day >= len(DAYS) - 4:  # a snapshot is ~100 kB: the last four days
                workspace.add_run(project.id, snapshot)
            legacy = LegacyReport(metrics=[LegacyDriftPreset()], timestamp=naive)
            legacy.run(reference_data=reference, current_data=current)
            (folder / "legacy").mkdir(exist_ok=True)
            legacy.save_json(str(folder / "legacy" / f"{when.date()}.json"))
            # the wide CSV from Evidently's own objects, not from its files
            result = legacy.as_dict()["metrics"][0]["result"]
            shares.append(result["share_of_drifted_columns"])
            age_drifted.append(
                int(
                    legacy.as_dict()["metrics"][1]["result"]["drift_by_columns"]["age"][
                        "drift_detected"
                    ]
                )
            )
            failed.append(sum(t.status.value == "FAIL" for t in snapshot.tests_results))
        shutil.copytree(Path(tmp) / str(project.id) / "snapshots", folder / "snapshots")
    (folder / "wide.csv").write_text(
        wide_csv(
            {"drift_share": shares, "columns.age.drifted": age_drifted, "tests_failed": failed}
        )
    )
    rules = (
        "    triggers:\n"
        "      - {name: dataset-drift, metric: drift_share, above: 0.3}\n"
        "      - {name: age-drifted, metric: columns.age.drifted, above: 0.5}\n"
    )
    tests = (
        "    checks:\n"
        "      - {name: evidently-tests, metric: tests_failed, at_most: 0, severity: warn}\n"
    )
    (folder / "retrain-gate.yml").write_text(
        config(
            {
                "snapshot": "    metrics: {path: 'snapshots/*.json', format: evidently, "
                f"timezone: UTC}}\n{rules}{tests}",
                "report": "    metrics: {path: 'reports/*.json', format: evidently, "
                f"time: filename}}\n{rules}{tests}",
                "legacy": "    metrics: {path: 'legacy/*.json', format: evidently, "
                f"timezone: UTC}}\n{rules}",
                "wide": WIDE + f"{rules}{tests}",
            }
        )
    )


# --- Great Expectations ------------------------------------------------------------------


def make_gx() -> None:
    import random

    import great_expectations as gx
    import great_expectations.expectations as gxe
    import pandas as pd
    from great_expectations.core.run_identifier import RunIdentifier

    folder = fresh("great_expectations")
    context = gx.get_context(mode="ephemeral")
    batch = (
        context.data_sources.add_pandas("pandas")
        .add_dataframe_asset("daily")
        .add_batch_definition_whole_dataframe("batch")
    )
    suite = context.suites.add(gx.ExpectationSuite(name="churn_features"))
    suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column="age"))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="country", value_set=list("abc")))
    suite.add_expectation(gxe.ExpectTableRowCountToBeBetween(min_value=1000, max_value=100_000))
    suite.add_expectation(
        gxe.ExpectColumnMeanToBeBetween(
            column="age", min_value=20, max_value=60, severity="warning"
        )
    )
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(data=batch, suite=suite, name="daily")
    )
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(name="daily", validation_definitions=[definition])
    )
    successes: list[object] = []
    for day, when in enumerate(DAYS):
        rng = random.Random(day)
        ages = [rng.gauss(40, 10) for _ in range(ROWS[day])]
        if day == len(DAYS) - 1:  # the last day's extract lost some ages
            ages[::50] = [None] * len(ages[::50])
        frame = pd.DataFrame({"age": ages, "country": [rng.choice("abc") for _ in ages]})
        result = definition.run(
            batch_parameters={"dataframe": frame}, run_id=RunIdentifier(run_time=when)
        )
        write_json(folder / "validations" / f"{when.date()}.json", result.to_json_dict())
        successes.append(int(result.success))
        if day == len(DAYS) - 1:
            described = checkpoint.run(batch_parameters={"dataframe": frame}).describe_dict()
            write_json(folder / "checkpoint" / f"{when.date()}.json", described)
    (folder / "wide.csv").write_text(
        wide_csv({"accuracy": ACCURACY, "rows": ROWS, "success": successes})
    )
    rules = RULES + "      - {name: great-expectations, source: quality, validation: all}\n"
    (folder / "retrain-gate.yml").write_text(
        config(
            {
                "tool": WIDE + "    sources:\n      quality: {path: "
                f"'validations/*.json', format: great_expectations}}\n{rules}",
                "checkpoint": WIDE + "    sources:\n      quality: {path: "
                "'checkpoint/*.json', format: great_expectations, time: filename}\n"
                f"{rules}",
                "wide": WIDE + f"    sources:\n      quality: {{path: wide.csv}}\n{rules}",
            }
        )
    )


MAKERS = {
    "evidently": (make_evidently,),
    "gx": (make_gx,),
    "mlflow": (make_mlflow, make_dvclive, make_pandas),
}


def python_of(tool: str) -> Path:
    """The tool's venv interpreter, creating the venv and installing the tool if needed."""
    folder = VENVS / tool
    python = folder / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    if not python.exists():
        venv.create(folder, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *TOOLS[tool]], check=True)
    return python


def main(argv: list[str]) -> int:
    if argv[:1] == ["--inside"]:  # in the tool's venv, in a scratch folder: the tools
        with tempfile.TemporaryDirectory() as scratch:  # leave logs and .dvc/ behind
            os.chdir(scratch)
            for make in MAKERS[argv[1]]:
                make()
        return 0
    for tool in argv or list(TOOLS):
        if tool not in TOOLS:
            sys.stderr.write(f"unknown tool {tool!r}: choose from {', '.join(TOOLS)}\n")
            return 2
        subprocess.run([str(python_of(tool)), __file__, "--inside", tool], check=True)
        sys.stdout.write(f"{tool}: written under {OUT.relative_to(REPO)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

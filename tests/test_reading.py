"""Metric files as ML tools write them: MLflow's long export with epoch milliseconds,
dvclive's TSV, naive pandas times in a stated zone, list elements, named statuses and
booleans. Each is decided as the equivalent plain CSV is."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from retrain_gate.cli import main
from tests.conftest import check_decides_as_the_backtest, daily_csv, write

START = date(2026, 11, 1)
NOW = "2026-11-11"
ACCURACY = [0.91, 0.9, 0.92, 0.91, 0.9, 0.91, 0.9, 0.92, 0.84, 0.83]
RULES = """\
    triggers:
      - {name: accuracy-floor, metric: accuracy, below: 0.85, for: 2}
    checks:
      - {name: enough-rows, metric: rows, at_least: 1000}
"""


def config(metrics: str, rules: str = RULES) -> str:
    return f"version: 1\nmodels:\n  churn:\n    metrics: {metrics}\n{rules}"


def decide(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main(
        ["check", "--config", str(root / "retrain-gate.yml"), "--now", NOW, "--format", "json"]
    )
    out = capsys.readouterr().out
    report = json.loads(out) if out.strip().startswith("{") else {}
    return code, (report["models"][0] if report else {})


def epoch_ms(day: int, offset_ms: int = 0) -> int:
    when = datetime(2026, 11, 1, 6, tzinfo=timezone.utc) + timedelta(days=day)
    return int(when.timestamp() * 1000) + offset_ms


def plain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    rows = [1500] * len(ACCURACY)
    write(
        tmp_path / "plain",
        {
            "retrain-gate.yml": config("{path: m.csv, time: date}"),
            "m.csv": daily_csv({"accuracy": ACCURACY, "rows": rows}),
        },
    )
    code, model = decide(tmp_path / "plain", capsys)
    assert code == 0
    return model


def test_mlflow_long_export_with_epoch_milliseconds_decides_as_the_wide_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["run_id,timestamp,key,value,step"]
    for day, accuracy in enumerate(ACCURACY):
        # two keys logged a few milliseconds apart at one step
        lines.append(f"r1,{epoch_ms(day)},accuracy,{accuracy},{day}")
        lines.append(f"r1,{epoch_ms(day, 7)},rows,1500,{day}")
    write(
        tmp_path,
        {
            "retrain-gate.yml": config(
                "{path: history.csv, time: timestamp, time_unit: ms, layout: long, group_by: step}"
            ),
            "history.csv": "\n".join(lines) + "\n",
        },
    )

    code, model = decide(tmp_path, capsys)

    expected = plain(tmp_path, capsys)
    assert code == 0
    assert model["decision"] == expected["decision"] == "retrain"
    assert [t["status"] for t in model["triggers"]] == ["fired"]


def test_a_key_twice_in_one_step_is_an_error_naming_both_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["timestamp,key,value,step", f"{epoch_ms(0)},accuracy,0.9,0"]
    lines.append(f"{epoch_ms(0, 5)},accuracy,0.8,0")
    write(
        tmp_path,
        {
            "retrain-gate.yml": config(
                "{path: h.csv, time: timestamp, time_unit: ms, layout: long, group_by: step}"
            ),
            "h.csv": "\n".join(lines) + "\n",
        },
    )

    code, model = decide(tmp_path, capsys)

    assert code == 3
    assert model["decision"] == "error"
    assert "h.csv:3: accuracy appears twice in one observation (also at h.csv:2)" in str(model)


def test_dvclive_tsv_with_epoch_milliseconds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["timestamp\tstep\taccuracy\trows"] + [
        f"{epoch_ms(day)}\t{day}\t{accuracy}\t1500" for day, accuracy in enumerate(ACCURACY)
    ]
    write(
        tmp_path,
        {
            "retrain-gate.yml": config("{path: plots/metrics.tsv, time: timestamp, time_unit: ms}"),
            "plots/metrics.tsv": "\n".join(lines) + "\n",
        },
    )

    code, model = decide(tmp_path, capsys)

    assert code == 0
    assert model["decision"] == plain(tmp_path, capsys)["decision"] == "retrain"


def test_naive_pandas_times_are_read_in_the_zone_the_config_states(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["ts,accuracy,rows"] + [
        f"{START + timedelta(days=day)} 06:00:00,{accuracy},1500"
        for day, accuracy in enumerate(ACCURACY)
    ]
    write(tmp_path, {"m.csv": "\n".join(lines) + "\n"})
    (tmp_path / "retrain-gate.yml").write_text(config("{path: m.csv, time: ts}"), "utf-8")
    code, model = decide(tmp_path, capsys)
    assert code == 3  # refused without a zone: the default stays
    assert "has no time zone" in str(model)

    (tmp_path / "retrain-gate.yml").write_text(
        config("{path: m.csv, time: ts, timezone: Europe/Paris}"), "utf-8"
    )
    code, model = decide(tmp_path, capsys)
    assert code == 0
    assert model["decision"] == "retrain"


def test_an_unknown_time_zone_is_a_config_error_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        tmp_path,
        {
            "retrain-gate.yml": config("{path: m.csv, time: date, timezone: Mars/Olympus}"),
            "m.csv": daily_csv({"accuracy": ACCURACY, "rows": [1500] * 10}),
        },
    )

    code = main(["validate", "--config", str(tmp_path / "retrain-gate.yml")])

    err = capsys.readouterr().err
    assert code == 2
    assert "retrain-gate.yml:4" in err
    assert "unknown time zone 'Mars/Olympus'" in err


def test_epoch_seconds_outside_the_calendar_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        tmp_path,
        {
            "retrain-gate.yml": config("{path: m.csv, time: t, time_unit: s}"),
            "m.csv": "t,accuracy,rows\n1e20,0.9,1500\n",
        },
    )

    code, model = decide(tmp_path, capsys)

    assert code == 3
    assert "outside the years 1900 to 2999" in str(model)
    assert "check `time_unit:` (s or ms)" in str(model)


def test_list_elements_named_statuses_and_booleans_can_veto(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # one file per run, as an Evidently test suite and a GX validation write them
    files = {}
    for day, accuracy in enumerate(ACCURACY):
        stamp = f"{START + timedelta(days=day)}"
        files[f"runs/{stamp}.json"] = json.dumps(
            {
                "date": stamp,
                "accuracy": accuracy,
                "tests": [{"name": "drift", "status": "FAIL" if day == 9 else "PASS"}],
                "gx": {"success": day != 9},
            }
        )
    rules = """\
    triggers:
      - {name: accuracy-floor, metric: accuracy, below: 0.85, for: 2}
    checks:
      - {name: evidently-tests, metric: tests.0.status, at_most: 0}
      - {name: gx, metric: gx.success, at_least: 1}
"""
    write(
        tmp_path,
        {
            "retrain-gate.yml": config(
                "{path: 'runs/*.json', time: date, booleans: true, values: {PASS: 0, FAIL: 1}}",
                rules,
            ),
            **files,
        },
    )

    code, model = decide(tmp_path, capsys)

    assert code == 0
    assert model["decision"] == "blocked"  # the trigger fired; both checks veto
    assert [c["status"] for c in model["checks"]] == ["failed", "failed"]


def test_mlflow_file_store_metrics_decide_as_the_wide_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = "mlruns/1/0a1b2c/metrics"
    accuracy = "".join(f"{epoch_ms(d)} {a} {d}\n" for d, a in enumerate(ACCURACY))
    rows = "".join(f"{epoch_ms(d, 4)} 1500 {d}\n" for d in range(len(ACCURACY)))
    write(
        tmp_path,
        {
            "retrain-gate.yml": config(f"{{path: {run}, format: mlflow}}"),
            f"{run}/accuracy": accuracy,
            f"{run}/rows": rows,
            f"{run}/val/loss": "".join(f"{epoch_ms(d, 9)} 0.3 {d}\n" for d in range(10)),
        },
    )

    code, model = decide(tmp_path, capsys)

    assert code == 0
    assert model["decision"] == plain(tmp_path, capsys)["decision"] == "retrain"
    assert main(["validate", "--config", str(tmp_path / "retrain-gate.yml")]) == 0


def test_a_bad_mlflow_metric_line_names_the_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = "mlruns/1/0a1b2c/metrics"
    write(
        tmp_path,
        {
            "retrain-gate.yml": config(f"{{path: {run}, format: mlflow}}"),
            f"{run}/accuracy": f"{epoch_ms(0)} 0.9 0\nnot a line\n",
            f"{run}/rows": f"{epoch_ms(0)} 1500 0\n",
        },
    )

    code, model = decide(tmp_path, capsys)

    assert code == 3
    assert f"{run}/accuracy:2: is not an MLflow metric line (timestamp value step)" in str(model)


MULTI = """\
version: 1
models:
  churn:
    metrics: {path: m.csv, time: date}
    sources:
      gx: {path: "gx/*.json", time: run_time, booleans: true}
    triggers:
      - {name: accuracy-floor, metric: accuracy, below: 0.85, for: 2}
    checks:
      - {name: expectations, source: gx, metric: success, at_least: 1}
      - {name: gx-fresh, source: gx, freshness: 2d}
"""


def multi_repo(root: Path, *, gx_ok: bool, gx_days: int = 10) -> Path:
    files = {
        "retrain-gate.yml": MULTI,
        "m.csv": daily_csv({"accuracy": ACCURACY, "rows": [1500] * len(ACCURACY)}),
    }
    for day in range(gx_days):
        stamp = f"{START + timedelta(days=day)}T05:00:00Z"
        success = gx_ok or day < gx_days - 1
        files[f"gx/{START + timedelta(days=day)}.json"] = json.dumps(
            {
                "run_time": stamp,
                "success": success,
                "statistics": {"unsuccessful": 0 if success else 2},
            }
        )
    write(root, files)
    return root


def test_a_data_quality_result_in_its_own_file_vetoes_a_retrain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, model = decide(multi_repo(tmp_path / "ok", gx_ok=True), capsys)
    assert code == 0
    assert model["decision"] == "retrain"

    code, model = decide(multi_repo(tmp_path / "bad", gx_ok=False), capsys)
    assert code == 0
    assert model["decision"] == "blocked"
    (expectations, fresh) = model["checks"]
    assert expectations["status"] == "failed"
    assert "success 0 on 2026-11-10" in expectations["reason"]
    assert fresh["status"] == "passed"


def test_freshness_applies_per_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the validation job stopped five days ago; the metric file is fresh
    code, model = decide(multi_repo(tmp_path, gx_ok=True, gx_days=5), capsys)

    assert code == 0
    assert model["decision"] == "blocked"
    assert [c["status"] for c in model["checks"]] == ["passed", "failed"]
    assert model["checks"][1]["reason"] == (
        "newest observation 2026-11-05T05:00Z is 5.8d old: older than 2d"
    )


def test_a_rule_naming_an_unknown_source_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    multi_repo(tmp_path, gx_ok=True)
    (tmp_path / "retrain-gate.yml").write_text(
        MULTI.replace("source: gx, metric", "source: gq, metric"), "utf-8"
    )

    code = main(["validate", "--config", str(tmp_path / "retrain-gate.yml")])

    err = capsys.readouterr().err
    assert code == 2
    assert "retrain-gate.yml:10:" in err
    assert "reads source 'gq', which model 'churn' does not name under `sources:`" in err


def test_the_backtest_replays_each_source_as_of_each_day(tmp_path: Path) -> None:
    from retrain_gate.config.parse import load_config

    config = load_config(multi_repo(tmp_path, gx_ok=False) / "retrain-gate.yml")
    compared = check_decides_as_the_backtest(config)
    assert compared[-1].status == "blocked"  # the last day's validation failed

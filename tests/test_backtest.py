"""`retrain-gate backtest`: each day replayed with only what the gate could see that day."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from retrain_gate.cli import main
from tests.conftest import daily_csv, write

# 14 ordinary days, a dip that fires the floor twice in a row, and on the last day a crash:
# accuracy collapses and only 12 rows arrive, so the last day is blocked.
ACCURACY = [0.91, 0.9, 0.92, 0.9, 0.91, 0.9, 0.91, 0.92, 0.9, 0.91, 0.9, 0.91, 0.92, 0.9]
ACCURACY += [0.86, 0.85, 0.9, 0.91, 0.2]
ROWS = [5000] * 18 + [12]

CONFIG = """\
version: 1
models:
  churn:
    metrics: {path: metrics/churn.csv, time: date}
    triggers:
      - {name: accuracy-floor, metric: accuracy, below: 0.87, for: 2}
      - {name: accuracy-mean, metric: accuracy, below: 0.8, aggregate: mean, window: 3d}
      - {name: accuracy-anomaly, metric: accuracy, outside_sigma: 3, reference_window: 7d}
    checks:
      - {name: enough-rows, metric: rows, at_least: 1000}
      - {name: fresh-data, freshness: 2d}
      - {name: no-gaps, max_gap: 1d, window: 7d}
"""


def backtest(capsys: pytest.CaptureFixture[str], config: Path, *args: str) -> dict[str, Any]:
    assert main(["backtest", "--config", str(config), "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def check_decision(
    capsys: pytest.CaptureFixture[str], config: Path, now: str
) -> tuple[str, list[str]]:
    main(["check", "--config", str(config), "--now", now, "--format", "json"])
    [model] = json.loads(capsys.readouterr().out)["models"]
    return model["decision"], [t["name"] for t in model["triggers"] if t["status"] == "fired"]


def test_each_day_matches_a_check_on_the_history_cut_at_that_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No look-ahead: day D decides as `check --now D+1` on a file that ends at D."""
    full = write(
        tmp_path / "full",
        {
            "retrain-gate.yml": CONFIG,
            "metrics/churn.csv": daily_csv({"accuracy": ACCURACY, "rows": ROWS}),
        },
    )
    result = backtest(capsys, full / "retrain-gate.yml")
    timeline = result["models"][0]["timeline"]
    assert len(timeline) == len(ACCURACY)
    first = date(2026, 11, 1)
    for offset, entry in enumerate(timeline):
        day = first + timedelta(days=offset)
        cut = write(
            tmp_path / f"cut-{offset}",
            {
                "retrain-gate.yml": CONFIG,
                "metrics/churn.csv": daily_csv(
                    {"accuracy": ACCURACY[: offset + 1], "rows": ROWS[: offset + 1]}
                ),
            },
        )
        now = (day + timedelta(days=1)).isoformat()
        assert entry["day"] == day.isoformat()
        assert (entry["status"], entry["fired"]) == check_decision(
            capsys, cut / "retrain-gate.yml", now
        ), day
    statuses = [e["status"] for e in timeline]
    # the anomaly rule needs 3 reference values; the dip is an anomaly on 2026-11-15 and
    # fires the floor (2 in a row) on the 16th; the crash on the last day is blocked by
    # the row count
    assert statuses == ["error"] * 3 + ["skip"] * 11 + ["retrain"] * 2 + ["skip"] * 2 + ["blocked"]
    assert timeline[14]["fired"] == ["accuracy-anomaly"]
    assert timeline[15]["fired"] == ["accuracy-floor"]
    assert timeline[-1]["fired"] == ["accuracy-mean", "accuracy-anomaly"]
    assert timeline[-1]["vetoes"] == ["enough-rows"]


def test_a_later_observation_does_not_change_an_earlier_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    without_crash = write(
        tmp_path / "a",
        {
            "retrain-gate.yml": CONFIG,
            "metrics/churn.csv": daily_csv({"accuracy": ACCURACY[:-1], "rows": ROWS[:-1]}),
        },
    )
    with_crash = write(
        tmp_path / "b",
        {
            "retrain-gate.yml": CONFIG,
            "metrics/churn.csv": daily_csv({"accuracy": ACCURACY, "rows": ROWS}),
        },
    )
    before = backtest(capsys, without_crash / "retrain-gate.yml")["models"][0]["timeline"]
    after = backtest(capsys, with_crash / "retrain-gate.yml")["models"][0]["timeline"]
    assert after[:-1] == before
    assert after[-1]["status"] == "blocked"


COOLDOWN_CONFIG = """\
version: 1
models:
  churn:
    metrics: {path: metrics/churn.csv, time: date}
    dispatch: {workflow: retrain.yml, cooldown: 3d}
    triggers:
      - {name: accuracy-floor, metric: accuracy, below: 0.87}
"""


def test_the_replayed_cooldown_holds_retrains_the_replay_dispatched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    accuracy = [0.9] * 4 + [0.8] * 8  # under the floor from 2026-11-05 on
    root = write(
        tmp_path,
        {
            "retrain-gate.yml": COOLDOWN_CONFIG,
            "metrics/churn.csv": daily_csv({"accuracy": accuracy}),
        },
    )
    [model] = backtest(capsys, root / "retrain-gate.yml")["models"]
    statuses = [e["status"] for e in model["timeline"]]
    # dispatched on the 5th; the 6th and 7th are within 3 days of it; the 8th is not
    assert statuses == ["skip"] * 4 + ["retrain", "held", "held"] * 2 + ["retrain", "held"]
    assert model["cooldown"] == "3d"
    assert model["totals"] == {
        "retrain": 3,
        "held": 5,
        "blocked": 0,
        "skip": 4,
        "error": 0,
        "first_retrain": "2026-11-05",
    }
    assert model["timeline"][5]["summary"] == (
        "accuracy-floor fired; no checks configured; "
        "held: within the cooldown of the retrain on 2026-11-05"
    )
    # without the cooldown every one of those days would be a retrain
    write(root, {"retrain-gate.yml": COOLDOWN_CONFIG.replace(", cooldown: 3d", "")})
    [plain] = backtest(capsys, root / "retrain-gate.yml")["models"]
    assert plain["totals"]["retrain"] == 8 and plain["totals"]["held"] == 0


CARD_CONFIG = """\
version: 1
models:
  churn:
    metrics: {path: metrics/churn.csv, time: date}
    baseline: models/churn.json
    triggers:
      - {name: accuracy-drop, metric: accuracy, drop_from_baseline: 3%}
      - {name: stale-model, max_age: 5d}
"""


def test_the_model_card_is_used_from_its_trained_at_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """0.90 is a drop of 5% from the card's 0.95 on every day, but the card (and the model)
    only exist from 2026-11-10 06:00: the gate run of the 10th (at 11-11 00:00) is the first
    to see it. The model is more than 5 days old from 11-15 06:00: the run of the 15th."""
    root = write(
        tmp_path,
        {
            "retrain-gate.yml": CARD_CONFIG,
            "metrics/churn.csv": daily_csv({"accuracy": [0.9] * 20}),
            "models/churn.json": json.dumps(
                {"trained_at": "2026-11-10T06:00:00Z", "accuracy": 0.95}
            ),
        },
    )
    [model] = backtest(capsys, root / "retrain-gate.yml")["models"]
    timeline = {e["day"]: e for e in model["timeline"]}
    assert model["card_from"] == "2026-11-10T06:00:00+00:00"
    assert timeline["2026-11-09"]["status"] == "skip"
    assert timeline["2026-11-10"]["status"] == "retrain"
    assert timeline["2026-11-10"]["fired"] == ["accuracy-drop"]
    assert timeline["2026-11-14"]["fired"] == ["accuracy-drop"]
    assert timeline["2026-11-15"]["fired"] == ["accuracy-drop", "stale-model"]
    assert model["totals"]["skip"] == 9 and model["totals"]["first_retrain"] == "2026-11-10"


def test_window_options_and_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write(
        tmp_path,
        {
            "retrain-gate.yml": CONFIG,
            "metrics/churn.csv": daily_csv({"accuracy": ACCURACY, "rows": ROWS}),
        },
    )
    config = str(root / "retrain-gate.yml")
    last_five = backtest(capsys, root / "retrain-gate.yml", "--days", "5")
    assert (last_five["start"], last_five["end"], last_five["days"]) == (
        "2026-11-15",
        "2026-11-19",
        5,
    )
    since = backtest(capsys, root / "retrain-gate.yml", "--since", "2026-11-16")
    assert [e["day"] for e in since["models"][0]["timeline"]] == [
        "2026-11-16",
        "2026-11-17",
        "2026-11-18",
        "2026-11-19",
    ]
    assert main(["backtest", "--config", config, "--since", "2026-12-01"]) == 2
    assert "--since 2026-12-01 is after the newest observation" in capsys.readouterr().err
    assert main(["backtest", "--config", config, "--days", "2", "--since", "2026-11-16"]) == 2
    capsys.readouterr()
    assert main(["backtest", "--config", config, "--format", "markdown", "--days", "5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "| churn | 2 | 0 | 1 | 0 | 2026-11-15 |" in lines
    assert (
        "| 2026-11-19 | 2026-11-19 | 1 | blocked | accuracy-mean, accuracy-anomaly; "
        "vetoed by enough-rows |"
    ) in lines
    assert main(["backtest", "--config", config, "--days", "5"]) == 0
    out = capsys.readouterr().out
    assert "churn: 2 retrains, 0 held, 1 blocked, 0 errors; first retrain 2026-11-15" in out
    assert "\n    2026-11 " + " " * 14 + "RR..B\n" in out


def test_an_unreadable_metric_file_is_reported_and_exits_3_like_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The other model is still replayed; the broken one is named; exit 3 after both."""
    two_models = CONFIG + CONFIG.replace("  churn:", "  fraud:").split("models:\n", 1)[1].replace(
        "metrics/churn.csv", "metrics/fraud.csv"
    )
    write(
        tmp_path,
        {
            "retrain-gate.yml": two_models,
            "metrics/churn.csv": daily_csv({"accuracy": ACCURACY, "rows": ROWS}),
            "metrics/fraud.csv": "date,accuracy,rows\n2026-11-01,NaN,5000\n",
        },
    )
    config = str(tmp_path / "retrain-gate.yml")
    assert main(["backtest", "--config", config, "--days", "5"]) == 3
    out = capsys.readouterr().out
    assert "churn: 2 retrains, 0 held, 1 blocked, 0 errors; first retrain 2026-11-15" in out
    assert "fraud: 0 retrains, 0 held, 0 blocked, 5 errors; no retrain" in out
    assert "metrics/fraud.csv:2: accuracy is 'NaN'" in out

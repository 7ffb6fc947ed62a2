"""The backtest replays each day with the model card of the model in use that day: the
versions the card records (`previous`, `history`, as `retrain-gate record` writes them)."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path

from retrain_gate.config.parse import load_config
from retrain_gate.engine.backtest_run import backtest_config
from tests.conftest import check_decides_as_the_backtest, daily_csv, write

CONFIG = """\
version: 1
models:
  churn:
    metrics: {path: metrics.csv, time: date}
    baseline: card.json
    triggers:
      - {name: accuracy-drop, metric: accuracy, drop_from_baseline: 3%}
"""
# version 1 trained 2026-09-01 at 0.95; version 2 trained 2026-10-01 at 0.90
CARD = {
    "version": 2,
    "trained_at": "2026-10-01T00:00:00Z",
    "metrics": {"accuracy": 0.90},
    "previous": {"version": 1, "trained_at": "2026-09-01T00:00:00Z", "metrics": {"accuracy": 0.95}},
}


def repo(root: Path, card: dict[str, object] = CARD) -> Path:
    write(
        root,
        {
            "retrain-gate.yml": CONFIG,
            # 0.91 every day from 2026-08-25 to 2026-10-14
            "metrics.csv": daily_csv({"accuracy": [0.91] * 51}, start="2026-08-25"),
            "card.json": json.dumps(card),
        },
    )
    return root / "retrain-gate.yml"


def test_each_day_is_judged_against_the_card_of_its_time(tmp_path: Path) -> None:
    (model,) = backtest_config(load_config(repo(tmp_path))).models
    by_day = {d.day: d for d in model.days}

    # before version 1: not trained yet
    assert by_day[date(2026, 8, 30)].status == "skip"
    # September: 0.91 against version 1's 0.95, a drop of 4.2%
    assert by_day[date(2026, 9, 15)].status == "retrain"
    assert by_day[date(2026, 9, 15)].fired == ("accuracy-drop",)
    # October: against version 2's 0.90, a rise: quiet
    assert by_day[date(2026, 10, 1)].status == "skip"
    assert by_day[date(2026, 10, 14)].status == "skip"
    assert model.card_from == datetime(2026, 9, 1, tzinfo=timezone.utc)


def test_check_at_a_past_day_uses_that_days_card_as_the_backtest_does(tmp_path: Path) -> None:
    assert check_decides_as_the_backtest(load_config(repo(tmp_path)), days=slice(7, None, 5))


def test_a_card_without_versions_is_used_on_every_day_from_its_training(tmp_path: Path) -> None:
    card = {"trained_at": "2026-10-01T00:00:00Z", "metrics": {"accuracy": 0.95}}
    (model,) = backtest_config(load_config(repo(tmp_path, card))).models
    by_day = {d.day: d for d in model.days}

    assert by_day[date(2026, 9, 15)].status == "skip"  # not trained yet
    assert by_day[date(2026, 10, 5)].status == "retrain"

"""`history: git`: a metric file rewritten and committed each run is read as a series, one
observation per commit, on real git repositories."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from retrain_gate.cli import main
from retrain_gate.config.parse import load_config
from retrain_gate.engine.backtest_run import backtest_config
from tests.conftest import check_decides_as_the_backtest

START = date(2026, 9, 1)
RULES = """\
    triggers:
      - {name: accuracy-floor, metric: accuracy, below: 0.85, for: 2}
      - {name: accuracy-anomaly, metric: accuracy, outside_sigma: 3, reference_window: 14}
    checks:
      - {name: enough-rows, metric: rows, at_least: 1000}
      - {name: fresh-data, freshness: 2d}
      - {name: no-gaps, max_gap: 1d, window: 14d}
"""


def config(metrics: str) -> str:
    return f"version: 1\nmodels:\n  churn:\n    metrics: {metrics}\n{RULES}"


def git(root: Path, *args: str, when: datetime | None = None) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if when is not None:
        stamp = when.isoformat()
        env |= {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    done = subprocess.run(
        ["git", "-c", "user.name=CI", "-c", "user.email=ci@example.com", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def days_of_values(count: int, *, seed: int = 7) -> list[dict[str, float]]:
    """A run's metrics per day: accuracy with two dips, rows that fall once below 1,000."""
    rng = random.Random(seed)
    values = []
    for i in range(count):
        dip = 0.08 if i in (30, 31, 45, 49, 50) else 0
        accuracy = round(0.9 + rng.uniform(-0.01, 0.01) - dip, 4)
        rows = 1500 + rng.randrange(200) - (900 if i == 50 else 0)
        values.append({"accuracy": accuracy, "f1": round(accuracy - 0.03, 4), "rows": rows})
    return values


def rewritten_repo(root: Path, values: list[dict[str, float]]) -> Path:
    """A repository whose CI rewrote metrics.json and committed it once a day."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    (root / "retrain-gate.yml").write_text(
        config("{path: metrics.json, history: git}"), encoding="utf-8"
    )
    git(root, "add", "retrain-gate.yml")
    git(root, "commit", "-q", "-m", "config", when=midnight(START) - timedelta(days=1))
    for i, day_values in enumerate(values):
        (root / "metrics.json").write_text(json.dumps(day_values) + "\n", encoding="utf-8")
        git(root, "add", "metrics.json")
        git(root, "commit", "-q", "-m", f"metrics {i}", when=midnight(START + timedelta(days=i)))
    return root / "retrain-gate.yml"


def csv_repo(root: Path, values: list[dict[str, float]]) -> Path:
    """The same series as one CSV with a date column."""
    root.mkdir(parents=True, exist_ok=True)
    lines = ["date,accuracy,f1,rows"] + [
        f"{START + timedelta(days=i)},{v['accuracy']},{v['f1']},{v['rows']}"
        for i, v in enumerate(values)
    ]
    (root / "metrics.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "retrain-gate.yml").write_text(
        config("{path: metrics.csv, time: date}"), encoding="utf-8"
    )
    return root / "retrain-gate.yml"


def timeline(path: Path) -> list[tuple[date, str, tuple[str, ...], tuple[str, ...]]]:
    (model,) = backtest_config(load_config(path)).models
    return [(d.day, d.status, d.fired, d.vetoes) for d in model.days]


def test_a_file_rewritten_over_60_commits_decides_as_the_equivalent_csv(tmp_path: Path) -> None:
    values = days_of_values(60)

    from_git = timeline(rewritten_repo(tmp_path / "git", values))
    from_csv = timeline(csv_repo(tmp_path / "csv", values))

    assert len(from_git) == 60
    assert from_git == from_csv
    statuses = {status for _, status, _, _ in from_git}
    assert {"retrain", "skip", "blocked"} <= statuses  # the dips fire, the low rows veto


def test_check_reads_the_history_and_names_the_commit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    values = days_of_values(40)
    values[-1]["accuracy"] = float("nan")  # the last run wrote a NaN
    path = rewritten_repo(tmp_path, [{**v} for v in values[:-1]])
    (tmp_path / "metrics.json").write_text('{"accuracy": NaN, "rows": 1500}\n', encoding="utf-8")
    git(tmp_path, "commit", "-qam", "nan", when=midnight(START + timedelta(days=39)))
    head = git(tmp_path, "rev-parse", "--short=7", "HEAD").strip()

    code = main(["check", "--config", str(path), "--now", str(START + timedelta(days=40))])

    out = capsys.readouterr().out
    assert code == 3
    assert f"metrics.json@{head}" in " ".join(out.split())


def test_merges_count_once_reverts_and_deletes_as_committed(tmp_path: Path) -> None:
    values = days_of_values(10)
    path = rewritten_repo(tmp_path, values[:5])
    day = START + timedelta(days=5)
    # a pull request rewrites the file twice on its branch, then is merged with a merge commit
    git(tmp_path, "checkout", "-q", "-b", "pr")
    for n in (5, 6):
        (tmp_path / "metrics.json").write_text(json.dumps(values[n]), encoding="utf-8")
        git(tmp_path, "commit", "-qam", f"pr {n}", when=midnight(day) - timedelta(hours=12 - n))
    git(tmp_path, "checkout", "-q", "main")
    git(tmp_path, "merge", "-q", "--no-ff", "-m", "merge pr", "pr", when=midnight(day))
    # the next run is reverted, then the file is deleted, then written again
    (tmp_path / "metrics.json").write_text(json.dumps(values[7]), encoding="utf-8")
    git(tmp_path, "commit", "-qam", "day 6", when=midnight(day + timedelta(days=1)))
    git(tmp_path, "revert", "--no-edit", "HEAD", when=midnight(day + timedelta(days=2)))
    git(tmp_path, "rm", "-q", "metrics.json")
    git(tmp_path, "commit", "-qm", "rm", when=midnight(day + timedelta(days=3)))
    (tmp_path / "metrics.json").write_text(json.dumps(values[9]), encoding="utf-8")
    git(tmp_path, "add", "metrics.json")
    git(tmp_path, "commit", "-qm", "back", when=midnight(day + timedelta(days=4)))

    from retrain_gate.engine.load import load_model

    config = load_config(path)
    series = load_model(config, config.models["churn"]).series
    assert series is not None
    assert [t.date() for t in series.times] == [
        *(START + timedelta(days=i) for i in range(5)),
        day,  # the merge: once, with the file as merged (the branch's last run)
        day + timedelta(days=1),
        day + timedelta(days=2),  # the revert: the merged values again
        day + timedelta(days=4),  # nothing on the day the file was deleted
    ]
    accuracy = series.columns["accuracy"]
    assert accuracy[5] == values[6]["accuracy"]
    assert accuracy[6] == values[7]["accuracy"]
    assert accuracy[7] == values[6]["accuracy"]
    assert accuracy[8] == values[9]["accuracy"]


def test_a_time_field_in_the_file_wins_over_the_commit_time(tmp_path: Path) -> None:
    values = [
        {**v, "date": f"{START + timedelta(days=i)}"} for i, v in enumerate(days_of_values(3))
    ]
    path = rewritten_repo(tmp_path, values)
    # committed a week later, all at once: the file's own dates are the observations' times
    from retrain_gate.engine.load import load_model

    config = load_config(path)
    series = load_model(config, config.models["churn"]).series
    assert series is not None
    assert [t.date() for t in series.times] == [START + timedelta(days=i) for i in range(3)]


def test_a_shallow_clone_is_a_clear_error_until_deepened(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    origin = tmp_path / "origin"
    rewritten_repo(origin, days_of_values(30))
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{origin}", str(clone)], check=True
    )
    now = str(START + timedelta(days=30))

    code = main(["check", "--config", str(clone / "retrain-gate.yml"), "--now", now])

    out = " ".join(capsys.readouterr().out.split())
    assert code == 3
    assert "history: git needs the file's whole git history, and this clone is shallow" in out
    assert "fetch-depth: 0" in out

    git(clone, "fetch", "-q", "--unshallow")
    code = main(["check", "--config", str(clone / "retrain-gate.yml"), "--now", now])
    assert code == 0
    assert "churn" in capsys.readouterr().out


def test_history_git_with_a_glob_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "retrain-gate.yml").write_text(
        config("{path: 'runs/*.json', history: git}"), encoding="utf-8"
    )

    code = main(["validate", "--config", str(tmp_path / "retrain-gate.yml")])

    err = capsys.readouterr().err
    assert code == 2
    assert "history: git reads one file's commits, not a glob" in err


def test_the_history_benchmark_prints_both_ratios_at_both_sizes() -> None:
    script = Path(__file__).resolve().parent.parent / "benchmarks" / "git_history.py"
    done = subprocess.run(
        [sys.executable, str(script), "--commits", "20", "--files", "2", "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()[1:]]
    assert [(r[0], r[1]) for r in rows] == [("10", "1"), ("10", "2"), ("20", "1"), ("20", "2")]
    assert all(float(r[-1]) > 0 for r in rows)  # a ratio, whatever this machine's speed


def test_check_now_in_the_past_decides_as_the_backtest_did_that_day(tmp_path: Path) -> None:
    path = rewritten_repo(tmp_path, days_of_values(60))
    assert check_decides_as_the_backtest(load_config(path), days=slice(None, None, 7))


def test_a_card_rewritten_at_each_training_gives_the_backtest_its_versions(
    tmp_path: Path,
) -> None:
    values = [{"accuracy": 0.91, "rows": 1500} for _ in range(50)]
    lines = ["date,accuracy,rows"] + [
        f"{START + timedelta(days=i)},{v['accuracy']},{v['rows']}" for i, v in enumerate(values)
    ]
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "metrics.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "retrain-gate.yml").write_text(
        "version: 1\nmodels:\n  churn:\n    metrics: {path: metrics.csv, time: date}\n"
        "    baseline: {path: card.json, history: git}\n    triggers:\n"
        "      - {name: accuracy-drop, metric: accuracy, drop_from_baseline: 3%}\n",
        encoding="utf-8",
    )
    card = tmp_path / "card.json"
    # the first training wrote no trained_at: its commit time says when
    card.write_text(json.dumps({"metrics": {"accuracy": 0.95}}), encoding="utf-8")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "first model", when=midnight(START + timedelta(days=5)))
    card.write_text(
        json.dumps({"trained_at": "2026-09-25T00:00:00Z", "metrics": {"accuracy": 0.90}}),
        encoding="utf-8",
    )
    git(tmp_path, "commit", "-qam", "retrained", when=midnight(START + timedelta(days=24)))

    (model,) = backtest_config(load_config(tmp_path / "retrain-gate.yml")).models
    by_day = {d.day: d.status for d in model.days}

    assert by_day[START + timedelta(days=2)] == "skip"  # before the first model
    assert by_day[START + timedelta(days=10)] == "retrain"  # 0.91 vs 0.95: a drop of 4.2%
    assert by_day[START + timedelta(days=30)] == "skip"  # vs the retrained 0.90: a rise

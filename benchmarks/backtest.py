"""How much a full backtest costs compared with one `check` of the same repository.

Generates (deterministically, into a temporary folder) a repository of 20 models with
3 years of daily metrics (`benchmarks/make_repo.py`), then times, in this one process:

- `check`: load the config, read and parse every metric file, evaluate every model once;
- `backtest`: load the config, read and parse every metric file once, replay every model
  on each of the 1,095 days.

It prints both times and their ratio (backtest / check); issue 4 asks for at most a few
times one check. Each is the best of `--repeat` runs, to keep the noise of a busy machine
out of the ratio.

With `--day-by-day` it also times the backtest with every rule judged on each day alone, as
`check` at that moment would judge it (the cost without the one pass over all the days), and
says whether the two timelines are the same.

    python benchmarks/backtest.py [--models 20] [--days 1095] [--repeat 3] [--day-by-day]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from make_repo import RepoSize, last_day, make_repo

from retrain_gate.config.parse import load_config
from retrain_gate.engine.backtest import Backtest
from retrain_gate.engine.backtest_run import backtest_config
from retrain_gate.engine.gate import check
from retrain_gate.kinds import CHECKS, TRIGGERS
from retrain_gate.kinds.base import Judge, Judgement
from retrain_gate.kinds.days import Days
from retrain_gate.model import RuleConfig
from retrain_gate.results import Report


def best_of(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def day_by_day(one_pass: Judge) -> Judge:
    """A kind's judge asked about each day on its own (one `check` per day)."""

    def judge(rule: RuleConfig, days: Days) -> Judgement:
        alone = [
            one_pass(rule, Days(ctx=days.ctx, nows=(now,), ends=(end,)))
            for now, end in zip(days.nows, days.ends)
        ]
        return Judgement(
            statuses=[a.statuses[0] for a in alone], explain=lambda i: alone[i].outcome(0)
        )

    return judge


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=20)
    parser.add_argument("--days", type=int, default=1095)
    parser.add_argument("--metrics", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--day-by-day",
        action="store_true",
        help="also time the backtest with every rule judged on each day alone",
    )
    args = parser.parse_args(argv)
    size = RepoSize(models=args.models, days=args.days, metrics=args.metrics)
    with tempfile.TemporaryDirectory(prefix="retrain-gate-bench-") as folder:
        config_path = make_repo(Path(folder), size, seed=args.seed)
        now = datetime.combine(
            last_day(size.days) + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc
        )
        report: list[Report] = []
        replay: list[Backtest] = []
        check_time = best_of(
            args.repeat, lambda: report.append(check(load_config(config_path), now=now))
        )
        backtest_time = best_of(
            args.repeat, lambda: replay.append(backtest_config(load_config(config_path)))
        )
        slow: list[Backtest] = []
        if args.day_by_day:
            kinds = {**TRIGGERS}, {**CHECKS}
            for registry in (TRIGGERS, CHECKS):
                for name, kind in registry.items():
                    if kind.judge is not None:
                        registry[name] = dataclasses.replace(kind, judge=day_by_day(kind.judge))
            try:
                slow_time = best_of(
                    1, lambda: slow.append(backtest_config(load_config(config_path)))
                )
            finally:
                TRIGGERS.update(kinds[0])
                CHECKS.update(kinds[1])
    days = replay[-1].day_count
    decisions = sum(len(m.days) for m in replay[-1].models)
    print(f"repository: {size.models} models x {size.days} days x {size.metrics} metrics")
    print(f"check:    {check_time * 1000:8.1f} ms  ({len(report[-1].models)} models, once)")
    print(
        f"backtest: {backtest_time * 1000:8.1f} ms  ({days} days replayed, "
        f"{decisions} model-days decided)"
    )
    print(f"ratio backtest / check: {backtest_time / check_time:.2f}")
    if slow:
        same = "yes" if slow[-1] == replay[-1] else "NO"
        print(
            f"day by day: {slow_time * 1000:8.1f} ms  (every rule judged on each day alone; "
            f"ratio {slow_time / check_time:.2f}; same timelines: {same})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

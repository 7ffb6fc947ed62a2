"""`retrain-gate backtest`: replay the gate on each day of the committed history.

Each day D is replayed as the gate run at 00:00 UTC on D+1, seeing only the observations
timed before it; see `retrain_gate.backtest` for the model card, file rules and cooldown.

`--format json` (`schema_version` 1; fields are only added within a version):

- `schema_version`, `tool`, `kind` ("backtest"), `config`, `replayed_at` (how a day is
  replayed, in words), `start`, `end` (ISO dates, inclusive; null without observations),
  `days` (how many days were replayed);
- `models`: one object per model with `model`, `start` and `end` (its replayed days: from
  its first observation when that is later than the window's start), `cooldown` ("7d" or
  null), `card_from` (the model card's trained_at: the card is used from then on; null
  without a card or a trained_at),
  `not_replayed` (rule names judged only from the newest observation's day on),
  `real_retrains` (the model card's versions that replaced an earlier one, oldest first:
  `version`, `trained_at`, `rules_asked`: the last replayed gate run before it that decided
  `retrain`, or null; `asked_since`: the first day of the unbroken run of retrain or held
  days ending there),
  `real_retrains` (the model card's versions that replaced an earlier one, oldest first:
  `version`, `trained_at`, `rules_asked`: the last replayed gate run before it that decided
  `retrain`, or null; `asked_since`: the first day of the unbroken run of retrain or held
  days ending there),
  `problems` (unreadable files: `message`, `file`, `line`, `exit_code`),
  `totals` (`retrain`, `held`, `blocked`, `skip`, `error`: day counts; `first_retrain`:
  an ISO date or null) and `timeline`: one entry per day, oldest first, with `day`,
  `status` (retrain | held | blocked | skip | error), `fired`, `vetoes`, `errors` (rule
  names), `observations` (visible that day) and `summary`.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from retrain_gate.commands.common import add_config_options, deliver, exit_code, read_config
from retrain_gate.durations import LONGEST
from retrain_gate.engine.backtest_run import backtest_config
from retrain_gate.report import FORMATS
from retrain_gate.report.backtest import render_backtest


def add_window_options(parser: argparse.ArgumentParser) -> None:
    window = parser.add_mutually_exclusive_group()
    window.add_argument(
        "--since",
        type=parse_date,
        metavar="DATE",
        help="replay from this day (YYYY-MM-DD) to the newest observation",
    )
    window.add_argument(
        "--days",
        type=parse_days,
        metavar="N",
        help="replay the last N days up to the newest observation (default: all the history)",
    )


def parse_days(text: str) -> int:
    """--days: a whole number of days, at most 100 years (date arithmetic ends at year 9999)."""
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days") from None
    if days > LONGEST.days:
        raise argparse.ArgumentTypeError(f"{days} is more than {LONGEST.days} days (100 years)")
    return days


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "backtest",
        help="replay the gate on each day of the committed metric history",
        description="Replay the gate for each day of the committed history as if it had run "
        "that day (at 00:00 UTC the next day): only the observations up to that day, the "
        "model card from its trained_at on, and the cooldown counted from the retrains the "
        "replay itself dispatched. Prints a timeline of decisions and totals per model.",
    )
    add_config_options(parser)
    add_window_options(parser)
    parser.add_argument(
        "--model",
        action="append",
        default=[],
        metavar="NAME",
        help="replay only this model (repeat for several; default: all)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="terminal",
        help="how to print the result (default: terminal)",
    )
    parser.add_argument("--output", metavar="PATH", help="write the result to a file, not stdout")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = read_config(args)
    result = backtest_config(config, models=args.model, since=args.since, days=args.days)
    deliver(
        render_backtest(result, fmt=args.format), fmt=args.format, output=args.output, github=False
    )
    # like `check`: a file that cannot be read is a data error (3), after reporting all
    return exit_code(
        data_error=max((p.exit_code for m in result.models for p in m.problems), default=0)
    )

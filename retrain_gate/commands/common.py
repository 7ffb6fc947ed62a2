"""Options shared by several subcommands, and how they are read."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

from retrain_gate.config.parse import find_config, load_config
from retrain_gate.errors import EXIT_FAIL_ON, UsageError
from retrain_gate.model import Config
from retrain_gate.report import FORMATS
from retrain_gate.results import DECISIONS
from retrain_gate.sources.values import YEARS


def add_config_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="the config file (default: retrain-gate.yml or .github/retrain-gate.yml)",
    )
    parser.add_argument(
        "--root",
        metavar="DIR",
        help="the repository root that config paths are relative to (default: the config's "
        "folder, or its parent when the config is in .github/)",
    )


def add_report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="terminal",
        help="how to print the report (default: terminal)",
    )
    parser.add_argument("--output", metavar="PATH", help="write the report to a file, not stdout")
    parser.add_argument(
        "--now",
        metavar="TIME",
        type=parse_now,
        help="evaluate as of this date or ISO 8601 time, seeing only the observations before "
        "it (default: the current time, UTC)",
    )
    parser.add_argument(
        "--model",
        action="append",
        default=[],
        metavar="NAME",
        help="evaluate only this model (repeat for several; default: all)",
    )


def add_github_options(parser: argparse.ArgumentParser, *, writes: str) -> None:
    """--github (what it `writes` on the runner), --summary-file and --json-report."""
    parser.add_argument(
        "--github",
        action="store_true",
        help=f"also write {writes} for GitHub Actions (on by default when GITHUB_ACTIONS=true)",
    )
    parser.add_argument(
        "--summary-file", metavar="PATH", help="also write the Markdown report to this file"
    )
    parser.add_argument(
        "--json-report", metavar="PATH", help="also write the JSON report to this file"
    )


def parse_now(text: str) -> datetime:
    """--now: a date (midnight UTC) or an ISO 8601 time (UTC when no zone is given)."""
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date or ISO 8601 time (e.g. 2026-11-28 or 2026-11-28T06:00:00Z)"
        ) from None
    if parsed.year not in YEARS:
        raise argparse.ArgumentTypeError(
            f"{text[:40]!r} is outside the years {YEARS.start} to {YEARS.stop - 1}"
        )
    return (
        parsed.replace(tzinfo=timezone.utc)
        if parsed.tzinfo is None
        else parsed.astimezone(timezone.utc)
    )


def now_or_current(value: datetime | None) -> datetime:
    return value if value is not None else datetime.now(timezone.utc)


def read_config(args: argparse.Namespace) -> Config:
    path = find_config(args.config, cwd=Path.cwd())
    root = Path(args.root).resolve() if getattr(args, "root", None) else None
    return load_config(path, root=root)


def parse_fail_on(text: str) -> frozenset[str]:
    values = frozenset(v.strip() for v in text.split(",") if v.strip())
    unknown = values - set(DECISIONS)
    if unknown:
        raise argparse.ArgumentTypeError(
            f"expected {', '.join(DECISIONS)} (comma-separated), not {', '.join(sorted(unknown))}"
        )
    return values


def color_wanted(stream: object) -> bool:
    """Colour only on a terminal, and never with NO_COLOR set (https://no-color.org)."""
    if "NO_COLOR" in os.environ:
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def emit(text: str, *, output: str | None) -> None:
    """Write a rendered report to --output or stdout."""
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write the report: {exc.strerror}", file=output) from None
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def deliver(
    text: str,
    *,
    fmt: str,
    output: str | None,
    github: bool,
    commands: Sequence[str] = (),
) -> None:
    """Print (or write to --output) a rendered report; on a runner, first the workflow
    commands (annotations), and the report shielded so that no user text in it can act as a
    workflow command. The one way every subcommand's report leaves the process.

    JSON on stdout stays JSON: its annotations go to stderr (the runner reads commands there
    too), and it needs no guard since no line of it starts with user text."""
    from retrain_gate.report.github import commands_text, shield

    json_out = fmt == "json" and not output
    if commands:
        stream = sys.stderr if json_out else sys.stdout
        stream.write(commands_text(commands))
        stream.flush()
    guard = github and not output and not json_out
    emit(shield(text) if guard else text, output=output)


def exit_code(*, data_error: int = 0, failed: bool = False) -> int:
    """The one exit code of check, backtest and diff: a data error first (3: a model's file
    could not be read, reported after all the others were decided), then 1 when the user's
    --fail-on (or --fail-on-change) matched, else 0: the gate decided."""
    if data_error:
        return data_error
    return EXIT_FAIL_ON if failed else 0

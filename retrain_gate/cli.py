"""`retrain-gate` / `python -m retrain_gate`: one entry point, one error handler.

Each subcommand is a module in `retrain_gate/commands/` with `add_parser(subparsers)` and
`run(args) -> int`. Errors a user can cause are `GateError`s: one line on stderr and the
documented exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from retrain_gate import __version__
from retrain_gate.errors import EXIT_CONFIG, EXIT_INTERNAL, GateError

COMMANDS = ("check", "validate", "schema", "rules", "backtest", "diff", "matrix")


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as exit 2 with one line, like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_CONFIG, f"retrain-gate: error: {message} (see {self.prog} --help)\n")


def build_parser(commands: Sequence[str] = COMMANDS) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="retrain-gate",
        description="Decide whether an ML model must be retrained, from its committed metrics.",
        epilog="Exit codes: 0 decided, 1 --fail-on matched, 2 config or usage error, "
        "3 data error, 4 GitHub API error, 5 git error, 70 internal error.",
    )
    parser.add_argument("--version", action="version", version=f"retrain-gate {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in commands:
        module = importlib.import_module(f"retrain_gate.commands.{name}")
        module.add_parser(subparsers)
    return parser


def _commands_needed(argv: Sequence[str]) -> Sequence[str]:
    """The command modules to import: the one named, none for --version, all for --help and
    usage errors (which list them). Imports are most of a small run's start-up."""
    first = argv[0] if argv else None
    if first in COMMANDS:
        return (first,)
    return () if first == "--version" else COMMANDS


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    parser = build_parser(_commands_needed(sys.argv[1:] if argv is None else argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help/--version (0) or a usage error (2)
        return int(exc.code) if isinstance(exc.code, int) else EXIT_CONFIG
    try:
        return int(args.run(args))
    except GateError as exc:
        print(f"retrain-gate: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("retrain-gate: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        print(
            f"retrain-gate: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in retrain-gate; please report it with the command you ran.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL

"""`retrain-gate` / `python -m retrain_gate`: one entry point, one error handler.

Each subcommand is a module in `retrain_gate/commands/` with `add_parser(subparsers)` and
`run(args) -> int`. Errors a user can cause are `GateError`s: one line on stderr and the
documented exit code, never a traceback (`ConfigErrors`: one line each, then a count per file).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from retrain_gate import __version__
from retrain_gate.errors import (
    EXIT_CONFIG,
    EXIT_INTERNAL,
    ConfigError,
    ConfigErrors,
    GateError,
    UsageError,
)

COMMANDS = (
    "check",
    "validate",
    "schema",
    "rules",
    "backtest",
    "diff",
    "matrix",
    "promote",
    "record",
    "init",
)


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as exit 2 with one line, like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_CONFIG, f"retrain-gate: error: {message} (see {self.prog} --help)\n")


def build_parser(commands: Sequence[str] = COMMANDS) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="retrain-gate",
        description="Decide whether an ML model must be retrained, from its committed metrics.",
        epilog="Exit codes: 0 decided, 1 --fail-on matched, 2 config or usage error, "
        "3 data error, 4 GitHub API error, 5 git error, 6 promote kept the current model, "
        "7 a dispatch may have started (check the runs), 70 internal error.",
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


def _error_annotation(exc: GateError, args: argparse.Namespace) -> str | None:
    """On GitHub (--github or GITHUB_ACTIONS=true), an error in a file is also an `::error`
    annotation at its line: a broken config shows on the pull request's diff. Command-line
    errors (UsageError) name no repository file."""
    from retrain_gate.report.github import (
        annotation_path,
        escape_data,
        escape_property,
        github_wanted,
    )

    if not exc.file or isinstance(exc, UsageError):
        return None
    if not github_wanted(bool(getattr(args, "github", False)), os.environ):
        return None
    title = "retrain-gate config" if isinstance(exc, ConfigError) else "retrain-gate"
    properties = (
        ("file", annotation_path(exc.file, os.environ)),
        ("line", exc.line),
        ("col", exc.column if exc.line is not None else None),
        ("title", title),
    )
    head = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties if v is not None)
    message = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
    return f"::error {head}::{escape_data(message)}"


def _tolerant_streams() -> None:
    """A stream that cannot hold every character (PYTHONIOENCODING=cp1252, a Windows
    redirect) writes `?` for the ones it cannot: a report with an emoji is not a crash."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", "strict") == "strict":
            # a detached or closed stream: leave it as it is
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    _tolerant_streams()
    parser = build_parser(_commands_needed(sys.argv[1:] if argv is None else argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help/--version (0) or a usage error (2)
        return int(exc.code) if isinstance(exc.code, int) else EXIT_CONFIG
    try:
        return int(args.run(args))
    except GateError as exc:
        found = exc.errors if isinstance(exc, ConfigErrors) else (exc,)
        blocks = exc.by_file() if isinstance(exc, ConfigErrors) else [(None, found)]
        for file, errors in blocks:
            for error in errors:
                print(f"retrain-gate: error: {error}", file=sys.stderr)
            if file is not None:  # several errors: each file's count after its lines
                count = len(errors)
                print(f"{count} error{'' if count == 1 else 's'} in {file}", file=sys.stderr)
        for error in found:
            if annotation := _error_annotation(error, args):
                # JSON on stdout stays JSON (as in `check`): the runner reads stderr for it too
                json_out = getattr(args, "format", None) == "json" and not getattr(
                    args, "output", None
                )
                print(annotation, file=sys.stderr if json_out else sys.stdout, flush=True)
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

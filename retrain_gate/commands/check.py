"""`retrain-gate check`: evaluate the rules on the committed metrics and decide."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from datetime import datetime
from typing import Any

from retrain_gate.commands.common import (
    add_config_options,
    add_github_options,
    add_report_options,
    color_wanted,
    deliver,
    exit_code,
    now_or_current,
    parse_fail_on,
    read_config,
)
from retrain_gate.model import Config
from retrain_gate.results import Report


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "check",
        help="evaluate the triggers and checks and print the decision",
        description="Evaluate every trigger rule and data-quality check on the committed "
        "metric files and print the decision (retrain, blocked, skip or error) with each "
        "rule's reason.",
    )
    add_config_options(parser)
    add_report_options(parser)
    parser.add_argument(
        "--fail-on",
        type=parse_fail_on,
        default=frozenset(),
        metavar="DECISIONS",
        help="exit 1 when a model's decision is one of these (e.g. retrain,blocked)",
    )
    add_github_options(parser, writes="step outputs, the job summary and annotations")
    act = parser.add_argument_group(
        "acting on the decision",
        "through the GitHub REST API: GITHUB_API_URL (default https://api.github.com), "
        "GITHUB_REPOSITORY (owner/name) and a token (GITHUB_TOKEN, or --token-env)",
    )
    act.add_argument(
        "--dispatch",
        action="store_true",
        help="start each model's retraining workflow (its dispatch: section) when the decision "
        "is retrain, unless a guard (cooldown, in-flight, re-run) holds it back",
    )
    act.add_argument(
        "--dry-run",
        action="store_true",
        help="report what --dispatch would send, and send nothing (needs no token)",
    )
    act.add_argument(
        "--open-issue",
        action="store_true",
        help="open an issue when a model is blocked or error (or comment on the open one); "
        "close it when a later run decides normally",
    )
    act.add_argument(
        "--token-env",
        metavar="NAME",
        help="read the token from this environment variable instead of GITHUB_TOKEN",
    )
    act.add_argument(
        "--api-timeout",
        type=_seconds,
        metavar="SECONDS",
        help="one time budget for all of the run's GitHub API work: every call, retry and "
        "wait (default 300)",
    )
    parser.set_defaults(run=run)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def run(args: argparse.Namespace) -> int:
    from retrain_gate.engine.gate import check
    from retrain_gate.report import render
    from retrain_gate.report.github import github_wanted, publish

    config = read_config(args)
    now = now_or_current(args.now)
    # --now in the past: only the observations before it, as the backtest replays that day
    decided = check(config, now=now, models=args.model, as_of=args.now is not None)
    report = act_on(config, decided, args, now=now)
    color = args.format == "terminal" and not args.output and color_wanted(sys.stdout)
    # the terminal's width (COLUMNS first), colour or not; a file gets the default
    to_terminal = args.format == "terminal" and not args.output
    width = shutil.get_terminal_size((120, 24)).columns if to_terminal else None
    text = render(report, fmt=args.format, color=color, width=width)
    # files, step outputs, job summary; annotations come back as lines to print
    github = github_wanted(args.github, os.environ)
    published = publish(
        report,
        github=github,
        summary_file=args.summary_file,
        json_report=args.json_report,
        root=str(config.root),
    )
    deliver(text, fmt=args.format, output=args.output, github=github, commands=published.commands)
    failed = any(m.decision in args.fail_on for m in report.models)
    return exit_code(data_error=report.exit_code, failed=failed)


def act_on(config: Config, report: Report, args: argparse.Namespace, *, now: datetime) -> Report:
    """--dispatch / --dry-run / --open-issue: act on the decision through the GitHub API."""
    if not (args.dispatch or args.dry_run or args.open_issue):
        return report
    from retrain_gate.act.context import client_from_env, run_context_from_env
    from retrain_gate.act.dispatch import act
    from retrain_gate.act.issues import sync_issues

    run_context = run_context_from_env(os.environ)
    client = None
    if not args.dry_run:  # a dry run sends nothing, so it needs no token
        client = client_from_env(os.environ, token_env=args.token_env, budget=args.api_timeout)
    if args.dispatch or args.dry_run:
        report = act(config, report, client=client, run=run_context, now=now, dry_run=args.dry_run)
    if args.open_issue:
        if client is None:
            print("retrain-gate: --open-issue: nothing sent in a dry run", file=sys.stderr)
        else:
            report, actions = sync_issues(report, client=client, run=run_context)
            for action in actions:
                if action.status != "none":
                    print(f"retrain-gate: {action.model}: {action.message}", file=sys.stderr)
    return report

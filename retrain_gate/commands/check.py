"""`retrain-gate check`: evaluate the rules on the committed metrics and decide."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from typing import Any

from retrain_gate.commands.common import (
    add_config_options,
    add_report_options,
    color_wanted,
    emit,
    exit_code,
    now_or_current,
    parse_fail_on,
    read_config,
)


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
    parser.add_argument(
        "--github",
        action="store_true",
        help="also write step outputs, the job summary and annotations for GitHub Actions "
        "(on by default when GITHUB_ACTIONS=true)",
    )
    parser.add_argument(
        "--summary-file", metavar="PATH", help="also write the Markdown report to this file"
    )
    parser.add_argument(
        "--json-report", metavar="PATH", help="also write the JSON report to this file"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from retrain_gate.gate import check
    from retrain_gate.report import render
    from retrain_gate.report.github import commands_text, github_wanted, publish, shield

    config = read_config(args)
    report = check(config, now=now_or_current(args.now), models=args.model)
    color = args.format == "terminal" and not args.output and color_wanted(sys.stdout)
    width = shutil.get_terminal_size((120, 24)).columns if color else None
    text = render(report, fmt=args.format, color=color, width=width)
    # files, step outputs, job summary; annotations come back as lines to print
    github = github_wanted(args.github, os.environ)
    published = publish(
        report, github=github, summary_file=args.summary_file, json_report=args.json_report
    )
    if published.commands:
        emit(commands_text(published.commands), output=None)
    # the report quotes users' files: the runner must not obey a `::command` inside it
    emit(shield(text) if github and not args.output else text, output=args.output)
    return exit_code(report, args.fail_on)

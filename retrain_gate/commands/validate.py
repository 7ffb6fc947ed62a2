"""`retrain-gate validate`: check a config without evaluating it (also a pre-commit hook)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from retrain_gate.commands.common import add_config_options


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "validate",
        help="check the config (schema, rule options, metric names) without evaluating it",
        description="Validate config files: YAML, the JSON Schema, rule options, and that "
        "every metric a rule names exists in the model's metric file.",
    )
    add_config_options(parser)
    parser.add_argument(
        "files",
        nargs="*",
        metavar="CONFIG",
        help="config files to validate instead of --config (as pre-commit passes them)",
    )
    parser.add_argument(
        "--no-data",
        action="store_true",
        help="do not open metric files (only the config itself is checked)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from retrain_gate.commands.common import read_config
    from retrain_gate.config.parse import load_config
    from retrain_gate.engine.load import available_fields, check_metrics_exist

    configs = [load_config(Path(f)) for f in args.files] if args.files else [read_config(args)]
    for config in configs:
        if not args.no_data:
            for model in config.models.values():
                # An unreadable metric file is `check`'s to report; here only names matter.
                fields = available_fields(config, model.metrics) if model.metrics else set()
                if fields:
                    check_metrics_exist(config, model, fields)
                for name, source in model.sources.items():
                    fields = available_fields(config, source)
                    if fields:
                        check_metrics_exist(config, model, fields, source=name)
        models = len(config.models)
        rules = sum(len(m.rules) for m in config.models.values())
        counted = f"{_count(models, 'model')}, {_count(rules, 'rule')}"
        sys.stdout.write(f"{config.path}: valid ({counted})\n")
    return 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"

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
        help="check the config (schema, rule options, metric sources and names) without "
        "evaluating it",
        description="Validate config files: YAML, the JSON Schema, rule options, that each "
        "metric source can be read (its files, time field, time unit and layout), and that "
        "every metric a rule names exists in it. Every error is reported, one line each.",
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
    from retrain_gate.config.parse import collect_file, find_config
    from retrain_gate.errors import ConfigError, ConfigErrors

    if args.files:
        paths, root = [Path(f) for f in args.files], None
    else:
        paths = [find_config(args.config, cwd=Path.cwd())]
        root = Path(args.root).resolve() if getattr(args, "root", None) else None
    found: list[ConfigError] = []
    for path in paths:  # each file wholly: every error it has, then the next file
        config, errors = collect_file(path, root=root)
        if config is not None and not args.no_data:
            from retrain_gate.engine.probe import data_errors

            errors += data_errors(config)
        if errors:
            found += errors
            continue
        assert config is not None
        models = len(config.models)
        rules = sum(len(m.rules) for m in config.models.values())
        counted = f"{_count(models, 'model')}, {_count(rules, 'rule')}"
        sys.stdout.write(f"{config.path}: valid ({counted})\n")
    if found:
        raise ConfigErrors(found)  # one line each, then how many in each file
    return 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"

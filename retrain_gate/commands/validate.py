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
    parser.add_argument("files", nargs="*", metavar="CONFIG", help="config files (pre-commit)")
    parser.add_argument(
        "--no-data",
        action="store_true",
        help="do not open metric files (only the config itself is checked)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from retrain_gate.commands.common import read_config
    from retrain_gate.config import load_config
    from retrain_gate.load import check_metrics_exist, series_fields
    from retrain_gate.metrics import load_series

    configs = [load_config(Path(f)) for f in args.files] if args.files else [read_config(args)]
    for config in configs:
        if not args.no_data:
            for model in config.models.values():
                if model.metrics is None:
                    continue
                metrics, _ = series_fields(model)
                try:
                    series = load_series(
                        config.root,
                        model.metrics.path,
                        time_field=model.metrics.time,
                        metrics=(),
                        fmt=model.metrics.format,
                    )
                except Exception:
                    continue
                del series
                from retrain_gate.load import _available

                available = _available(config, model)
                for rule in model.rules:
                    if rule.metric and rule.metric in metrics and rule.metric not in available:
                        from retrain_gate.metrics import Series

                        check_metrics_exist(config, model, Series(model.metrics.path, (), {}, ()))
        models = len(config.models)
        rules = sum(len(m.rules) for m in config.models.values())
        print(
            f"{config.path}: valid ({models} model{'s' if models != 1 else ''}, {rules} rules)",
            file=sys.stdout,
        )
    return 0

"""`retrain-gate promote`: is the retrained candidate better than the current model?

Exit 0: promote it (then `record` it); exit 6 (EXIT_KEPT_OLD): keep the current model;
exit 3: a value the rules compare is missing. The retraining workflow runs it after training.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from retrain_gate.commands.common import add_config_options, read_config
from retrain_gate.errors import EXIT_DATA, EXIT_KEPT_OLD, ConfigError
from retrain_gate.model import Config, ModelConfig


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "promote",
        help="compare a retrained candidate with the current model card (promotion: rules)",
        description="Compare the candidate's evaluation (any metric file format the gate "
        "reads) with the model's current card by the model's `promotion:` rules. Exit 0: "
        "promote it; exit 6: keep the current model; exit 3: a compared value is missing.",
    )
    add_config_options(parser)
    parser.add_argument("--model", required=True, metavar="NAME", help="the model (its name)")
    parser.add_argument(
        "--candidate",
        required=True,
        metavar="PATH",
        help="the candidate's evaluation output (JSON, YAML, CSV or JSONL; the last record)",
    )
    parser.add_argument(
        "--github",
        action="store_true",
        help="also write the table to the job summary and `promoted` to the step outputs "
        "(on by default when GITHUB_ACTIONS=true)",
    )
    parser.add_argument(
        "--summary-file", metavar="PATH", help="also write the Markdown table to this file"
    )
    parser.set_defaults(run=run)


def model_of(config: Config, name: str) -> ModelConfig:
    """The model named on the command line (an unknown name is a config error)."""
    from retrain_gate.engine.gate import select_models

    (model,) = select_models(config, [name])
    return model


def run(args: argparse.Namespace) -> int:
    from retrain_gate.engine.promote import judge
    from retrain_gate.report.github import github_wanted, write_file, write_outputs, write_summary
    from retrain_gate.report.promotion import promotion_markdown, promotion_text
    from retrain_gate.sources.card import load_baseline
    from retrain_gate.sources.card_write import read_evaluation

    config = read_config(args)
    model = model_of(config, args.model)
    if model.baseline is None:
        raise ConfigError(
            f"model {model.name!r} has no `baseline:` (the model card to compare with)",
            file=config.path,
            line=model.line,
        )
    candidate = read_evaluation(Path(args.candidate), display=args.candidate)
    current = None
    if (config.root / model.baseline).exists():
        current = load_baseline(config.root, model.baseline, time=model.card_time)
    promotion = judge(model, current, candidate)
    markdown = promotion_markdown(promotion, candidate=args.candidate)
    if args.summary_file:
        write_file(Path(args.summary_file), markdown, what="the promotion summary")
    if github_wanted(args.github, os.environ):
        if output := os.environ.get("GITHUB_OUTPUT"):
            outputs = {
                "promoted": "true" if promotion.promoted else "false",
                "reason": promotion.summary.replace("\n", " "),
            }
            write_outputs(Path(output), outputs)
        if summary := os.environ.get("GITHUB_STEP_SUMMARY"):
            write_summary(Path(summary), markdown, full_report=args.summary_file or "the log")
    sys.stdout.write(promotion_text(promotion))
    sys.stdout.flush()
    if promotion.errors:
        return EXIT_DATA
    return 0 if promotion.promoted else EXIT_KEPT_OLD

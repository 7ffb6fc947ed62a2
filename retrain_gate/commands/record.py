"""`retrain-gate record`: write the model card after a retrain, so that the gate's next run
sees the new model (its version, training time, rows and metrics), or sees that the last
retrain kept the old model or failed.

    record --model churn --metrics eval.json           # promoted: the new version
    record --model churn --metrics eval.json --result kept_old
    record --model churn --result failed --reason "training ran out of memory"
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from retrain_gate.commands.common import add_config_options, now_or_current, parse_now, read_config
from retrain_gate.errors import ConfigError, UsageError


def _trained_at(text: str) -> datetime:
    from retrain_gate.errors import DataError
    from retrain_gate.sources.card_write import trained_at_option

    try:
        return trained_at_option(text)
    except DataError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _rows(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is negative")
    return value


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "record",
        help="write the model card after a retrain (new version, or the attempt's result)",
        description="Write the model's card (its `baseline:` file) after a retrain. With "
        "--result promoted (the default): the new version (version + 1, trained_at, rows and "
        "metrics from the evaluation output), the current one kept as `previous`. With "
        "kept_old or failed: only `last_attempt`, so that the gate's next run says so.",
    )
    add_config_options(parser)
    parser.add_argument("--model", required=True, metavar="NAME", help="the model (its name)")
    parser.add_argument(
        "--metrics",
        metavar="PATH",
        help="the training run's evaluation output (JSON, YAML, CSV or JSONL; the last record)",
    )
    parser.add_argument(
        "--result",
        choices=("promoted", "kept_old", "failed"),
        default="promoted",
        help="how the retrain ended (default promoted)",
    )
    parser.add_argument(
        "--trained-at",
        type=_trained_at,
        metavar="TIME",
        help="when the new model was trained (default: now)",
    )
    parser.add_argument(
        "--rows", type=_rows, metavar="N", help="training rows (default: `rows` of --metrics)"
    )
    parser.add_argument("--reason", metavar="TEXT", help="why (kept_old, failed)")
    parser.add_argument("--gate-run", metavar="URL", help="the gate run that asked for the retrain")
    parser.add_argument(
        "--github",
        action="store_true",
        help="also write the step outputs card (its path), result and version "
        "(on by default when GITHUB_ACTIONS=true)",
    )
    parser.add_argument(
        "--now", type=parse_now, metavar="TIME", help="the time of recording (default: now)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from retrain_gate.commands.promote import model_of
    from retrain_gate.engine.promote import judge
    from retrain_gate.sources.card import card_from_data, read_card_data
    from retrain_gate.sources.card_write import (
        attempt_card,
        changes,
        promoted_card,
        read_evaluation,
        write_card,
    )
    from retrain_gate.sources.files import _format_of, resolve_inside

    config = read_config(args)
    model = model_of(config, args.model)
    if model.baseline is None:
        raise ConfigError(
            f"model {model.name!r} has no `baseline:` (the model card to record)",
            file=config.path,
            line=model.line,
        )
    now = now_or_current(args.now)
    if args.result != "failed" and not args.metrics:
        raise UsageError(f"--result {args.result} needs --metrics (the evaluation output)")
    evaluation = read_evaluation(Path(args.metrics), display=args.metrics) if args.metrics else None
    path = resolve_inside(config.root, model.baseline, what="model card", file=config.path)
    current = None
    fmt = _format_of(path, "auto", display=model.baseline)
    if path.exists():
        path, fmt, current = read_card_data(config.root, model.baseline)
    if args.result == "promoted":
        assert evaluation is not None
        card = promoted_card(
            current,
            evaluation,
            source=model.baseline,
            trained_at=args.trained_at or now,
            rows=args.rows,
            now=now,
            gate_run=args.gate_run,
        )
    else:
        if current is None:
            raise UsageError(
                f"--result {args.result}: there is no model card {model.baseline} to note it in"
            )
        reason = args.reason or ""
        if not reason and evaluation is not None:  # the promotion rules say why
            card_now = card_from_data(current, source=model.baseline)
            reason = judge(model, card_now, evaluation).summary
        card = attempt_card(
            current,
            args.result,
            source=model.baseline,
            now=now,
            reason=reason,
            evaluation=evaluation,
            gate_run=args.gate_run,
        )
    write_card(path, card, fmt=fmt)
    from retrain_gate.report.github import github_wanted, write_outputs

    if github_wanted(args.github, os.environ) and (output := os.environ.get("GITHUB_OUTPUT")):
        outputs = {
            "card": model.baseline,
            "result": args.result,
            "version": str(card.get("version", 1)),
        }
        write_outputs(Path(output), outputs)
    what = f"version {card['version']}" if args.result == "promoted" else args.result
    print(f"recorded {model.name} {what} in {model.baseline}")
    for line in changes(current, card):
        print(f"  {line}")
    sys.stdout.flush()
    return 0

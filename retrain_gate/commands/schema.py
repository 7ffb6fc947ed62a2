"""`retrain-gate schema`: print the config's JSON Schema (for editors' autocompletion)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of the config",
        description="Print the JSON Schema of retrain-gate.yml, for editors to autocomplete it.",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from retrain_gate.config.schema import build_schema

    sys.stdout.write(json.dumps(build_schema(), indent=2) + "\n")
    return 0

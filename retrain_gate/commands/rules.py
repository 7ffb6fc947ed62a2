"""`retrain-gate rules`: the trigger and check kinds, with their options and documentation."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "rules",
        help="list the trigger and check kinds with their documentation",
        description="List every trigger and check kind: the keys that select it, its options, "
        "and what it does.",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from retrain_gate.kinds import CHECKS, TRIGGERS

    out = []
    for title, registry in (("Triggers", TRIGGERS), ("Checks", CHECKS)):
        out.append(f"{title}\n")
        for kind in registry.values():
            keys = " | ".join(f"{k}:" for k in kind.keys)
            options = ", ".join(o for o in kind.options if o not in ("name", "kind", "description"))
            out.append(f"  {kind.name} ({keys})\n    options: {options}\n")
            out.extend(f"    {line}\n" if line else "\n" for line in kind.doc.splitlines())
            out.append("\n")
    sys.stdout.write("".join(out))
    return 0

"""The config: `retrain-gate.yml` loaded safely, validated, and built into `model.Config`.

The public face: `load_config`, `parse_config`, `find_config`, `repository_root`,
`build_schema`, `locate`.
"""

from __future__ import annotations

from retrain_gate.config.parse import (
    CONFIG_NAMES,
    find_config,
    load_config,
    parse_config,
    repository_root,
)
from retrain_gate.config.positions import locate
from retrain_gate.config.schema import SCHEMA_ID, build_schema

__all__ = [
    "CONFIG_NAMES",
    "SCHEMA_ID",
    "build_schema",
    "find_config",
    "load_config",
    "locate",
    "parse_config",
    "repository_root",
]

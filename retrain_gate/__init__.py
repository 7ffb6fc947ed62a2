"""retrain-gate: decide, every day and in CI, whether a model must be retrained."""

from __future__ import annotations

__version__ = "0.1.0"

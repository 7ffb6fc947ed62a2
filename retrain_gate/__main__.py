from __future__ import annotations

from retrain_gate.cli import main

raise SystemExit(main())

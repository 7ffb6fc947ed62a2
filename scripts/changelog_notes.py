"""Print one version's section of CHANGELOG.md (the release notes), or exit 1 if it has none.

python scripts/changelog_notes.py 0.1.0
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

CHANGELOG = Path(__file__).resolve().parent.parent / "CHANGELOG.md"


def notes(version: str, text: str) -> str | None:
    """The body under `## [version] - date`, up to the next `## ` heading or the links."""
    heading = re.compile(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", re.MULTILINE)
    found = heading.search(text)
    if found is None:
        return None
    rest = text[found.end() :]
    end = re.search(r"^(## |\[[^\]]+\]: )", rest, re.MULTILINE)
    body = (rest[: end.start()] if end else rest).strip()
    return body or None


def main(argv: list[str]) -> int:
    [version] = argv
    body = notes(version, CHANGELOG.read_text(encoding="utf-8"))
    if body is None:
        print(f"CHANGELOG.md has no dated section '## [{version}] - YYYY-MM-DD'", file=sys.stderr)
        return 1
    print(body)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Releasing: the version in one place, the changelog, and the release workflow."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from retrain_gate import __version__

ROOT = Path(__file__).resolve().parent.parent
# the copies of the version a user reads as an example pin, each checked against __version__
PINNED = re.compile(r"retrain-gate(?:==| )v?(\d+\.\d+\.\d+[\w.+-]*)|rev: v(\d+\.\d+\.\d+[\w.+-]*)")


def tracked(*patterns: str) -> list[Path]:
    names = subprocess.run(
        ["git", "ls-files", *patterns], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [ROOT / name for name in names]


def test_the_version_is_written_once_in_the_package() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject
    assert 'version = { attr = "retrain_gate.__version__" }' in pyproject
    literal = [
        path
        for path in tracked("retrain_gate/*.py", "retrain_gate/**/*.py")
        if f'"{__version__}"' in path.read_text(encoding="utf-8")
    ]
    assert literal == [ROOT / "retrain_gate" / "__init__.py"]


def test_every_example_pin_of_the_version_is_the_version() -> None:
    found = {}
    for path in tracked(".pre-commit-hooks.yaml", "examples/workflows/*.yml", "docs/*.md"):
        for match in PINNED.finditer(path.read_text(encoding="utf-8")):
            found[f"{path.relative_to(ROOT)}: {match.group(0)}"] = match.group(1) or match.group(2)
    assert found, "no example pins found: the pattern is out of date"
    assert {where: v for where, v in found.items() if v != __version__} == {}


def test_the_changelog_keeps_a_changelog_with_the_version_released() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n")
    assert "[Keep a Changelog](https://keepachangelog.com/en/1.1.0/)" in text
    sections = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", text, re.MULTILINE)
    assert sections[0] == ("Unreleased", "")
    assert sections[1][0] == __version__ and sections[1][1]
    for name, _ in sections:
        assert re.search(rf"^\[{re.escape(name)}\]: https://github\.com/\S+$", text, re.MULTILINE)
    headings = set(re.findall(r"^### (\w+)$", text, re.MULTILINE))
    assert headings <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}

"""Releasing: the version in one place, the changelog, and the release workflow."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

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


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


RELEASE = ROOT / ".github" / "workflows" / "release.yml"
PINNED_USES = re.compile(r"^(actions/[\w-]+)@([0-9a-f]{40})$")


def test_the_release_workflow_runs_on_version_tags_with_least_privilege() -> None:
    workflow = load(RELEASE)
    trigger = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert trigger == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+"]}}  # never the moved `v1`
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert list(jobs) == ["build", "pypi", "github"]
    assert jobs["build"]["permissions"] == {"contents": "read"}
    # only the publishing job can get an OIDC token, and it runs none of the build's code
    assert jobs["pypi"]["permissions"] == {"id-token": "write", "actions": "read"}
    assert jobs["pypi"]["environment"]["name"] == "pypi"
    assert jobs["github"]["permissions"] == {"contents": "write", "actions": "read"}
    assert [n for n, job in jobs.items() if "id-token" in job["permissions"]] == ["pypi"]


def test_the_release_workflow_builds_with_the_checked_script_and_publishes_without_a_token() -> (
    None
):
    workflow = load(RELEASE)
    text = RELEASE.read_text(encoding="utf-8")
    steps = {name: job["steps"] for name, job in workflow["jobs"].items()}
    runs = {name: "\n".join(s.get("run", "") for s in job) for name, job in steps.items()}
    assert 'scripts/release-check.sh dist "$TAG"' in runs["build"]
    assert "uv publish --trusted-publishing always dist/*" in runs["pypi"]
    assert 'python -m pip install "uv==$UV_VERSION"' in runs["pypi"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", workflow["env"]["UV_VERSION"])
    assert "scripts/changelog_notes.py" in runs["github"]
    assert "gh release create" in runs["github"]
    assert "git/refs/tags/$major" in runs["github"]
    assert "secrets." not in text and "password" not in text.lower()
    # the files published are the files checked: their hashes travel with the build's output
    for job in ("pypi", "github"):
        assert 'sha256sum --check --strict <<< "$SHA256"' in runs[job]
    # every action pinned by SHA, with its tag beside it, and no `${{ }}` inside a script
    for job in steps.values():
        for step in job:
            if "uses" in step:
                assert PINNED_USES.match(step["uses"]), step["uses"]
                assert re.search(re.escape(step["uses"]) + r" # v\d+\.\d+\.\d+\n", text)
            else:
                assert "${{" not in step["run"]
            assert step.get("with", {}).get("persist-credentials", False) is False
            assert "cache" not in step.get("with", {})  # nothing restored into a release


def test_the_actions_are_pinned_to_the_same_commits_in_every_workflow() -> None:
    pins: dict[str, set[str]] = {}
    for path in [
        *tracked(".github/workflows/*.yml", "examples/workflows/*.yml"),
        ROOT / "action.yml",
    ]:
        for name, sha in re.findall(
            r"uses: (actions/[\w-]+)@([0-9a-f]{40})", path.read_text("utf-8")
        ):
            pins.setdefault(name, set()).add(sha)
    assert pins and all(len(shas) == 1 for shas in pins.values()), pins


def test_ci_runs_the_release_check_as_a_dry_run() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'bash scripts/release-check.sh "$release_out/dist"' in ci
    script = (ROOT / "scripts" / "release-check.sh").read_text(encoding="utf-8")
    for step in ("python -m build", "twine check --strict", "-m venv", "--version"):
        assert step in script, step
    assert "check --config examples/retrain-gate.yml --now 2026-11-28" in script
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "retrain-gate check --config examples/retrain-gate.yml --now 2026-11-28" in readme


def test_the_release_notes_are_the_changelog_section_of_the_version() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "changelog_notes.py"), __version__],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.startswith("The first release.\n\n### Added\n")
    assert "## [" not in done.stdout and "[Unreleased]" not in done.stdout
    missing = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "changelog_notes.py"), "9.9.9"],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 1
    assert "no dated section '## [9.9.9] - YYYY-MM-DD'" in missing.stderr

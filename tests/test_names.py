"""One name for the project on GitHub, `retrain-gate/retrain-gate`, in every file a user copies
or a tool reads: the action's `uses:` lines, the pre-commit hook, the schema's `$id` and the
README's `$schema` line (a raw URL of the tagged file), the SchemaStore entry, the package's
URLs."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import yaml

from retrain_gate.config.schema import REPOSITORY, SCHEMA_ID, SCHEMA_PATH

ROOT = Path(__file__).resolve().parent.parent
# every way a file can name the repository: a URL, a `uses:` line, a checkout's `repository:`
NAMED = re.compile(
    r"(?:github\.com/|raw\.githubusercontent\.com/|uses:\s*|RETRAIN_GATE_REPOSITORY:\s*)"
    r"([\w.-]+/retrain-gate)(?![\w.-])"
)


def tracked_text_files() -> list[Path]:
    names = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    files = []
    for name in names:
        if name.startswith("tests/cases/") or name.endswith(("package-lock.json", ".csv")):
            continue
        try:
            files.append((ROOT / name, (ROOT / name).read_text(encoding="utf-8")))
        except (UnicodeDecodeError, FileNotFoundError):
            continue
    return [path for path, text in files if "retrain-gate" in text]


def test_every_file_names_the_repository_the_same_way() -> None:
    found: dict[str, set[str]] = {}
    for path in tracked_text_files():
        for name in NAMED.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    assert set(found) == {REPOSITORY}, found
    # the ones a user copies all say it
    for name in (
        "README.md",
        ".pre-commit-hooks.yaml",
        "pyproject.toml",
        "schema/retrain-gate.schema.json",
        "docs/schemastore-catalog.json",
        "examples/workflows/retrain-gate.yml",
        "examples/workflows/pr-check.yml",
        "examples/workflows/fanout.yml",
    ):
        assert name in found[REPOSITORY], name
    # the placeholder name the README once used is gone (this file aside, which names it)
    placeholder = "your" + "-org"
    assert [p for p in tracked_text_files() if placeholder in p.read_text(encoding="utf-8")] == []


def test_the_schema_url_is_the_committed_file_at_the_major_tag() -> None:
    assert f"https://raw.githubusercontent.com/{REPOSITORY}/v1/{SCHEMA_PATH}" == SCHEMA_ID
    committed = json.loads((ROOT / SCHEMA_PATH).read_text(encoding="utf-8"))
    assert committed["$id"] == SCHEMA_ID
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.findall(r"# yaml-language-server: \$schema=(https:\S+)", readme) == [SCHEMA_ID]


def test_the_schemastore_entry_is_ready_to_submit() -> None:
    entry = json.loads((ROOT / "docs" / "schemastore-catalog.json").read_text(encoding="utf-8"))
    assert set(entry) == {"name", "description", "fileMatch", "url"}
    assert entry["url"] == SCHEMA_ID
    assert entry["name"] == "retrain-gate" and entry["description"]
    assert "retrain-gate.yml" in entry["fileMatch"]


def test_the_pre_commit_hook_and_the_action_say_the_same_name() -> None:
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert f"- repo: https://github.com/{REPOSITORY}\n" in hooks
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    uses = re.findall(r"uses: ([\w.-]+/[\w.-]+)@", readme)
    assert {u for u in uses if not u.startswith("actions/")} == {REPOSITORY}
    for name in ("retrain-gate.yml", "pr-check.yml"):
        workflow = yaml.safe_load((ROOT / "examples" / "workflows" / name).read_text("utf-8"))
        steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
        gate = next(s for s in steps if s.get("id") == "gate")
        assert gate["uses"] == f"{REPOSITORY}@v1"

"""The job summaries as people see them: GitHub's Markdown (cmark-gfm), then Mermaid, in a
real headless Chromium (tests/browser/render.py). Every chart must render, every model must
be in the overview, and no user text may become a live link or image.

Needs Debian's chromium and `npm ci` in tests/browser (CI installs both); skipped otherwise.
Screenshots are kept in tests/browser/screenshots/.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from retrain_gate.cli import main
from tests.browser import render
from tests.conftest import EXAMPLES, git

pytestmark = pytest.mark.skipif(
    render.chromium() is None or not render.MERMAID.is_file(),
    reason="needs chromium (apt-get install chromium) and mermaid (npm ci in tests/browser)",
)
MIB = 1024 * 1024
ROOT = Path(__file__).resolve().parent.parent
BENCH_MODELS = 200
# the error case: a value that is no number, on line 50 of churn's metric file
BAD_LINE = 50


def summary_of(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, command: str = "check"
) -> str:
    """Run the gate as on a runner; the job summary GitHub would show."""
    step = tmp_path / f"step-summary-{len(list(tmp_path.iterdir()))}"
    step.touch()
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step))
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "output"))
    monkeypatch.setenv("RUNNER_TEMP", str(tmp_path))
    main([command, *args, "--github"])
    return step.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """benchmarks/make_repo.py's 200 models x 1,095 days, committed in a git repository."""
    root = tmp_path_factory.mktemp("bench") / "repo"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "make_repo.py"), str(root),
         "--models", str(BENCH_MODELS), "--days", "1095", "--metrics", "10", "--seed", "1"],
        check=True, capture_output=True,
    )  # fmt: skip
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    yield root


def check_page(result: dict[str, Any], markdown: str, models: list[str]) -> None:
    """What every summary must show in the browser."""
    failed = [b for b in result["blocks"] if not b["ok"]]
    assert not failed, failed[:3]
    assert len(result["blocks"]) == markdown.count("```mermaid")
    assert [name.strip() for name in result["overview"]] == models
    # user text never became a link or an image (the run page's link is the gate's own)
    assert result["images"] == []
    assert all(re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+/actions/runs/\d+.*", h)
               for h in result["links"]), result["links"]  # fmt: skip


def look(markdown: str, tmp_path: Path, name: str, models: list[str]) -> dict[str, Any]:
    result = render.run(markdown, tmp_path, name)
    check_page(result, markdown, models)
    render.screenshot(markdown, name)
    return result


def test_the_example_renders_every_chart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    markdown = summary_of(
        ["--config", str(EXAMPLES / "retrain-gate.yml"), "--now", "2026-11-28"],
        tmp_path, monkeypatch,
    )  # fmt: skip
    result = look(markdown, tmp_path, "example", ["churn", "fraud"])
    assert len(result["blocks"]) == 5  # churn's fired rules with a series or a histogram
    render.screenshot(markdown, "example", theme="dark")


def test_a_blocked_run_renders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    markdown = summary_of(
        ["--config", str(EXAMPLES / "retrain-gate.yml"), "--now", "2026-12-05"],
        tmp_path, monkeypatch,
    )  # fmt: skip
    look(markdown, tmp_path, "blocked", ["churn", "fraud"])
    assert "| churn | ⛔ blocked | fresh-data failed, holding back " in markdown


def test_an_error_run_renders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    daily = tmp_path / "examples" / "metrics" / "churn" / "daily.csv"
    rows = daily.read_text(encoding="utf-8").splitlines()
    rows[BAD_LINE - 1] = rows[BAD_LINE - 1].replace(
        rows[BAD_LINE - 1].split(",")[1], "[x](https://e.test)", 1
    )
    daily.write_text("\n".join(rows) + "\n", encoding="utf-8")
    markdown = summary_of(
        ["--config", str(tmp_path / "examples" / "retrain-gate.yml"), "--now", "2026-11-28"],
        tmp_path, monkeypatch,
    )  # fmt: skip
    look(markdown, tmp_path, "error", ["churn", "fraud"])  # the user's link stays text
    assert "| churn | 💥 error |" in markdown


def test_a_dry_run_says_so_first_and_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/models")
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_RUN_ID", "42")
    markdown = summary_of(
        ["--config", str(EXAMPLES / "retrain-gate.yml"), "--now", "2026-11-28", "--dry-run"],
        tmp_path, monkeypatch,
    )  # fmt: skip
    first = markdown.splitlines()[0]
    assert first.startswith("## 🧪 retrain-gate DRY RUN: would RETRAIN (1 retrain, 1 skip)")
    look(markdown, tmp_path, "dry-run", ["churn", "fraud"])


def test_200_models_fit_githubs_limit_with_every_model_in_the_overview(
    bench: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(bench)
    markdown = summary_of(
        ["--config", "retrain-gate.yml", "--now", "2026-12-31"], tmp_path, monkeypatch
    )
    size = len(markdown.encode("utf-8"))
    assert size < MIB
    models = [f"model-{i:04d}" for i in range(BENCH_MODELS)]
    result = look(markdown, tmp_path, "bench-200", models)
    print(f"\n200-model summary: {size:,} bytes, {len(result['blocks'])} charts kept")


def test_the_pr_check_on_200_models_renders_with_every_model(
    bench: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = bench / "retrain-gate.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("below: 0.85", "below: 0.86"), encoding="utf-8")
    try:
        monkeypatch.chdir(bench)
        markdown = summary_of(
            ["--base", "HEAD", "--config", "retrain-gate.yml", "--now", "2026-12-31",
             "--days", "365"],
            tmp_path, monkeypatch, command="diff",
        )  # fmt: skip
    finally:
        config.write_text(text, encoding="utf-8")
    assert len(markdown.encode("utf-8")) < MIB
    verdict = next(line for line in markdown.splitlines() if line.startswith("**Decisions"))
    assert len(verdict) < 2_000 and verdict.endswith("more models: see the table.")
    models = [f"model-{i:04d}" for i in range(BENCH_MODELS)]
    look(markdown, tmp_path, "pr-check-200", models)


def test_huge_and_tiny_numbers_render(tmp_path: Path) -> None:
    # a row count in millions and a rate in millionths: `%.6g` wrote 2.25e+06, a parse error
    from retrain_gate.report.markdown import render_markdown
    from retrain_gate.results import ModelResult, Report
    from tests.test_report_mermaid import NOW, series_rule

    results = (
        ModelResult("big", "blocked", "x", checks=(series_rule([2.25e6, 2.4e6, 1.9e6], 2e6),)),
        ModelResult("tiny", "blocked", "x", checks=(series_rule([2e-5, 4e-5, 9e-5], 5e-5),)),
    )
    markdown = render_markdown(Report(NOW, "gate.yml", results))
    result = look(markdown, tmp_path, "huge-and-tiny", ["big", "tiny"])
    assert len(result["blocks"]) == 2

"""The runner's side of a report: outputs, job summary, annotations, as GitHub would read them."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from retrain_gate.cli import main
from retrain_gate.report.github import (
    SUMMARY_BUDGET,
    Annotation,
    build_annotations,
    escape_data,
    escape_property,
    fit_summary,
    format_output,
    publish,
    shield,
    write_summary,
)
from retrain_gate.report.markdown import render_markdown, sparkline
from retrain_gate.results import (
    DispatchResult,
    ModelResult,
    Outcome,
    Point,
    Problem,
    Report,
)
from tests.conftest import EXAMPLES

NOW = datetime(2026, 11, 28, tzinfo=timezone.utc)
MIB = 1024 * 1024


def parse_outputs(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT as the runner reads it: `name=value` lines, or `name<<DELIM` ... `DELIM`."""
    outputs: dict[str, str] = {}
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line:
            index += 1
            continue
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, index + 1)  # ValueError: an unterminated value
            outputs[name] = "\n".join(lines[index + 1 : end])
            index = end + 1
        else:
            name, value = line.split("=", 1)
            outputs[name] = value
            index += 1
    return outputs


def run_on_runner(
    args: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> tuple[int, dict[str, str], str, str]:
    """`retrain-gate check` with the runner's files: (exit code, outputs, summary, stdout)."""
    output = tmp_path / "github_output"
    summary = tmp_path / "step_summary"
    output.touch()
    summary.touch()
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("RUNNER_TEMP", str(tmp_path))
    code = main(["check", *args])
    stdout = capsys.readouterr().out
    return (
        code,
        parse_outputs(output.read_text(encoding="utf-8")),
        summary.read_text(encoding="utf-8"),
        stdout,
    )


def example_args() -> list[str]:
    return ["--config", str(EXAMPLES / "retrain-gate.yml"), "--now", "2026-11-28"]


# -- outputs ---------------------------------------------------------------------------------


def test_outputs_read_back_from_github_output_match_the_json_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, outputs, _, _ = run_on_runner(
        [*example_args(), "--github", "--format", "json"], tmp_path, monkeypatch, capsys
    )
    assert code == 0
    assert set(outputs) == {"decision", "retrain", "reasons", "report", "summary", "models"}
    report = json.loads(Path(outputs["report"]).read_text(encoding="utf-8"))
    assert outputs["decision"] == report["decision"] == "retrain"
    assert outputs["retrain"] == "true"
    assert "\n" not in outputs["reasons"]
    assert outputs["reasons"] == "; ".join(
        f"{m['model']}: {m['decision']} ({m['summary']})" for m in report["models"]
    )
    assert outputs["reasons"].startswith("churn: retrain (accuracy-floor, accuracy-drop,")
    assert "fraud: skip (no trigger fired" in outputs["reasons"]
    models = json.loads(outputs["models"])
    assert [(m["model"], m["decision"]) for m in models] == [
        (m["model"], m["decision"]) for m in report["models"]
    ]
    assert (
        Path(outputs["summary"])
        .read_text(encoding="utf-8")
        .startswith("## 🔁 retrain-gate: RETRAIN")
    )
    # the files live in a fresh folder under RUNNER_TEMP
    assert Path(outputs["report"]).parent.parent == tmp_path


def test_github_actions_true_turns_the_runner_side_on_without_the_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    _, outputs, summary, stdout = run_on_runner(example_args(), tmp_path, monkeypatch, capsys)
    assert outputs["decision"] == "retrain"
    assert summary.startswith("## 🔁 retrain-gate: RETRAIN")
    assert "::warning file=" in stdout


def test_off_a_runner_only_the_asked_files_are_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    markdown = tmp_path / "out" / "summary.md"
    report = tmp_path / "out" / "report.json"
    code, outputs, summary, stdout = run_on_runner(
        [*example_args(), "--summary-file", str(markdown), "--json-report", str(report)],
        tmp_path,
        monkeypatch,
        capsys,
    )
    assert code == 0
    assert outputs == {} and summary == ""  # no --github, no GITHUB_ACTIONS: not a runner
    assert "::" not in stdout
    assert markdown.read_text(encoding="utf-8").startswith("## 🔁 retrain-gate: RETRAIN")
    assert json.loads(report.read_text(encoding="utf-8"))["decision"] == "retrain"


def test_a_value_holding_the_delimiter_or_new_lines_reads_back_whole() -> None:
    value = "line one\nEOF\nghadelimiter_abc\nname<<EOF\n"
    text = format_output("reasons", value, delimiter="EOF")  # EOF is in the value: replaced
    delimiter = text.split("\n", 1)[0].split("<<", 1)[1]
    assert delimiter != "EOF" and delimiter not in value
    assert re.fullmatch(r"ghadelimiter_[0-9a-f]{32}", delimiter)
    assert parse_outputs(text + format_output("next", "x")) == {"reasons": value, "next": "x"}


def test_user_text_in_outputs_cannot_forge_another_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    evil = ModelResult(
        "m", "skip", "quiet\ndecision=retrain\nretrain<<X\ntrue\nX", triggers=(quiet("r"),)
    )
    output = tmp_path / "out"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    publish(
        Report(NOW, "gate.yml", (evil,)),
        github=True,
        summary_file=str(tmp_path / "s.md"),
        json_report=str(tmp_path / "r.json"),
    )
    outputs = parse_outputs(output.read_text(encoding="utf-8"))
    assert outputs["decision"] == "skip"
    assert outputs["retrain"] == "false"
    assert outputs["reasons"] == "m: skip (quiet decision=retrain retrain<<X true X)"


def test_run_url_is_an_output_only_when_a_run_was_dispatched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "https://github.com/o/r/actions/runs/9001"
    dispatched = DispatchResult("dispatched", "started retrain.yml", run_url=url, run_id=9001)
    dry = DispatchResult("dry-run", "would start retrain.yml")
    output = tmp_path / "out"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    results = (
        ModelResult("a", "retrain", "r fired", triggers=(fired("r"),), dispatch=dispatched),
        ModelResult("b", "retrain", "r fired", triggers=(fired("r"),), dispatch=dry),
    )
    publish(Report(NOW, "gate.yml", results), github=True, summary_file=None, json_report=None)
    outputs = parse_outputs(output.read_text(encoding="utf-8"))
    assert outputs["run-url"] == url
    assert [(m["model"], m["dispatch"], m["run_url"]) for m in json.loads(outputs["models"])] == [
        ("a", "dispatched", url),
        ("b", "dry-run", None),
    ]
    output.write_text("", encoding="utf-8")
    publish(Report(NOW, "gate.yml", results[1:]), github=True, summary_file=None, json_report=None)
    assert "run-url" not in parse_outputs(output.read_text(encoding="utf-8"))


# -- the Markdown report ---------------------------------------------------------------------


def test_summary_starts_with_the_decision_then_table_then_charts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, outputs, summary, _ = run_on_runner(
        [*example_args(), "--github"], tmp_path, monkeypatch, capsys
    )
    assert summary == Path(outputs["summary"]).read_text(encoding="utf-8")
    lines = summary.splitlines()
    assert lines[0] == "## 🔁 retrain-gate: RETRAIN (1 retrain, 1 skip)"
    churn = lines.index(
        "### 🔁 **churn: RETRAIN**: accuracy-floor, accuracy-drop, more-data, stale-model, "
        "feature-drift, accuracy-anomaly fired; all 5 checks passed"
    )
    table = lines.index("| rule | kind | observed | threshold | status | reason |", churn)
    assert lines[table + 2].startswith(
        "| accuracy-floor | trigger · threshold | 0.858 | &lt; 0.87 | 🔥 fired |"
    )
    details = lines.index(
        "<details><summary>📈 churn: recent values against the threshold (5 rules)</summary>"
    )
    assert table < details
    # the text fallback: the series and its threshold on one scale, with the words beside
    spark = next(line for line in lines[details:] if line.startswith("accuracy   "))
    assert re.fullmatch(
        r"accuracy   [▁▂▃▄▅▆▇█]{30}  min 0\.858 · max 0\.9044 · latest 0\.858", spark
    )
    limit = lines[lines.index(spark) + 1]
    assert re.fullmatch(r"threshold  ([▁▂▃▄▅▆▇█])\1{29}  0\.87: fires when < 0\.87", limit)
    # the Mermaid picture beside it: the series and a flat threshold line
    mermaid = lines.index("```mermaid", details)
    assert lines[mermaid + 1] == "xychart-beta"
    assert lines[mermaid + 2] == '    title "accuracy-floor: accuracy vs 0.87"'
    assert lines[mermaid + 6] == "    line [" + ", ".join(["0.87"] * 30) + "]"
    assert summary.count("<details>") == summary.count("</details>") == 2  # churn and fraud


def test_sparkline_spans_low_to_high_and_leaves_gaps_blank() -> None:
    assert sparkline([0, 1, 2, 3, 4, 5, 6, 7], low=0, high=7) == "▁▂▃▄▅▆▇█"
    assert sparkline([1.0, None, 3.0, float("nan")], low=1, high=3) == "▁ █ "
    assert sparkline([5, 5], low=5, high=5) == "▄▄"


def test_user_text_is_escaped_in_the_table_and_the_chart() -> None:
    outcome = Outcome(
        name='acc|<img src=x onerror=alert(1)>"',
        kind="threshold",
        role="trigger",
        status="fired",
        observed=0.5,
        threshold="< 0.87",
        reason="line one\nline two | `code`",
        metric='acc"`uracy',
        recent=tuple(Point(NOW - timedelta(days=3 - i), v) for i, v in enumerate([0.9, 0.8, 0.5])),
        limit=0.87,
    )
    result = ModelResult("m<b>", "retrain", "fired", triggers=(outcome,))
    markdown = render_markdown(Report(NOW, "gate.yml", (result,)))
    assert "<img" not in markdown and "<b>" not in markdown
    assert '| acc\\|&lt;img src=x onerror=alert(1)&gt;" |' in markdown
    assert "line one line two \\| `code`" in markdown
    assert '    title "acc__img src=x onerror=alert(1)__: acc__uracy vs 0.87"' in markdown
    assert "```text\nacc''uracy  █▆▁  min 0.5" in markdown  # no backtick can close the fence


# -- trimming to GitHub's limit --------------------------------------------------------------


def huge_report(*, models: int = 3, rules: int = 40, reason_chars: int = 20_000) -> Report:
    results = []
    for m in range(models):
        triggers = tuple(
            Outcome(
                name=f"rule-{r}",
                kind="threshold",
                role="trigger",
                status="fired",
                observed=0.5,
                threshold="< 0.87",
                reason=f"reason {m}.{r} " + "é" * reason_chars,
                metric="accuracy",
                recent=tuple(Point(NOW - timedelta(days=30 - i), 0.9 - i / 100) for i in range(30)),
                limit=0.87,
            )
            for r in range(rules)
        )
        results.append(ModelResult(f"model-{m}", "retrain", "all fired", triggers=triggers))
    return Report(NOW, "gate.yml", tuple(results))


def test_a_huge_report_is_trimmed_under_the_limit_with_a_note(tmp_path: Path) -> None:
    markdown = render_markdown(huge_report())
    assert len(markdown.encode("utf-8")) > 4 * MIB  # é is two bytes
    summary = tmp_path / "step_summary"
    write_summary(summary, markdown, full_report="/runner/temp/summary.md")
    size = summary.stat().st_size
    assert SUMMARY_BUDGET - 100 < size <= SUMMARY_BUDGET < MIB
    text = summary.read_text(encoding="utf-8")
    assert text.splitlines()[0] == markdown.splitlines()[0]  # the decision line survives
    assert text.count("```") % 2 == 0  # no code fence left open
    assert text.count("<details>") == text.count("</details>")
    body, note = text.split("\n> [!WARNING]\n")
    assert "trimmed to fit GitHub's 1 MiB limit" in note
    assert "The full report is in `/runner/temp/summary.md` on the runner" in note
    stop, total = re.search(r"it stops at line ([\d,]+) of ([\d,]+)", note).groups()  # type: ignore[union-attr]
    original = markdown.splitlines()
    assert int(total.replace(",", "")) == len(original)
    # kept: the report's first lines, the last one cut short (a huge reason), nothing after
    kept = body.splitlines()[: int(stop.replace(",", ""))]
    assert kept[:-1] == original[: len(kept) - 1]
    assert kept[-1].endswith(" …") and original[len(kept) - 1].startswith(kept[-1][:-2])


def test_a_report_that_fits_is_left_as_it_is() -> None:
    markdown = render_markdown(huge_report(models=1, rules=2, reason_chars=10))
    assert fit_summary(markdown, budget=SUMMARY_BUDGET, full_report="x") == markdown


def test_the_budget_counts_what_the_step_summary_already_holds(tmp_path: Path) -> None:
    summary = tmp_path / "step_summary"
    summary.write_text("x" * 600_000, encoding="utf-8")
    write_summary(summary, render_markdown(huge_report()), full_report="/tmp/s.md")
    assert 600_000 < summary.stat().st_size <= SUMMARY_BUDGET


def test_trimming_closes_an_open_code_fence_and_details_block() -> None:
    markdown = "# decision\n\n<details><summary>s</summary>\n\n```text\n" + "a line\n" * 1000
    trimmed = fit_summary(markdown, budget=2_000, full_report="/tmp/s.md")
    assert len(trimmed.encode("utf-8")) <= 2_000
    body, note = trimmed.split("\n> [!WARNING]")
    assert body.endswith("a line\n```\n</details>\n")
    assert "it stops at line 237 of 1,005" in note


# -- annotations -----------------------------------------------------------------------------


def fired(name: str, **extra: object) -> Outcome:
    return Outcome(name, "threshold", "trigger", "fired", 0.5, "< 0.87", f"{name} fired", **extra)  # type: ignore[arg-type]


def quiet(name: str) -> Outcome:
    return Outcome(name, "threshold", "trigger", "quiet", 0.9, "< 0.87", f"{name} quiet")


def failed(name: str, *, severity: str = "error") -> Outcome:
    return Outcome(
        name,
        "range",
        "check",
        "failed" if severity == "error" else "warned",
        5,
        ">= 1,000",
        f"{name} failed",
        severity=severity,  # type: ignore[arg-type]
    )


def test_annotation_messages_and_properties_are_escaped() -> None:
    annotation = Annotation(
        "warning",
        "100% worse\r\nsecond: line, with commas",
        title="retrain-gate: a,b",
        file="dir:x/gate,1.yml",
        line=7,
    )
    assert annotation.command() == (
        "::warning file=dir%3Ax/gate%2C1.yml,line=7,title=retrain-gate%3A a%2Cb"
        "::100%25 worse%0D%0Asecond: line, with commas"
    )
    assert escape_data("%\r\n") == "%25%0D%0A"
    assert escape_property("%\r\n:,") == "%25%0D%0A%3A%2C"


def test_fired_triggers_warn_and_failed_checks_error_at_their_config_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(EXAMPLES.parent)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(EXAMPLES.parent))
    _, _, summary, stdout = run_on_runner(
        ["--config", "examples/retrain-gate.yml", "--now", "2026-12-05", "--github"],
        tmp_path,
        monkeypatch,
        capsys,
    )
    # the summary says why first: the veto, then the triggers it held back
    assert summary.startswith("## ⛔ retrain-gate: BLOCKED (1 blocked, 1 skip)\n")
    why = [line for line in summary.splitlines() if line.startswith("- ")]
    assert why[0].startswith("- ❌ **fresh-data** (failed): newest observation 2026-11-27 is ")
    assert why[1].startswith("- 🔥 **accuracy-floor** (fired): accuracy 0.862, 0.858 &lt; 0.87")
    commands = [line for line in stdout.splitlines() if line.startswith("::")]
    # a week later the data is stale: fresh-data (config line 35) vetoes churn's retrain
    veto = commands[0]
    assert veto.startswith(
        "::error file=examples/retrain-gate.yml,line=35,title=retrain-gate%3A churn/fresh-data "
        "failed::newest observation 2026-11-27 is "
    )
    assert veto.endswith("older than 2d")
    warning = next(c for c in commands if "churn/accuracy-floor" in c)
    assert warning.startswith(
        "::warning file=examples/retrain-gate.yml,line=19,title=retrain-gate%3A "
        "churn/accuracy-floor fired::accuracy 0.862, 0.858 < 0.87"
    )
    # the report itself is printed with workflow commands paused
    stop = next(i for i, c in enumerate(stdout.splitlines()) if c.startswith("::stop-commands::"))
    assert all(not c.startswith(("::warning", "::error")) for c in stdout.splitlines()[stop:])


def test_at_most_ten_annotations_per_level_the_tenth_counting_the_rest() -> None:
    triggers = tuple(fired(f"t{i}", file="gate.yml", line=i) for i in range(25))
    checks = (*(failed(f"c{i}") for i in range(11)), failed("w", severity="warn"))
    problems = (Problem("cannot read metrics.csv", 3, file="metrics.csv", line=4),)
    result = ModelResult("m", "error", "x", triggers=triggers, checks=checks, problems=problems)
    annotations = build_annotations(Report(NOW, "gate.yml", (result,)), environ={})
    errors = [a for a in annotations if a.level == "error"]
    warnings = [a for a in annotations if a.level == "warning"]
    assert len(errors) == len(warnings) == 10
    # the file problem first, then the vetoes in config order, then the count of the rest
    assert errors[0].message == "cannot read metrics.csv" and errors[0].file == "metrics.csv"
    assert [a.message for a in errors[1:9]] == [f"c{i} failed" for i in range(8)]
    assert errors[9].message.startswith("3 more errors are listed in the job summary")
    assert [a.message for a in warnings[:9]] == [f"t{i} fired" for i in range(9)]
    # 25 fired + 1 warned check = 26 warnings; 9 shown
    assert warnings[9].message.startswith("17 more warnings are listed in the job summary")
    assert warnings[9].file is None


def test_annotation_files_are_relative_to_the_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    result = ModelResult("m", "retrain", "x", triggers=(fired("t", file="gate.yml", line=3),))
    annotations = build_annotations(
        Report(NOW, "gate.yml", (result,)), environ={"GITHUB_WORKSPACE": str(tmp_path)}
    )
    assert (annotations[0].file, annotations[0].line) == ("sub/gate.yml", 3)


def test_shield_pauses_workflow_commands_around_user_text() -> None:
    text = shield("reason: ::error::forged\n::add-mask::x")
    first, *body, last = text.splitlines()
    token = first.removeprefix("::stop-commands::")
    assert re.fullmatch(r"[0-9a-f]{32}", token)
    assert body == ["reason: ::error::forged", "::add-mask::x"]
    assert last == f"::{token}::"
    assert shield("x") != shield("x")  # a fresh token each time


def test_json_on_stdout_stays_json_and_its_annotations_go_to_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "out"))
    monkeypatch.setenv("RUNNER_TEMP", str(tmp_path))
    assert main(["check", *example_args(), "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["decision"] == "retrain"  # no command line mixed in
    assert captured.err.startswith("::warning file=")
    assert "::stop-commands::" not in captured.out + captured.err


def test_a_code_block_outlasts_backticks_in_users_text() -> None:
    from retrain_gate.report.markdown import fenced

    assert fenced('{"reasons": "a ``` b"}', info="json") == [
        "````json",
        '{"reasons": "a ``` b"}',
        "````",
    ]
    assert fenced("plain") == ["```", "plain", "```"]

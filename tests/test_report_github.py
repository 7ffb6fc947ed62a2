"""The runner's side of a report: outputs, job summary, annotations, as GitHub would read them."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from retrain_gate.cli import main
from retrain_gate.report.budget import NoteWriter, fit
from retrain_gate.report.github import (
    SUMMARY_BUDGET,
    Annotation,
    build_annotations,
    escape_data,
    escape_property,
    fit_summary,
    format_output,
    full_report_text,
    publish,
    shield,
    write_summary,
)
from retrain_gate.report.markdown import render_markdown
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


def test_summary_starts_with_the_overview_then_each_models_details(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, outputs, summary, _ = run_on_runner(
        [*example_args(), "--github"], tmp_path, monkeypatch, capsys
    )
    assert summary == Path(outputs["summary"]).read_text(encoding="utf-8")
    lines = summary.splitlines()
    assert lines[0] == "## 🔁 retrain-gate: RETRAIN (1 retrain, 1 skip)"
    # the overview: one row per model, the deciding rules and the dispatch state
    head = lines.index("| model | decision | decided by | dispatch |")
    assert lines[head + 2 : head + 4] == [
        "| churn | 🔁 retrain | accuracy-floor, accuracy-drop, more-data and 3 more fired "
        "| not requested |",
        "| fraud | ✅ skip | no trigger fired | - |",
    ]
    churn = lines.index("### 🔁 churn: RETRAIN")
    assert head < churn
    assert lines[churn + 2] == (
        "accuracy-floor, accuracy-drop, more-data, stale-model, feature-drift, "
        "accuracy-anomaly fired; all 5 checks passed"
    )
    table = lines.index("| rule | kind | observed | threshold | status | reason |", churn)
    assert lines[table + 2].startswith(
        "| accuracy-floor | trigger · threshold | 0.858 | &lt; 0.87 | 🔥 fired |"
    )
    # the words beside the chart, then the chart: the series and a flat limit line
    words = next(line for line in lines[table:] if line.startswith("**accuracy-floor**"))
    assert words == (
        "**accuracy-floor** 🔥 fired: accuracy, 30 observations, 2026-10-29 to 2026-11-27: "
        "latest 0.858, min 0.858, max 0.9044; fires when &lt; 0.87, a limit of 0.87 "
        "(red in the chart)."
    )
    mermaid = lines.index("```mermaid", lines.index(words))
    assert lines[mermaid + 1].startswith('%%{init: {"themeVariables": {"xyChart": ')
    assert lines[mermaid + 2] == "xychart-beta"
    assert lines[mermaid + 3] == '    title "accuracy-floor - blue: accuracy, red: the limit 0.87"'
    assert lines[mermaid + 7] == "    line [" + ", ".join(["0.87"] * 30) + "]"
    # a chart only where it tells something: churn's six fired triggers; none of the
    # passing checks far from their limit, none for fraud's quiet rules far from theirs
    assert summary.count("```mermaid") == 5  # stale-model has no series to draw
    assert 'title "enough-rows' not in summary and 'title "auc-floor' not in summary
    # fraud needs no attention: folded under its one line
    assert "<details><summary>✅ fraud: SKIP: no trigger fired, 3 quiet</summary>" in lines


def test_user_text_is_escaped_in_the_table_and_the_chart() -> None:
    outcome = Outcome(
        name='acc|<img src=x onerror=alert(1)>"',
        kind="threshold",
        role="trigger",
        status="fired",
        observed=0.5,
        threshold="< 0.87",
        reason="line one\nline two | `code` [x](https://e.test) ![i](y.png) www.e.test a@e.test",
        metric='acc"`uracy',
        recent=tuple(Point(NOW - timedelta(days=3 - i), v) for i, v in enumerate([0.9, 0.8, 0.5])),
        limit=0.87,
    )
    result = ModelResult("m<b>", "retrain", "fired", triggers=(outcome,))
    markdown = render_markdown(Report(NOW, "gate.yml", (result,)))
    assert "<img" not in markdown and "<b>" not in markdown
    assert '| acc\\|&lt;img src=x onerror=alert(1)&gt;" |' in markdown
    # no link, image or autolink: brackets escaped, autolinks broken by a word joiner
    assert (
        "line one line two \\| `code` \\[x\\](https\u2060://e.test) !\\[i\\](y.png) "
        "www\u2060.e.test a\u2060@e.test"
    ) in markdown
    assert (
        '    title "acc__img src=x onerror=alert(1)__ - blue: acc__uracy, red: the limit 0.87"'
        in (markdown)
    )


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


def test_a_huge_report_keeps_every_model_in_the_overview_and_names_what_went(
    tmp_path: Path,
) -> None:
    markdown = render_markdown(huge_report())
    assert len(markdown.encode("utf-8")) > 4 * MIB  # é is two bytes
    summary = tmp_path / "step_summary"
    fitted = write_summary(summary, markdown, full_report="The full report is in `/r/s.md`.")
    text = summary.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) == summary.stat().st_size <= SUMMARY_BUDGET < MIB
    assert text.splitlines()[0] == markdown.splitlines()[0]  # the decision line survives
    # every model is still in the overview, and the note (right under it) names each one
    overview = [line for line in text.splitlines() if line.startswith("| model-")]
    assert [line.split(" | ")[0] for line in overview] == ["| model-0", "| model-1", "| model-2"]
    note = text[text.index("> [!WARNING]") :]
    assert text.index("| model-2 |") < text.index("> [!WARNING]")
    assert "shortened to fit GitHub's 1 MiB limit" in note
    assert "the details of 3 models (each still in the overview above): `model-0`, " in note
    assert "The full report is in `/r/s.md`." in note
    assert fitted.models_dropped == ("model-0", "model-1", "model-2") and not fitted.cut
    assert text.count("```") % 2 == 0 and text.count("<details>") == text.count("</details>")


def many_models(count: int) -> Report:
    """Models that fired (charts), and quiet ones far from their limits (folded, no chart)."""
    results = []
    for m in range(count):
        status = "fired" if m % 2 == 0 else "quiet"
        trigger = Outcome(
            name="floor",
            kind="threshold",
            role="trigger",
            status=status,  # type: ignore[arg-type]
            observed=0.5,
            threshold="< 0.87",
            reason="accuracy 0.5 < 0.87" if status == "fired" else "accuracy 0.99 >= 0.5",
            metric="accuracy",
            recent=tuple(
                Point(NOW - timedelta(days=30 - i), 2_250_000.0 + i * 1000) for i in range(30)
            ),
            limit=2_260_000.0 if status == "fired" else 1.0,
        )
        decision = "retrain" if status == "fired" else "skip"
        results.append(ModelResult(f"model-{m}", decision, f"floor {status}", triggers=(trigger,)))  # type: ignore[arg-type]
    return Report(NOW, "gate.yml", tuple(results))


def test_near_the_budget_charts_go_first_then_folded_details_by_name() -> None:
    markdown = render_markdown(many_models(40))
    charts = markdown.count("```mermaid")
    assert charts == 20  # the fired models' charts; the folded quiet ones have none
    size = len(markdown.encode("utf-8"))
    # room for everything but a few charts: only charts go, the note counts them
    some = fit_summary(markdown, budget=size - 2_000, full_report="x")
    assert 0 < some.count("```mermaid") < charts
    assert "<details><summary>" in some and "Left out: " in some
    assert f"{charts - some.count('```mermaid')} charts (their numbers are still in words)" in some
    # less room: every chart, then the folded models' details, the last ones first
    chart_bytes = sum(
        len(block.encode("utf-8"))
        for block in re.findall(
            r"<!-- retrain-gate:chart -->.*?<!-- retrain-gate:/chart -->\n", markdown, re.S
        )
    )
    budget = size - chart_bytes - 3_000
    fitted = fit(markdown, budget=budget, note=NoteWriter(full_report="x"))
    assert fitted.markdown.count("```mermaid") == 0 and fitted.charts_dropped == charts
    assert fitted.models_dropped and all(int(m.split("-")[1]) % 2 for m in fitted.models_dropped)
    assert fitted.models_dropped[-1] == "model-39"
    names = ", ".join(f"`{m}`" for m in fitted.models_dropped)
    assert f"(each still in the overview above): {names}." in fitted.markdown
    assert len(fitted.markdown.encode("utf-8")) <= budget
    for m in range(40):  # every model still in the overview
        assert f"| model-{m} |" in fitted.markdown


def test_a_report_that_fits_is_left_as_it_is() -> None:
    markdown = render_markdown(huge_report(models=1, rules=2, reason_chars=10))
    assert fit_summary(markdown, budget=SUMMARY_BUDGET, full_report="x") == markdown


def test_the_budget_counts_what_the_step_summary_already_holds(tmp_path: Path) -> None:
    summary = tmp_path / "step_summary"
    summary.write_text("x" * 600_000, encoding="utf-8")
    write_summary(summary, render_markdown(huge_report()), full_report="/tmp/s.md")
    assert 600_000 < summary.stat().st_size <= SUMMARY_BUDGET


def test_the_last_resort_cut_closes_an_open_code_fence_and_details_block() -> None:
    # nothing marked to drop (a report of another shape): whole lines cut from the end
    markdown = "# decision\n\n<details><summary>s</summary>\n\n```text\n" + "a line\n" * 1000
    trimmed = fit_summary(markdown, budget=2_000, full_report="/tmp/s.md")
    assert len(trimmed.encode("utf-8")) <= 2_000
    body, note = trimmed.split("\n> [!WARNING]")
    assert body.endswith("a line\n```\n</details>\n")
    assert "Left out: the end of the report (lines past the limit)" in note


def test_the_note_links_the_uploaded_report_on_the_runs_page() -> None:
    environ = {
        "RETRAIN_GATE_REPORT_ARTIFACT": "retrain-gate-report",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/models",
        "GITHUB_RUN_ID": "42",
    }
    assert full_report_text("/runner/s.md", environ) == (
        "The full report is the step's `summary` output, `/runner/s.md` on the runner; it is "
        "uploaded as the artifact `retrain-gate-report` of this run ([this run's page]"
        "(https://github.com/acme/models/actions/runs/42#artifacts), under Artifacts)."
    )
    # no artifact named: no claim that there is one
    assert "deleted with the job" in full_report_text("/runner/s.md", {})
    # a forged server URL is no link
    forged = {**environ, "GITHUB_SERVER_URL": "javascript:alert(1)//"}
    assert "](" not in full_report_text("/runner/s.md", forged)


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
    lines = summary.splitlines()
    assert "| churn | ⛔ blocked | fresh-data failed, holding back accuracy-floor, " in summary
    churn = lines.index("### ⛔ churn: BLOCKED")
    assert lines[churn + 2] == (
        "**fresh-data failed**, so the retrain that accuracy-floor, accuracy-drop, more-data, "
        "stale-model, feature-drift, accuracy-anomaly asked for is held back: not retraining "
        "on bad data."
    )
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
    # a model whose details the summary had no room for: its annotations are not "listed" there
    other = ModelResult("n", "retrain", "x", triggers=(fired("u"), fired("v")))
    both = Report(NOW, "gate.yml", (result, other))
    counted = build_annotations(both, environ={}, left_out=("n",))
    assert counted[-1].message.startswith(
        "19 more warnings: 17 listed in the job summary, 2 in the full report only"
    )


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


def test_a_data_files_annotation_is_placed_from_the_workspace_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # the config in a subfolder of the checkout: its data paths are relative to that folder
    import shutil

    workspace = tmp_path / "ws"
    shutil.copytree(EXAMPLES, workspace / "examples")
    daily = workspace / "examples" / "metrics" / "churn" / "daily.csv"
    rows = daily.read_text(encoding="utf-8").splitlines()
    rows[49] = rows[49].replace(rows[49].split(",")[1], "n/a?", 1)  # file line 50
    daily.write_text("\n".join(rows) + "\n", encoding="utf-8")
    monkeypatch.chdir(workspace)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(workspace))
    _, _, summary, stdout = run_on_runner(
        ["--config", "examples/retrain-gate.yml", "--now", "2026-11-28", "--github"],
        tmp_path,
        monkeypatch,
        capsys,
    )
    errors = [line for line in stdout.splitlines() if line.startswith("::error")]
    assert errors and errors[0].startswith("::error file=examples/metrics/churn/daily.csv,line=50,")
    # said once: the rules that could not run for it are not annotated again
    assert len(errors) == 1
    # and the summary says it once too: each rule row points at the error above it
    assert summary.count("n/a?") == 2  # the overview's row and the details' error line
    assert "| as the error above |" in summary

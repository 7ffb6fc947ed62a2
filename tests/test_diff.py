"""`retrain-gate diff` on real git repositories built in a temporary folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from retrain_gate.cli import main
from tests.conftest import commit, daily_csv, git

# 10 good days, then accuracy sinks: under 0.88 from 2026-11-11, under 0.85 from 2026-11-16
ACCURACY = [0.9] * 10 + [0.87, 0.87, 0.86, 0.86, 0.85, 0.84, 0.84, 0.83, 0.83, 0.82]
METRICS = daily_csv({"accuracy": ACCURACY, "rows": [5000] * 20})

OLD_CONFIG = """\
version: 1
models:
  churn:
    metrics: {path: metrics/churn.csv, time: date}
    triggers:
      - {name: accuracy-floor, metric: accuracy, below: 0.85}
      - {name: rows-spike, metric: rows, above: 100000}
    checks:
      - {name: enough-rows, metric: rows, at_least: 1000}
"""

# the threshold raised, a rule added, a rule removed
NEW_CONFIG = """\
version: 1
models:
  churn:
    metrics: {path: metrics/churn.csv, time: date}
    triggers:
      - {name: accuracy-floor, metric: accuracy, below: 0.88}
      - {name: accuracy-mean, metric: accuracy, below: 0.86, aggregate: mean, window: 3}
    checks:
      - {name: enough-rows, metric: rows, at_least: 1000}
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository with the metric file committed; the tests add the configs."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    commit(root, {"metrics/churn.csv": METRICS}, "metrics")
    monkeypatch.chdir(root)
    return root


def run_diff(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = main(["diff", "--now", "2026-11-21", *args])
    captured = capsys.readouterr()
    out = (
        json.loads(captured.out)
        if "--format" in args and "json" in args and code in (0, 1)
        else captured.out
    )
    return code, out, captured.err


def test_threshold_raised_rule_added_rule_removed(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(repo, {"retrain-gate.yml": OLD_CONFIG}, "old rules")
    commit(repo, {"retrain-gate.yml": NEW_CONFIG}, "new rules")
    code, report, _ = run_diff(capsys, "--base", "HEAD~1", "--format", "json")
    assert code == 0
    assert report["schema_version"] == 1
    assert report["changed"] is True
    assert report["base"]["config"] == "retrain-gate.yml@HEAD~1"
    assert report["base"]["exists"] is True and report["base"]["error"] is None
    assert report["window"] == {"start": "2026-11-01", "end": "2026-11-20", "days": 20}
    [churn] = report["models"]
    assert churn["change"] == "changed"
    assert churn["rules"] == [
        {
            "role": "trigger",
            "name": "accuracy-floor",
            "change": "changed",
            "kind": {"old": "threshold", "new": "threshold"},
            "options": [{"option": "below", "old": 0.85, "new": 0.88}],
            "file": "retrain-gate.yml",
            "line": 6,
        },
        {
            "role": "trigger",
            "name": "accuracy-mean",
            "change": "added",
            "kind": {"old": None, "new": "threshold"},
            "options": [],
            "file": "retrain-gate.yml",
            "line": 7,
        },
        {
            "role": "trigger",
            "name": "rows-spike",
            "change": "removed",
            "kind": {"old": "threshold", "new": None},
            "options": [],
            "file": "retrain-gate.yml@HEAD~1",
            "line": 7,
        },
    ]
    assert churn["today"] == {"old": "retrain", "new": "retrain"}
    old, new = churn["backtest"]["old"], churn["backtest"]["new"]
    assert (old["retrain"], old["skip"], old["first_retrain"]) == (5, 15, "2026-11-16")
    assert (new["retrain"], new["skip"], new["first_retrain"]) == (10, 8, "2026-11-11")
    # the new mean of the last 3 cannot be taken on the first two days: errors
    assert new["error"] == 2
    changed = churn["backtest"]["changed_days"]
    assert [(c["day"], c["old"], c["new"]) for c in changed] == [
        ("2026-11-01", "skip", "error"),
        ("2026-11-02", "skip", "error"),
        *((f"2026-11-{d}", "skip", "retrain") for d in range(11, 16)),
    ]
    # the mean of the last 3 is under 0.86 from 2026-11-15 (0.86, 0.85, 0.84 -> 0.85)
    assert changed[-1]["new_fired"] == ["accuracy-floor", "accuracy-mean"]
    assert changed[2]["new_fired"] == ["accuracy-floor"]


def test_markdown_names_each_change(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    commit(repo, {"retrain-gate.yml": OLD_CONFIG}, "old rules")
    commit(repo, {"retrain-gate.yml": NEW_CONFIG}, "new rules")
    code, text, _ = run_diff(capsys, "--base", "HEAD~1", "--format", "markdown")
    assert code == 0
    lines = text.splitlines()
    assert "| trigger `accuracy-floor` | changed: below: 0.85 → 0.88 |" in lines
    assert "| trigger `rows-spike` | removed (threshold) |" in lines
    assert (
        "| churn | changed | retrain → retrain | 5 → 10 | 0 → 0 "
        "| 2026-11-16 → 2026-11-11 | 7 |" in lines
    )
    assert "| 2026-11-11 | skip | retrain | accuracy-floor |" in lines
    assert "| 2026-11-01 | skip | error | accuracy-mean |" in lines
    assert "new 2026-11 EE........RRRRRRRRRR" in lines


def test_terminal_and_markdown_say_when_today_is_as_check_does(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(repo, {"retrain-gate.yml": OLD_CONFIG}, "old rules")
    commit(repo, {"retrain-gate.yml": NEW_CONFIG}, "new rules")
    _, text, _ = run_diff(capsys, "--base", "HEAD~1")
    assert text.splitlines()[1] == (
        "Backtests over 2026-11-01 to 2026-11-20 (20 days); "
        "today's decisions as of 2026-11-21 00:00 UTC"
    )
    _, markdown, _ = run_diff(capsys, "--base", "HEAD~1", "--format", "markdown")
    assert (
        "Backtests over 2026-11-01 to 2026-11-20 (20 days); "
        "today's decisions as of 2026-11-21 00:00 UTC."
    ) in markdown


def test_fail_on_change_exits_1_only_when_something_changed(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(repo, {"retrain-gate.yml": OLD_CONFIG}, "old rules")
    commit(repo, {"retrain-gate.yml": NEW_CONFIG}, "new rules")
    code, _, _ = run_diff(capsys, "--base", "HEAD~1", "--fail-on-change")
    assert code == 1
    # a comment-only change: same rules, same decisions
    commit(repo, {"retrain-gate.yml": "# reviewed\n" + NEW_CONFIG}, "comment")
    code, report, _ = run_diff(capsys, "--base", "HEAD~1", "--fail-on-change", "--format", "json")
    assert code == 0
    assert report["changed"] is False
    assert report["models"][0]["change"] == "unchanged"
    assert report["models"][0]["backtest"]["changed_days"] == []


def test_invalid_config_at_head_fails_with_its_file_and_line(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(repo, {"retrain-gate.yml": OLD_CONFIG}, "old rules")
    broken = NEW_CONFIG.replace("below: 0.88}", "belw: 0.88}")
    commit(repo, {"retrain-gate.yml": broken}, "a typo")
    code, out, err = run_diff(capsys, "--base", "HEAD~1", "--format", "json")
    assert code == 2
    assert out == ""
    assert err.startswith("retrain-gate: error: retrain-gate.yml:6:")
    assert "belw" in err


def test_no_config_at_base_means_everything_is_new(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(repo, {"retrain-gate.yml": NEW_CONFIG}, "first rules")
    code, report, _ = run_diff(capsys, "--base", "HEAD~1", "--format", "json")
    assert code == 0
    assert report["base"]["exists"] is False
    [churn] = report["models"]
    assert churn["change"] == "added"
    assert [(r["name"], r["change"]) for r in churn["rules"]] == [
        ("accuracy-floor", "added"),
        ("accuracy-mean", "added"),
        ("enough-rows", "added"),
    ]
    assert churn["today"] == {"old": None, "new": "retrain"}
    assert churn["backtest"]["old"] is None
    assert churn["backtest"]["new"]["retrain"] == 10
    assert churn["backtest"]["changed_days"] == []  # nothing to compare with
    code, _, _ = run_diff(capsys, "--base", "HEAD~1", "--fail-on-change")
    assert code == 1


def test_invalid_config_at_base_is_reported_not_fatal(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(repo, {"retrain-gate.yml": OLD_CONFIG.replace("version: 1", "version: 7")}, "bad")
    commit(repo, {"retrain-gate.yml": NEW_CONFIG}, "fixed")
    code, report, _ = run_diff(capsys, "--base", "HEAD~1", "--format", "json")
    assert code == 0
    assert report["base"]["error"].startswith("retrain-gate.yml@HEAD~1:1:")
    assert report["models"][0]["change"] == "added"


def test_a_ref_that_does_not_exist_is_a_git_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(repo, {"retrain-gate.yml": NEW_CONFIG}, "rules")
    code, out, err = run_diff(capsys, "--base", "no-such-branch")
    assert code == 5
    assert out == ""
    assert "the ref 'no-such-branch' is not in this checkout" in err
    assert "fetching it from origin failed" in err


def test_base_is_required_outside_a_pull_request(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(repo, {"retrain-gate.yml": NEW_CONFIG}, "rules")
    code, _, err = run_diff(capsys)
    assert code == 2
    assert "diff needs --base REF" in err


def test_pull_request_default_base_from_a_shallow_clone(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A depth-1 checkout of the PR branch: the base branch is fetched from origin."""
    commit(repo, {"retrain-gate.yml": OLD_CONFIG}, "old rules")
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, {"retrain-gate.yml": NEW_CONFIG}, "new rules")
    clone = tmp_path / "clone"
    git(
        tmp_path,
        "clone",
        "-q",
        "--depth=1",
        "--branch",
        "feature",
        "--single-branch",
        f"file://{repo}",
        str(clone),
    )
    assert "origin/main" not in git(clone, "branch", "-r")
    monkeypatch.chdir(clone)
    monkeypatch.setenv("GITHUB_BASE_REF", "main")
    code, report, _ = run_diff(capsys, "--format", "json")
    assert code == 0
    assert report["base"]["ref"] == "origin/main"
    assert report["base"]["commit"] == git(repo, "rev-parse", "main")
    assert report["base"]["config"] == "retrain-gate.yml@origin/main"
    assert [(r["name"], r["change"]) for r in report["models"][0]["rules"]] == [
        ("accuracy-floor", "changed"),
        ("accuracy-mean", "added"),
        ("rows-spike", "removed"),
    ]


def test_pull_request_base_branch_that_cannot_be_fetched(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    commit(repo, {"retrain-gate.yml": NEW_CONFIG}, "rules")
    monkeypatch.setenv("GITHUB_BASE_REF", "main")  # there is no origin at all
    code, _, err = run_diff(capsys)
    assert code == 5
    assert "cannot fetch the pull request's base branch 'main' from origin" in err


OLD_GROUPS = """\
version: 1
models:
  churn:
    metrics: {path: metrics/churn.csv, time: date}
    baseline: models/card.json
    triggers:
      - name: accuracy-and-volume
        all:
          - {name: low-accuracy, metric: accuracy, below: 0.87, for: 2}
          - {name: more-data, metric: rows, growth_since_baseline: 20%}
          - {name: stale, max_age: 60d}
      - name: any-drop
        any:
          - {name: floor, metric: accuracy, below: 0.8}
      - {name: spike, metric: rows, above: 100000}
"""

# a member's option changed, a member removed, a rule moved into a group, a group's mode
# changed and a member added to it
NEW_GROUPS = """\
version: 1
models:
  churn:
    metrics: {path: metrics/churn.csv, time: date}
    baseline: models/card.json
    triggers:
      - name: accuracy-and-volume
        all:
          - {name: low-accuracy, metric: accuracy, below: 0.87, for: 2}
          - {name: more-data, metric: rows, growth_since_baseline: 25%}
          - {name: spike, metric: rows, above: 100000}
      - name: any-drop
        all:
          - {name: floor, metric: accuracy, below: 0.8}
          - {name: new-floor, metric: accuracy, below: 0.85}
"""


def test_group_members_are_compared_rule_by_rule(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = '{"trained_at": "2026-10-25T00:00:00Z", "rows": 4000}'  # rows 5,000: +25%
    commit(repo, {"retrain-gate.yml": OLD_GROUPS, "models/card.json": card}, "old groups")
    commit(repo, {"retrain-gate.yml": NEW_GROUPS}, "new groups")
    code, report, _ = run_diff(capsys, "--base", "HEAD~1", "--format", "json")
    assert code == 0
    [churn] = report["models"]
    assert churn["change"] == "changed"
    assert [
        (r["name"], r["change"], r["kind"], r["options"], r["line"]) for r in churn["rules"]
    ] == [
        (
            "accuracy-and-volume.more-data",
            "changed",
            {"old": "data_growth", "new": "data_growth"},
            [{"option": "growth_since_baseline", "old": "20%", "new": "25%"}],
            10,
        ),
        (
            "accuracy-and-volume.spike",
            "changed",
            {"old": "threshold", "new": "threshold"},
            [{"option": "member of", "old": None, "new": "accuracy-and-volume"}],
            11,
        ),
        (
            "any-drop",
            "changed",
            {"old": "group", "new": "group"},
            [{"option": "mode", "old": "any", "new": "all"}],
            12,
        ),
        ("any-drop.new-floor", "added", {"old": None, "new": "threshold"}, [], 15),
        ("accuracy-and-volume.stale", "removed", {"old": "model_age", "new": None}, [], 11),
    ]
    # old: more-data (+25% > 20%) and low-accuracy fire from 11-13, but stale never does, so
    # the group never fires; new: more-data is quiet (+25% is not more than 25%)
    assert churn["today"] == {"old": "skip", "new": "skip"}
    assert churn["backtest"]["changed_days"] == []
    code, text, _ = run_diff(capsys, "--base", "HEAD~1")
    assert code == 0
    lines = text.splitlines()
    assert lines[lines.index("churn: changed") + 1 : lines.index("churn: changed") + 6] == [
        "  trigger accuracy-and-volume.more-data: changed: growth_since_baseline: 20% -> 25%",
        "  trigger accuracy-and-volume.spike: changed: member of: accuracy-and-volume (added)",
        "  trigger any-drop: changed: mode: any -> all",
        "  trigger any-drop.new-floor: added (threshold)",
        "  trigger accuracy-and-volume.stale: removed (model_age)",
    ]
    code, text, _ = run_diff(capsys, "--base", "HEAD~1", "--format", "markdown")
    assert (
        "| trigger `accuracy-and-volume.more-data` | changed: growth_since_baseline: 20% → 25% |"
        in text.splitlines()
    )


def test_a_member_that_changes_decisions_shows_the_days_it_moves(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`all` of a low accuracy and a stale model: loosening the age member from 60d to 20d
    makes the group fire on the days the accuracy member fires."""
    card = '{"trained_at": "2026-10-25T00:00:00Z", "rows": 4000}'
    old = OLD_GROUPS.replace(
        "          - {name: more-data, metric: rows, growth_since_baseline: 20%}\n", ""
    )
    commit(repo, {"retrain-gate.yml": old, "models/card.json": card}, "old groups")
    commit(repo, {"retrain-gate.yml": old.replace("max_age: 60d", "max_age: 20d")}, "younger")
    code, report, _ = run_diff(capsys, "--base", "HEAD~1", "--format", "json")
    assert code == 0
    [churn] = report["models"]
    assert [(r["name"], r["options"]) for r in churn["rules"]] == [
        ("accuracy-and-volume.stale", [{"option": "max_age", "old": "60d", "new": "20d"}])
    ]
    assert churn["today"] == {"old": "skip", "new": "retrain"}
    changed = churn["backtest"]["changed_days"]
    # accuracy under 0.87 two days running from 2026-11-14 (0.86 on 11-13 and 11-14), when
    # the model is 21 days old
    assert [c["day"] for c in changed] == [f"2026-11-{d}" for d in range(14, 21)]
    assert {(c["old"], c["new"]) for c in changed} == {("skip", "retrain")}
    assert changed[0]["new_fired"] == ["accuracy-and-volume"]


@pytest.mark.parametrize("command", ["diff", "check", "backtest"])
def test_a_model_name_that_is_in_neither_config_is_a_usage_error_everywhere(
    repo: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    # a typo in a PR check's --model must fail the check (exit 2), not pass as "no change"
    commit(repo, {"retrain-gate.yml": OLD_CONFIG}, "old rules")
    commit(repo, {"retrain-gate.yml": NEW_CONFIG}, "new rules")
    extra = ["--base", "HEAD~1", "--now", "2026-11-21"] if command == "diff" else []
    extra += ["--now", "2026-11-21"] if command == "check" else []
    code = main([command, *extra, "--model", "nosuch"])
    captured = capsys.readouterr()
    assert code == 2
    assert "no model named 'nosuch' in the config" in captured.err
    assert "models: churn" in captured.err
    assert "Traceback" not in captured.err
    assert "no change" not in captured.out


def test_diff_selects_a_model_that_only_the_base_config_has(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(repo, {"retrain-gate.yml": OLD_CONFIG}, "old rules")
    renamed = NEW_CONFIG.replace("  churn:", "  churn2:")
    commit(repo, {"retrain-gate.yml": renamed}, "renamed model")
    code, report, _ = run_diff(capsys, "--base", "HEAD~1", "--model", "churn", "--format", "json")
    assert code == 0
    assert [(m["model"], m["change"]) for m in report["models"]] == [("churn", "removed")]


def test_a_base_config_with_several_errors_is_one_line_naming_the_first(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = OLD_CONFIG.replace("below: 0.85", "belwo: 0.85").replace("above: 100000", "above: x")
    commit(repo, {"retrain-gate.yml": bad}, "bad")
    commit(repo, {"retrain-gate.yml": NEW_CONFIG}, "fixed")
    code, report, _ = run_diff(capsys, "--base", "HEAD~1", "--format", "json")
    assert code == 0
    assert report["base"]["error"] == (
        "retrain-gate.yml@HEAD~1:6:50: unknown key 'belwo' in models.churn.triggers[0] "
        "(did you mean 'below'?) (and 1 more)"
    )

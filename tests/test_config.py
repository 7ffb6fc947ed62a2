"""Config loading: every error names file:line:column and says how to fix it."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from retrain_gate.config.parse import find_config, load_config, repository_root
from retrain_gate.engine.gate import check
from retrain_gate.errors import EXIT_CONFIG, ConfigError
from tests.conftest import daily_csv, write

HEAD = "version: 1\nmodels:\n  m:\n    metrics: {path: metrics.csv, time: date}\n"
FLOOR = "      - {name: floor, metric: accuracy, below: 0.8}\n"


def config_error(root: Path, text: str) -> str:
    """The one-line message a user sees for a bad config (file:line:column: message (hint))."""
    write(root, {"retrain-gate.yml": text})
    with pytest.raises(ConfigError) as caught:
        load_config(root / "retrain-gate.yml")
    assert caught.value.exit_code == EXIT_CONFIG
    return str(caught.value).replace(str(root) + "/", "")


def test_a_good_config_is_typed(tmp_path: Path) -> None:
    text = (
        HEAD
        + "    baseline: card.json\n    triggers:\n"
        + FLOOR
        + "      - {name: age, max_age: 30d}\n"
        + "    checks:\n      - {name: rows, metric: rows, at_least: 10, severity: warn}\n"
    )
    write(tmp_path, {"retrain-gate.yml": text})
    config = load_config(tmp_path / "retrain-gate.yml")
    model = config.models["m"]
    assert (model.metrics and model.metrics.path, model.baseline) == ("metrics.csv", "card.json")
    floor, age = model.triggers
    assert (floor.kind, floor.line, dict(floor.options)) == (
        "threshold",
        7,
        {"metric": "accuracy", "below": 0.8},
    )
    assert (age.kind, age.line, floor.missing) == ("model_age", 8, "error")
    (rows,) = model.checks
    assert (rows.kind, rows.role, rows.severity, rows.line) == ("range", "check", "warn", 10)


def test_unknown_key_in_a_rule_suggests_the_right_one(tmp_path: Path) -> None:
    text = HEAD + "    triggers:\n      - {name: f, metric: accuracy, belwo: 0.87}\n"
    assert config_error(tmp_path, text) == (
        "retrain-gate.yml:6:37: unknown key 'belwo' in models.m.triggers[0] (did you mean 'below'?)"
    )


def test_unknown_option_of_a_known_kind_suggests_the_right_one(tmp_path: Path) -> None:
    text = HEAD + "    triggers:\n      - {name: f, metric: accuracy, below: 0.8, fro: 2}\n"
    assert config_error(tmp_path, text) == (
        "retrain-gate.yml:6:49: unknown key 'fro' in models.m.triggers[0] (did you mean 'for'?)"
    )


def test_unknown_key_in_a_model(tmp_path: Path) -> None:
    text = HEAD + "    trigers:\n" + FLOOR
    assert config_error(tmp_path, text) == (
        "retrain-gate.yml:5:5: unknown key 'trigers' in models.m (did you mean 'triggers'?)"
    )


def test_duplicate_yaml_keys_are_refused(tmp_path: Path) -> None:
    text = HEAD + "    triggers:\n      - name: f\n        metric: accuracy\n"
    text += "        below: 0.8\n        below: 0.7\n"
    assert config_error(tmp_path, text) == (
        "retrain-gate.yml:9:9: duplicate key 'below' (first written on line 8) "
        "(YAML keeps only the last one; remove one of them)"
    )


def test_duplicate_rule_names_are_refused(tmp_path: Path) -> None:
    text = (
        HEAD + "    triggers:\n" + FLOOR + "      - {name: floor, metric: accuracy, above: 0.99}\n"
    )
    assert config_error(tmp_path, text) == (
        "retrain-gate.yml:7:16: two triggers are named 'floor' "
        "(models.m.triggers[0] and models.m.triggers[1]) (names must be unique)"
    )


@pytest.mark.parametrize("duration", ["30 days", "2x", "-3d", "3"])
def test_bad_durations(tmp_path: Path, duration: str) -> None:
    text = (
        HEAD
        + f"    baseline: card.json\n    triggers:\n      - {{name: age, max_age: {duration}}}\n"
    )
    shown = repr(int(duration)) if duration.isdigit() else repr(duration)
    assert config_error(tmp_path, text).startswith(
        f"retrain-gate.yml:7:30: models.m.triggers[0].max_age: {shown} is not "
    )


def test_bad_duration_in_a_check(tmp_path: Path) -> None:
    text = HEAD + "    triggers:\n" + FLOOR + "    checks:\n      - {name: g, max_gap: 1 day}\n"
    message = config_error(tmp_path, text)
    assert message.startswith("retrain-gate.yml:8:28: models.m.checks[0].max_gap: '1 day' ")


def test_rate_threshold_outside_0_1(tmp_path: Path) -> None:
    text = HEAD + "    triggers:\n      - {name: f, metric: accuracy, below: 87}\n"
    assert config_error(tmp_path, text) == (
        "retrain-gate.yml:6:44: models.m.triggers[0].below: 87 is outside [0, 1], "
        "but accuracy is a rate (write a fraction: 0.87 for 87%)"
    )


def test_rate_check_bound_outside_0_1(tmp_path: Path) -> None:
    text = (
        HEAD
        + "    triggers:\n"
        + FLOOR
        + "    checks:\n      - {name: nulls, metric: null_rate.age, at_most: 5}\n"
    )
    assert config_error(tmp_path, text).startswith(
        "retrain-gate.yml:8:55: models.m.checks[0].at_most: 5 is outside [0, 1], "
        "but null_rate.age is a rate (write a fraction: 0.05 for 5%)"
    )


def test_a_rate_threshold_of_exactly_0_or_1_is_fine(tmp_path: Path) -> None:
    text = HEAD + "    triggers:\n      - {name: f, metric: error_rate, above: 1}\n"
    text += "      - {name: g, metric: recall, below: 0}\n"
    write(tmp_path, {"retrain-gate.yml": text})
    assert len(load_config(tmp_path / "retrain-gate.yml").models["m"].triggers) == 2


def test_of_last_smaller_than_for(tmp_path: Path) -> None:
    rule = "      - {name: f, metric: accuracy, below: 0.8, for: 3, of_last: 2}\n"
    assert config_error(tmp_path, HEAD + "    triggers:\n" + rule) == (
        "retrain-gate.yml:6:66: models.m.triggers[0].of_last: of_last must be at least `for` "
        "(M of the last N needs N >= M)"
    )


def test_of_last_smaller_than_for_in_a_range_check(tmp_path: Path) -> None:
    check_rule = "      - {name: r, metric: rows, at_least: 5, for: 3, of_last: 2}\n"
    text = HEAD + "    triggers:\n" + FLOOR + "    checks:\n" + check_rule
    assert config_error(tmp_path, text).startswith(
        "retrain-gate.yml:8:63: models.m.checks[0].of_last: of_last must be at least `for`"
    )


def test_window_without_aggregate(tmp_path: Path) -> None:
    rule = "      - {name: f, metric: accuracy, below: 0.8, window: 7d}\n"
    assert config_error(tmp_path, HEAD + "    triggers:\n" + rule) == (
        "retrain-gate.yml:6:57: models.m.triggers[0].window: a window needs an aggregate "
        "(mean, median, min, max or sum)"
    )


def test_aggregate_without_window(tmp_path: Path) -> None:
    # without a window, `mean` would silently be the latest value
    rule = "      - {name: f, metric: accuracy, below: 0.8, aggregate: mean}\n"
    assert config_error(tmp_path, HEAD + "    triggers:\n" + rule) == (
        "retrain-gate.yml:6:60: models.m.triggers[0].aggregate: an aggregate needs a window "
        "(the last N, or a duration such as 7d)"
    )


def test_persistence_on_data_growth_is_refused_not_ignored(tmp_path: Path) -> None:
    rule = "      - {name: g, metric: rows, growth_since_baseline: 20%, for: 2}\n"
    text = HEAD + "    baseline: card.json\n    triggers:\n" + rule
    assert config_error(tmp_path, text).startswith(
        "retrain-gate.yml:7:61: unknown key 'for' in models.m.triggers[0] (allowed: "
    )


def test_missing_version(tmp_path: Path) -> None:
    text = HEAD.replace("version: 1\n", "") + "    triggers:\n" + FLOOR
    assert config_error(tmp_path, text) == (
        "retrain-gate.yml:1:1: the top level: 'version' is a required property"
    )


def test_unsupported_version(tmp_path: Path) -> None:
    assert config_error(tmp_path, "version: 2\nmodels: {}\n") == (
        "retrain-gate.yml:1:10: version 2 is not supported (this retrain-gate reads version: 1)"
    )


def test_empty_config(tmp_path: Path) -> None:
    assert config_error(tmp_path, "# nothing yet\n") == (
        "retrain-gate.yml:1: the config is empty (start with `version: 1` and a `models:` mapping)"
    )


def test_invalid_yaml_names_where(tmp_path: Path) -> None:
    text = HEAD + "    triggers:\n      - {name: f, metric: accuracy, below: 0.8\n"
    message = config_error(tmp_path, text)
    assert message.startswith("retrain-gate.yml:")
    assert "invalid YAML" in message and "line 6" in message


def test_a_model_without_triggers(tmp_path: Path) -> None:
    assert config_error(tmp_path, HEAD + "    triggers: []\n") == (
        "retrain-gate.yml:5:15: model 'm' has no triggers (add at least one trigger rule)"
    )


def test_a_rule_without_a_kind(tmp_path: Path) -> None:
    text = HEAD + "    triggers:\n      - {name: f, metric: accuracy}\n"
    message = config_error(tmp_path, text)
    assert message.startswith(
        "retrain-gate.yml:6:9: models.m.triggers[0] does not say what to watch (give one of: "
    )


def test_a_rule_mixing_two_kinds(tmp_path: Path) -> None:
    text = HEAD + "    triggers:\n      - {name: d, metric: accuracy, below: 0.8, max_age: 3d}\n"
    assert config_error(tmp_path, text) == (
        "retrain-gate.yml:6:9: models.m.triggers[0] mixes the keys of threshold and model_age "
        "(split it into two rules, or set `kind:`)"
    )


def test_unknown_kind_suggests_one(tmp_path: Path) -> None:
    text = HEAD + "    triggers:\n      - {name: d, kind: treshold, metric: accuracy, below: 0.8}\n"
    assert config_error(tmp_path, text) == (
        "retrain-gate.yml:6:25: unknown trigger kind 'treshold' in models.m.triggers[0] "
        "(did you mean 'threshold'?)"
    )


@pytest.mark.parametrize(
    ("role", "rule", "column", "meant"),
    [
        ("checks", "{name: c, freshnes: 2d}", "freshnes", "freshness"),
        ("checks", "{name: c, metric: rows, at_lest: 1000}", "at_lest", "at_least"),
        ("checks", "{name: c, max_gp: 2d}", "max_gp", "max_gap"),
        ("checks", "{name: c, requried: [rows]}", "requried", "required"),
        ("triggers", "{name: s, max_aeg: 30d}", "max_aeg", "max_age"),
        ("triggers", "{name: t, metric: accuracy, bellow: 0.8}", "bellow", "below"),
    ],
)
def test_a_misspelled_kind_key_is_suggested_whatever_the_other_keys(
    tmp_path: Path, role: str, rule: str, column: str, meant: str
) -> None:
    """Every unknown key against every kind's keys: `name:` is a key every rule has, never a
    misspelled `sample:`."""
    text = HEAD + "    baseline: card.json\n    triggers:\n" + FLOOR
    if role == "checks":
        text += "    checks:\n"
    else:
        text = text.replace(FLOOR, "")
    text += f"      - {rule}\n"
    line = text.count("\n")
    col = text.splitlines()[-1].index(column) + 1
    assert config_error(tmp_path, text) == (
        f"retrain-gate.yml:{line}:{col}: unknown key {column!r} in models.m.{role}[0] "
        f"(did you mean {meant!r}?)"
    )


def test_wrong_type(tmp_path: Path) -> None:
    text = HEAD + "    triggers:\n      - {name: d, metric: accuracy, below: low}\n"
    assert config_error(tmp_path, text) == (
        "retrain-gate.yml:6:44: models.m.triggers[0].below: 'low' is not of type 'number' "
        "(A number: fires when the value is below it; equal does not fire.)"
    )


def test_a_baseline_rule_without_a_baseline(tmp_path: Path) -> None:
    text = HEAD + "    triggers:\n" + FLOOR
    text += "      - {name: d, metric: accuracy, drop_from_baseline: 3%}\n"
    assert config_error(tmp_path, text) == (
        "retrain-gate.yml:7: trigger 'd' compares with the model card, but model 'm' has no "
        "`baseline:` (add baseline: path/to/model_card.json)"
    )


def test_a_series_rule_without_metrics(tmp_path: Path) -> None:
    text = "version: 1\nmodels:\n  m:\n    triggers:\n" + FLOOR
    assert config_error(tmp_path, text) == (
        "retrain-gate.yml:5: trigger 'floor' reads metrics, but model 'm' has no `metrics:` "
        "(add metrics: {path: ..., time: date})"
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "    metrics: {path: ../metrics.csv}\n",
            "retrain-gate.yml:4:21: metrics path '../metrics.csv' points outside the repository",
        ),
        (
            "    metrics: {path: 'data/../../m/*.json', time: filename}\n",
            # the folder the glob starts from is what escapes
            "retrain-gate.yml:4:21: metrics path 'data/../../m/' points outside the repository",
        ),
        (
            "    metrics: {path: metrics.csv}\n    baseline: /etc/card.json\n",
            "retrain-gate.yml:5:15: model card '/etc/card.json' is an absolute path "
            "(paths in the config are relative to the repository root)",
        ),
    ],
)
def test_paths_escaping_the_repository(tmp_path: Path, line: str, message: str) -> None:
    text = "version: 1\nmodels:\n  m:\n" + line + "    triggers:\n" + FLOOR
    assert config_error(tmp_path, text).startswith(message)


def test_drift_file_escaping_the_repository(tmp_path: Path) -> None:
    rule = "      - {name: d, psi: {reference: ../r.json, current: c.json}, above: 0.2}\n"
    message = config_error(tmp_path, HEAD + "    triggers:\n" + rule)
    assert message.startswith(
        "retrain-gate.yml:6:9: data file '../r.json' points outside the repository"
    )


def test_psi_with_above_is_a_drift_rule_and_a_metric_with_above_is_a_threshold(
    tmp_path: Path,
) -> None:
    text = HEAD + "    triggers:\n"
    text += "      - {name: d, psi: {reference: r.json, current: c.json}, above: 0.25}\n"
    text += "      - {name: t, metric: psi_score, above: 0.25}\n"
    text += "      - {name: j, kind: drift, js: {reference: r.json, current: c.json}, above: 0.5}\n"
    write(tmp_path, {"retrain-gate.yml": text})
    triggers = load_config(tmp_path / "retrain-gate.yml").models["m"].triggers
    assert [(r.name, r.kind) for r in triggers] == [
        ("d", "drift"),
        ("t", "threshold"),
        ("j", "drift"),
    ]


def test_a_drift_rule_with_two_metrics(tmp_path: Path) -> None:
    rule = "      - {name: d, psi: {reference: r.json, current: c.json}, "
    rule += "js: {reference: r.json, current: c.json}, above: 0.25}\n"
    assert config_error(tmp_path, HEAD + "    triggers:\n" + rule) == (
        "retrain-gate.yml:6:66: models.m.triggers[0].js: "
        "write only one of psi, ks, js, chisquare, wasserstein"
    )


def test_a_metric_the_file_does_not_provide_is_a_config_error_at_the_rule(
    tmp_path: Path,
) -> None:
    text = HEAD + "    triggers:\n      - {name: f, metric: acuracy, below: 0.8}\n"
    write(tmp_path, {"retrain-gate.yml": text, "metrics.csv": daily_csv({"accuracy": [0.9]})})
    config = load_config(tmp_path / "retrain-gate.yml")
    with pytest.raises(ConfigError) as caught:
        check(config, now=datetime(2026, 11, 2, tzinfo=timezone.utc))
    message = str(caught.value).replace(str(tmp_path) + "/", "")
    assert message.startswith("retrain-gate.yml:6:")
    assert "trigger 'f' reads metric 'acuracy', which metrics.csv does not provide" in message
    assert message.endswith("(did you mean 'accuracy'?)")


def test_unknown_model_is_a_usage_error_listing_the_models(tmp_path: Path) -> None:
    write(tmp_path, {"retrain-gate.yml": HEAD + "    triggers:\n" + FLOOR})
    config = load_config(tmp_path / "retrain-gate.yml")
    with pytest.raises(ConfigError) as caught:
        check(config, now=datetime(2026, 11, 2, tzinfo=timezone.utc), models=["churn"])
    assert caught.value.exit_code == EXIT_CONFIG
    assert caught.value.message == "no model named 'churn' in the config"
    assert caught.value.hint == "models: m"


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "retrain-gate.yml")
    assert caught.value.message == "config file not found"


def test_config_is_found_in_dot_github_and_paths_are_relative_to_the_repository(
    tmp_path: Path,
) -> None:
    write(tmp_path, {".github/retrain-gate.yml": HEAD + "    triggers:\n" + FLOOR})
    (tmp_path / "metrics").mkdir()
    found = find_config(None, cwd=tmp_path)
    assert found == Path(".github/retrain-gate.yml")
    assert repository_root(tmp_path / found) == tmp_path.resolve()
    with pytest.raises(ConfigError) as caught:
        find_config(None, cwd=tmp_path / "metrics")
    assert caught.value.message == (
        "no config found: looked for retrain-gate.yml and .github/retrain-gate.yml"
    )


def test_a_negative_rate_threshold_is_not_read_as_a_percentage(tmp_path: Path) -> None:
    text = HEAD + "    triggers:\n      - {name: f, metric: null_rate.age, above: -0.1}\n"
    assert config_error(tmp_path, text) == (
        "retrain-gate.yml:6:49: models.m.triggers[0].above: -0.1 is outside [0, 1], "
        "but null_rate.age is a rate (a rate is a fraction between 0 and 1)"
    )


def test_a_bad_amount_says_what_an_amount_is(tmp_path: Path) -> None:
    rule = "      - {name: d, metric: accuracy, drop_from_baseline: 3 percent}\n"
    text = HEAD + "    baseline: card.json\n    triggers:\n" + rule
    assert config_error(tmp_path, text) == (
        "retrain-gate.yml:7:57: models.m.triggers[0].drop_from_baseline: '3 percent' is not "
        "valid here (A number (absolute) or a percentage such as '3%' (relative).)"
    )


# --- trigger groups (all / any) ---------------------------------------------------------------

GROUPED = HEAD + (
    "    baseline: card.json\n"
    "    triggers:\n"
    "      - name: accuracy-and-volume\n"  # line 7
    "        all:\n"
    "          - {name: low-accuracy, metric: accuracy, below: 0.87, for: 2}\n"
    "          - name: more-data\n"  # line 10
    "            metric: rows\n"
    "            growth_since_baseline: 20%\n"
    "      - name: any-drift\n"  # line 13
    "        any:\n"
    "          - {name: stale, max_age: 30d}\n"
    "          - name: inner\n"  # line 16
    "            all:\n"
    "              - {name: psi-age, psi: {reference: r.json, current: c.json}, above: 0.25}\n"
)


def test_a_group_is_typed_with_its_members_each_at_its_own_line(tmp_path: Path) -> None:
    write(tmp_path, {"retrain-gate.yml": GROUPED})
    model = load_config(tmp_path / "retrain-gate.yml").models["m"]
    both, either = model.triggers
    assert (both.name, both.kind, both.line, set(both.options)) == (
        "accuracy-and-volume",
        "group",
        7,
        {"all"},
    )
    assert [(r.name, r.kind, r.role, r.line) for r in both.options["all"]] == [
        ("low-accuracy", "threshold", "trigger", 9),
        ("more-data", "data_growth", "trigger", 10),
    ]
    stale, inner = either.options["any"]
    assert (either.line, stale.line, inner.kind, inner.line) == (13, 15, "group", 16)
    assert [r.name for r in model.rules] == [
        "accuracy-and-volume",
        "low-accuracy",
        "more-data",
        "any-drift",
        "stale",
        "inner",
        "psi-age",
    ]
    assert [(p[2:], r.name) for p, r in model.located()][-1] == (
        ["triggers", 1, "any", 1, "all", 0],
        "psi-age",
    )


def test_an_unknown_key_inside_a_member_is_located_at_the_member(tmp_path: Path) -> None:
    text = GROUPED.replace("20%\n", "20%\n            windw: 3\n")
    assert config_error(tmp_path, text) == (
        "retrain-gate.yml:13:13: unknown key 'windw' in models.m.triggers[0].all[1] "
        "(did you mean 'window'?)"
    )


def test_an_unknown_option_of_a_nested_member_suggests_the_right_one(tmp_path: Path) -> None:
    text = GROUPED.replace("above: 0.25}", "above: 0.25, descripton: x}")
    assert config_error(tmp_path, text) == (
        "retrain-gate.yml:18:89: unknown key 'descripton' in models.m.triggers[1].any[1].all[0] "
        "(did you mean 'description'?)"
    )


def test_a_member_may_not_reuse_the_name_of_another_rule(tmp_path: Path) -> None:
    text = GROUPED.replace("{name: stale,", "{name: low-accuracy,")
    assert config_error(tmp_path, text) == (
        "retrain-gate.yml:15:20: two triggers are named 'low-accuracy' "
        "(models.m.triggers[0].all[0] and models.m.triggers[1].any[0]) "
        "(names must be unique, group members included)"
    )


def test_a_member_may_not_reuse_the_name_of_its_group(tmp_path: Path) -> None:
    text = GROUPED.replace("{name: stale,", "{name: any-drift,")
    assert config_error(tmp_path, text).startswith(
        "retrain-gate.yml:15:20: two triggers are named 'any-drift' "
        "(models.m.triggers[1] and models.m.triggers[1].any[0])"
    )


def test_a_group_with_both_all_and_any(tmp_path: Path) -> None:
    member = FLOOR.strip()[2:]
    text = HEAD + f"    triggers:\n      - {{name: g, all: [{member}], any: [{member}]}}\n"
    assert config_error(tmp_path, text) == (
        "retrain-gate.yml:6:76: models.m.triggers[0].any: a group is `all:` (every member must "
        "fire) or `any:` (one is enough), not both"
    )


def test_kind_group_without_members(tmp_path: Path) -> None:
    text = HEAD + "    triggers:\n      - {name: g, kind: group}\n"
    assert config_error(tmp_path, text) == (
        "retrain-gate.yml:6:25: models.m.triggers[0].kind: a group lists its member rules "
        "under `all:` or `any:`"
    )


def test_a_group_that_contains_itself_through_a_yaml_anchor(tmp_path: Path) -> None:
    text = HEAD + "    triggers:\n      - &g {name: g, all: [*g]}\n"
    assert config_error(tmp_path, text) == (
        "retrain-gate.yml:6:19: two triggers are named 'g' (models.m.triggers[0] and "
        "models.m.triggers[0].all[0]) (names must be unique, group members included)"
    )


def test_an_empty_group(tmp_path: Path) -> None:
    text = HEAD + "    triggers:\n      - {name: g, any: []}\n"
    assert config_error(tmp_path, text) == (
        "retrain-gate.yml:6:24: models.m.triggers[0].any is empty "
        "(a group needs at least one member rule)"
    )


def test_a_member_that_is_not_a_mapping(tmp_path: Path) -> None:
    text = HEAD + "    triggers:\n      - {name: g, any: [floor]}\n"
    assert config_error(tmp_path, text) == (
        "retrain-gate.yml:6:25: models.m.triggers[0].any[0] must be a mapping with a name"
    )


def test_checks_cannot_be_grouped(tmp_path: Path) -> None:
    text = HEAD + "    triggers:\n" + FLOOR
    text += (
        "    checks:\n      - name: data-ok\n        all:\n          - {name: f, freshness: 2d}\n"
    )
    assert config_error(tmp_path, text) == (
        "retrain-gate.yml:9:9: models.m.checks[0]: checks cannot be grouped with `all:` "
        "(every error-level check vetoes a retrain on its own: write the checks one by one "
        "(all/any groups are for triggers))"
    )


def test_a_member_reading_metrics_needs_metrics(tmp_path: Path) -> None:
    text = "version: 1\nmodels:\n  m:\n    baseline: card.json\n    triggers:\n"
    text += "      - name: g\n        any:\n          - {name: age, max_age: 3d}\n"
    text += "          - {name: floor, metric: accuracy, below: 0.8}\n"
    assert config_error(tmp_path, text) == (
        "retrain-gate.yml:9: trigger 'floor' reads metrics, but model 'm' has no `metrics:` "
        "(add metrics: {path: ..., time: date})"
    )


def test_a_member_comparing_with_the_card_needs_a_baseline(tmp_path: Path) -> None:
    text = HEAD + "    triggers:\n      - name: g\n        all:\n" + "    " + FLOOR
    text += "          - {name: d, metric: accuracy, drop_from_baseline: 3%}\n"
    assert config_error(tmp_path, text) == (
        "retrain-gate.yml:9: trigger 'd' compares with the model card, but model 'm' has no "
        "`baseline:` (add baseline: path/to/model_card.json)"
    )


def test_a_member_data_file_escaping_the_repository_is_located_at_the_member(
    tmp_path: Path,
) -> None:
    text = GROUPED.replace("reference: r.json", "reference: ../r.json")
    assert config_error(tmp_path, text).startswith(
        "retrain-gate.yml:18:17: data file '../r.json' points outside the repository"
    )


def test_a_member_naming_an_unknown_metric_is_a_config_error_at_the_member(
    tmp_path: Path,
) -> None:
    text = GROUPED.replace("metric: rows", "metric: rwos")
    csv = daily_csv({"accuracy": [0.9, 0.8], "rows": [10, 20]})
    files = {"metrics.csv": csv, "card.json": '{"rows": 10}', "r.json": "{}", "c.json": "{}"}
    write(tmp_path, {"retrain-gate.yml": text, **files})
    config = load_config(tmp_path / "retrain-gate.yml")
    with pytest.raises(ConfigError) as caught:
        check(config, now=datetime(2026, 11, 3, tzinfo=timezone.utc))
    assert str(caught.value).replace(str(tmp_path) + "/", "") == (
        "retrain-gate.yml:11:21: trigger 'more-data' reads metric 'rwos', which metrics.csv "
        "does not provide (did you mean 'rows'?)"
    )


def test_members_metrics_and_files_are_loaded(tmp_path: Path) -> None:
    from retrain_gate.engine.load import load_model, series_fields

    hist = '{"features": {"age": {"bins": [0, 1, 2], "counts": [5, 5]}}}'
    csv = daily_csv({"accuracy": [0.9, 0.8], "rows": [10, 20], "unused": [1, 2]})
    files = {"metrics.csv": csv, "card.json": '{"rows": 10}', "r.json": hist, "c.json": hist}
    write(tmp_path, {"retrain-gate.yml": GROUPED, **files})
    config = load_config(tmp_path / "retrain-gate.yml")
    model = config.models["m"]
    assert series_fields(model) == ({"accuracy", "rows"}, set())
    data = load_model(config, model)
    assert data.problems == ()
    assert data.series is not None and set(data.series.columns) == {"accuracy", "rows"}
    assert set(data.files) == {"r.json", "c.json"}


def test_the_fast_validator_accepts_groups_as_jsonschema_does() -> None:
    """A grouped config is accepted by the hand-written validator alone (no jsonschema at
    start-up), and where it is sure about a group rule it agrees with jsonschema."""
    import jsonschema
    import yaml

    from retrain_gate.config import fast_schema as config_module
    from retrain_gate.config.schema import build_schema, rule_schema
    from retrain_gate.kinds import registry

    data = yaml.safe_load(GROUPED)
    schema = build_schema()
    assert config_module._verdict(schema, data) is True
    assert jsonschema.Draft202012Validator(schema).is_valid(data)
    group_schema = rule_schema(registry("trigger")["group"])
    member = {"name": "a", "max_age": "3d"}
    variants = [
        {"name": "g", "all": [member]},
        {"name": "g", "any": [member, member]},
        {"name": "g", "all": []},
        {"name": "g", "all": member},
        {"name": "g", "all": [member], "any": [member]},
        {"name": "g", "all": [member], "below": 0.5},
        {"name": "g", "kind": "group", "any": [member], "description": "either"},
        {"all": [member]},
    ]
    validator = jsonschema.Draft202012Validator(group_schema)
    for variant in variants:
        verdict = config_module._verdict(group_schema, variant)
        assert verdict is not None, variant
        assert verdict == validator.is_valid(variant), variant
    # and in the whole schema, where members are `$ref`s to a trigger
    whole = jsonschema.Draft202012Validator(schema)
    for member_variant in (member, {"name": "a", "max_age": "3 days"}, {"name": "a"}, "x"):
        for key in ("all", "any"):
            rule = {"name": "g", key: [{"name": "h", "any": [member_variant]}]}
            config = {"version": 1, "models": {"m": {"triggers": [rule]}}}
            verdict = config_module._verdict(schema, config)
            assert verdict in (None, whole.is_valid(config)), config


def test_an_editor_flags_a_misspelled_key_inside_a_member() -> None:
    import jsonschema
    import yaml

    from retrain_gate.config.schema import build_schema

    data = yaml.safe_load(GROUPED.replace("growth_since_baseline", "growth_since_baselin"))
    errors = list(jsonschema.Draft202012Validator(build_schema()).iter_errors(data))
    # at the member itself, not at the whole group: only the selected kind's schema applies,
    # and the key no kind has is named
    member = ["models", "m", "triggers", 0, "all", 1]
    assert {tuple(e.absolute_path) for e in errors} == {tuple(member)}
    assert any(e.message.startswith("'growth_since_baselin' is not one of [") for e in errors)

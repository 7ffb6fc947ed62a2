"""Trigger rules: each one that fires asks for a retrain.

`TRIGGERS` maps a kind's name to its `Kind`; a rule in the config selects its kind by its
keys (`below:` -> threshold, `max_age:` -> model_age, ...) or by `kind:`. Each evaluator's
docstring is the user documentation of the kind.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from typing import Any

from retrain_gate.config import GROUP, GROUP_KEYS, group_members, group_mode
from retrain_gate.durations import format_duration, parse_amount, parse_duration
from retrain_gate.kinds import (
    AMOUNT,
    COMMON,
    DURATION,
    NUMBER,
    SERIES_OPTIONS,
    WINDOW,
    Context,
    Kind,
    RuleConfig,
    error_outcome,
    outcome,
)
from retrain_gate.results import Bin, Outcome
from retrain_gate.selection import (
    NoData,
    Observed,
    anomalous,
    column_sum,
    day,
    exact_scale,
    exceeds,
    fmt,
    mean_and_sd,
    observe,
    percent,
    persisted,
    persistence,
    persistence_phrase,
    rule_points,
    scaled,
    window_label,
)


def unreadable_series(rule: RuleConfig, ctx: Context) -> Outcome | None:
    if ctx.series is None:
        # The file's own error is the model's problem, reported once; the rule points at it.
        problem = ctx.series_problem
        if problem is None or problem.file is None:
            return error_outcome(rule, f"not evaluated: {problem or 'no metric series'}")
        where = f"{problem.file}, line {problem.line}" if problem.line else problem.file
        return error_outcome(rule, f"not evaluated: the metric file cannot be read ({where})")
    return None


def subject_of(rule: RuleConfig) -> str:
    label = window_label(rule)
    return f"{rule.metric} ({label})" if label else str(rule.metric)


def evaluate_threshold(rule: RuleConfig, ctx: Context) -> Outcome:
    """Fires when a metric is below (or above) a fixed value.

    Options: `metric`, and `below: X` or `above: X` (strict: a value equal to the threshold,
    up to floating-point rounding, does not fire). The value is the latest observation, or
    with `aggregate` (mean, median, min, max, sum) and `window` (the last N observations, or
    a duration such as `7d` back from each observation) an aggregate. Persistence: `for: N` needs N
    consecutive observations past the threshold; with `of_last: M`, N of the last M.
    `for` counts observations, not calendar days: a date missing from the file does not
    break a streak (the `gaps` check catches missing dates).
    Missing values: `missing: error` (default) makes the rule an error, `ignore` drops them.
    """
    if problem := unreadable_series(rule, ctx):
        return problem
    below = rule.options.get("below")
    limit = float(below if below is not None else rule.options["above"])
    op = "<" if below is not None else ">"

    def past(value: float) -> bool:
        return exceeds(limit, value) if op == "<" else exceeds(value, limit)

    try:
        holds, observed, matching = persisted(rule, ctx, past)
    except NoData as exc:
        return error_outcome(rule, str(exc))
    latest = observed[-1]
    subject = subject_of(rule)
    needed, of_last = persistence(rule)
    if holds:
        shown = ", ".join(fmt(o.value, apart_from=limit) for o in matching[-3:])
        when = persistence_phrase(rule, matching) or f" on {day(latest.time)}"
        reason = f"{subject} {shown} {op} {fmt(limit)}{when}"
    elif past(latest.value):
        reason = (
            f"{subject} {fmt(latest.value, apart_from=limit)} {op} {fmt(limit)} "
            f"on {day(latest.time)}, but only "
            f"{len(matching)} of the last {of_last} observations (needs {needed})"
        )
    else:
        other = ">=" if op == "<" else "<="
        shown = fmt(latest.value, apart_from=limit)
        reason = f"{subject} {shown} {other} {fmt(limit)} on {day(latest.time)}"
    return outcome(
        rule,
        status="fired" if holds else "quiet",
        observed=latest.value,
        threshold=f"{op} {fmt(limit)}",
        reason=reason,
        recent=rule_points(rule, ctx),
        recent_label=subject_of(rule),
        limit=limit,
    )


def card_from_the_future(rule: RuleConfig, ctx: Context) -> Outcome | None:
    """A model card trained after `now` is bad data (a clock or time-zone error, or --now
    before the training): the rules that read it are errors, never a comparison."""
    card = ctx.baseline
    if card is None or card.trained_at is None or card.trained_at <= ctx.now:
        return None
    return error_outcome(
        rule,
        f"the model card {card.source} says the model was trained {day(card.trained_at)}, "
        f"after now ({day(ctx.now)}): a clock or time-zone error, or --now before the training",
    )


def _baseline_value(rule: RuleConfig, ctx: Context) -> float | Outcome:
    if ctx.baseline is None:
        why = str(ctx.baseline_problem) if ctx.baseline_problem else "no `baseline:` in the config"
        return error_outcome(rule, f"needs the model card's values, but there is none: {why}")
    if future := card_from_the_future(rule, ctx):
        return future
    value = ctx.baseline.value(str(rule.metric))
    if value is None:
        return error_outcome(
            rule,
            f"the model card {ctx.baseline.source} has no value for {rule.metric} "
            f"(looked for `{rule.metric}` and `metrics.{rule.metric}`)",
        )
    return value


def evaluate_baseline_change(rule: RuleConfig, ctx: Context) -> Outcome:
    """Fires when a metric moved away from its value at training time (the model card).

    Options: `metric`, and `drop_from_baseline: X` or `rise_from_baseline: X`. A
    percentage (`3%`) is relative to the baseline value; a plain number (`0.03`) is in the
    metric's own units. Strict: a change equal to X (up to floating-point rounding: 0.873 is
    a drop of exactly 3% from 0.9) does not fire. Accepts `aggregate`,
    `window`, `for` and `of_last` as the threshold rule does. A missing model card or
    baseline value, or a card trained after `now`, makes the rule an error (the gate fails
    closed).
    """
    if problem := unreadable_series(rule, ctx):
        return problem
    base = _baseline_value(rule, ctx)
    if isinstance(base, Outcome):
        return base
    dropping = "drop_from_baseline" in rule.options
    amount, relative = parse_amount(
        rule.options["drop_from_baseline" if dropping else "rise_from_baseline"]
    )
    if relative and base == 0:
        return error_outcome(
            rule, f"the baseline {rule.metric} is 0; a relative change is undefined"
        )

    def change(value: float) -> float:
        moved = (base - value) if dropping else (value - base)
        return moved / abs(base) if relative else moved

    try:
        holds, observed, matching = persisted(rule, ctx, lambda v: exceeds(change(v), amount))
    except NoData as exc:
        return error_outcome(rule, str(exc))
    latest = observed[-1]
    word = "drop" if dropping else "rise"
    moved = change(latest.value)
    shown = f"{moved:.1%}" if relative else fmt(moved)
    limit_text = percent(amount) if relative else fmt(amount)
    subject = subject_of(rule)
    comparison = (
        f"{subject} {fmt(latest.value)} on {day(latest.time)} vs {fmt(base)} at training: "
        f"a {word} of {shown}"
    )
    if moved < 0:  # it moved the other way: a rise is not "a drop of -4.6%"
        other = "rise" if dropping else "drop"
        shown = f"{-moved:.1%}" if relative else fmt(-moved)
        comparison = (
            f"{subject} {fmt(latest.value)} on {day(latest.time)} vs {fmt(base)} at training: "
            f"a {other} of {shown}, so no {word}"
        )
    if holds:
        reason = f"{comparison}, more than {limit_text}{persistence_phrase(rule, matching)}"
    elif moved < 0:
        reason = comparison
    else:
        reason = f"{comparison}, not more than {limit_text}"
    return outcome(
        rule,
        status="fired" if holds else "quiet",
        observed=moved,
        threshold=f"{word} > {limit_text}",
        reason=reason,
        recent=rule_points(rule, ctx),
        recent_label=subject_of(rule),
        limit=(base * (1 - amount) if dropping else base * (1 + amount))
        if relative
        else (base - amount if dropping else base + amount),
    )


def evaluate_data_growth(rule: RuleConfig, ctx: Context) -> Outcome:
    """Fires when the data volume has grown by more than X since the model was trained.

    Options: `metric` (e.g. rows), `growth_since_baseline: 20%` (relative to the model
    card's value of the same metric) or a plain number of rows. `count: latest` (default)
    compares the latest value (the size of today's data) with the card's; `count:
    since_training` adds up the values observed after the card's `trained_at` (new rows
    since training) and compares the sum with the card's value. Strict: growth equal to X
    does not fire. A missing model card value, or a card trained after `now`, makes the
    rule an error.
    """
    if problem := unreadable_series(rule, ctx):
        return problem
    base = _baseline_value(rule, ctx)
    if isinstance(base, Outcome):
        return base
    amount, relative = parse_amount(rule.options["growth_since_baseline"])
    if relative and base == 0:
        return error_outcome(rule, f"the model card's {rule.metric} is 0; growth is undefined")
    assert ctx.series is not None
    if rule.options.get("count", "latest") == "since_training":
        if ctx.baseline is None or ctx.baseline.trained_at is None:
            return error_outcome(rule, "count: since_training needs `trained_at` in the model card")
        trained = ctx.baseline.trained_at
        column = ctx.series.columns[str(rule.metric)]
        first = bisect.bisect_right(ctx.series.times, trained, 0, ctx.end)
        current, missing = column_sum(column, first, ctx.end)
        if missing and rule.missing == "error":
            gap = next(i for i in range(first, ctx.end) if column[i] is None)
            where = ctx.series.where[gap]
            return error_outcome(
                rule, f"{rule.metric} is missing on {day(ctx.series.times[gap])} ({where})"
            )
        what = f"{fmt(current)} {rule.metric} since training on {day(trained)}"
        growth = current / base if relative else current
    else:
        try:
            latest: Observed = observe(rule, ctx, needed=1)[-1]
        except NoData as exc:
            return error_outcome(rule, str(exc))
        current = latest.value
        what = f"{subject_of(rule)} {fmt(current)} on {day(latest.time)}"
        growth = current / base - 1 if relative else current - base
    limit_text = percent(amount) if relative else fmt(amount)
    shown = f"{growth:+.1%}" if relative else ("+" if growth >= 0 else "") + fmt(growth)
    fired = exceeds(growth, amount)
    verb = "more than" if fired else "not more than"
    return outcome(
        rule,
        status="fired" if fired else "quiet",
        observed=growth,
        threshold=f"growth > {limit_text}",
        reason=f"{what} vs {fmt(base)} at training: {shown}, {verb} {limit_text}",
        recent=rule_points(rule, ctx),
        recent_label=subject_of(rule),
        limit=base * (1 + amount) if relative else base + amount,
    )


def evaluate_model_age(rule: RuleConfig, ctx: Context) -> Outcome:
    """Fires when the model is older than `max_age` (e.g. `30d`).

    The age is `now` minus the model card's `trained_at`. Strict: an age equal to
    max_age does not fire. No model card, no `trained_at` in it, or a `trained_at` after
    `now` is an error.
    """
    limit = parse_duration(str(rule.options["max_age"]))
    if future := card_from_the_future(rule, ctx):
        return future
    if ctx.baseline is None or ctx.baseline.trained_at is None:
        why = (
            str(ctx.baseline_problem)
            if ctx.baseline_problem
            else "the model card has no `trained_at`"
            if ctx.baseline
            else "no `baseline:` in the config"
        )
        return error_outcome(rule, f"cannot tell the model's age: {why}")
    age = ctx.now - ctx.baseline.trained_at
    days = age.total_seconds() / 86400
    fired = age > limit
    relation = "older than" if fired else "not older than"
    return outcome(
        rule,
        status="fired" if fired else "quiet",
        observed=f"{days:.1f}d",
        threshold=f"> {format_duration(limit)}",
        reason=(
            f"model trained {day(ctx.baseline.trained_at)}, {days:.1f} days ago: "
            f"{relation} {format_duration(limit)}"
        ),
    )


DRIFT_METRICS = ("psi", "ks", "js")
_DRIFT_NAMES = {"psi": "PSI", "ks": "KS statistic", "js": "Jensen-Shannon distance"}


def _drift_inputs(options: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    for metric in DRIFT_METRICS:
        if metric in options:
            spec = options[metric]
            return (
                (str(spec["reference"]), "distribution"),
                (str(spec["current"]), "distribution"),
            )
    return ()


def evaluate_drift(rule: RuleConfig, ctx: Context) -> Outcome:
    """Fires when a feature's distribution drifted from a committed reference.

    Write one of `psi:`, `ks:` or `js:` with `{reference: FILE, current: FILE}` and
    optionally `feature:` (for files holding several features; without it every feature
    is compared and the largest value counts), `bins:` (default 10, for samples) and
    `epsilon:` (PSI only, default 1e-4), plus `above: X`. Strict: equal does not fire.
    Files hold histograms (`bins` and `counts`, or `categories` and `counts`) or samples
    (`values`); KS needs samples. See `retrain_gate.drift` for the formulas: PSI uses bin
    proportions with empty bins replaced by epsilon; JS is the base-2 distance in [0, 1].
    Missing data: a missing or unreadable file, or a feature absent from one of them,
    makes the rule an error.
    """
    from retrain_gate import drift  # imported here: only configs with drift rules pay for it
    from retrain_gate.errors import GateError

    metric = next(m for m in DRIFT_METRICS if m in rule.options)
    spec = rule.options[metric]
    limit = float(rule.options["above"])
    loaded = []
    for key in ("reference", "current"):
        data = ctx.files.get(str(spec[key]))
        if data is None or not isinstance(data, dict):
            return error_outcome(rule, f"cannot read the {key} distribution: {data}")
        loaded.append(data)
    reference, current = loaded
    wanted = spec.get("feature")
    features = [wanted] if wanted else sorted(set(reference) & set(current))
    if not features:
        return error_outcome(rule, "the reference and current files share no feature")
    scores: list[tuple[float, str]] = []
    for feature in features:
        if feature not in reference or feature not in current:
            side = spec["reference"] if feature not in reference else spec["current"]
            return error_outcome(rule, f"feature {feature!r} is not in {side}")
        try:
            score = drift.compare(
                metric,  # type: ignore[arg-type]
                reference[feature],
                current[feature],
                bins=int(spec.get("bins", 10)),
                epsilon=float(spec.get("epsilon", 1e-4)),
            )
        except GateError as exc:
            return error_outcome(rule, str(exc))
        scores.append((score, feature))
    score, feature = max(scores)
    name = _DRIFT_NAMES[metric]
    label = f" of {feature}" if feature else ""
    fired = exceeds(score, limit)
    others = f" (largest of {len(scores)} features)" if len(scores) > 1 else ""
    relation = ">" if fired else "<="
    shown = f"{score:.3f}"
    if float(shown) == limit and (fired or exceeds(limit, score)):
        shown = fmt(score, apart_from=limit)  # 0.2504 is not "0.250 > 0.25"
    return outcome(
        rule,
        status="fired" if fired else "quiet",
        observed=score,
        threshold=f"> {fmt(limit)}",
        reason=f"{name}{label} {shown} {relation} {fmt(limit)}{others}, "
        f"{spec['current']} vs {spec['reference']}",
        limit=limit,
        bins=_drift_bins(reference[feature], current[feature], bins=int(spec.get("bins", 10))),
    )


def _drift_bins(reference: Any, current: Any, *, bins: int) -> tuple[Bin, ...]:
    """The two distributions on common bins, as shares: what a report draws side by side."""
    from retrain_gate import drift
    from retrain_gate.errors import GateError

    try:
        ref_hist, cur_hist = drift.to_histogram(reference, current, bins=bins)
    except GateError:
        return ()
    ref_total, cur_total = sum(ref_hist.counts), sum(cur_hist.counts)
    if ref_hist.categories is not None:
        labels = list(ref_hist.categories)
    else:
        assert ref_hist.edges is not None
        labels = [_bin_label(a, b) for a, b in zip(ref_hist.edges, ref_hist.edges[1:])]
    return tuple(
        Bin(text, r / ref_total if ref_total else 0.0, c / cur_total if cur_total else 0.0)
        for text, r, c in zip(labels, ref_hist.counts, cur_hist.counts)
    )


def _bin_label(low: float, high: float) -> str:
    if math.isinf(low):
        return f"< {fmt(high)}"
    if math.isinf(high):
        return f">= {fmt(low)}"
    return f"{fmt(low)}-{fmt(high)}"


def evaluate_anomaly(rule: RuleConfig, ctx: Context) -> Outcome:
    """Fires when a metric leaves its own recent range: outside mean +/- k standard deviations.

    Options: `metric`, `outside_sigma: k`, `reference_window` (the last N observations
    before the one judged, or a duration such as `28d`; default 28 observations). The
    mean and sample standard deviation come from the reference window, which never
    includes the observation judged. Needs 3 reference values. `direction: below` fires
    only on a fall (accuracy: a jump up after a retraining is no reason to retrain),
    `above` only on a rise (a loss or an error rate), `both` (default) on either. Accepts
    `for` and `of_last`. Strict: exactly k standard deviations away does not fire.
    """
    if problem := unreadable_series(rule, ctx):
        return problem
    assert ctx.series is not None
    k = float(rule.options["outside_sigma"])
    direction = str(rule.options.get("direction", "both"))
    window = rule.options.get("reference_window", 28)
    column = ctx.series.columns[str(rule.metric)]
    times = ctx.series.times
    duration = None if isinstance(window, int) else parse_duration(str(window))
    needed, of_last = persistence(rule)
    judged = list(range(max(0, ctx.end - of_last), ctx.end))
    if len(judged) < of_last:
        return error_outcome(rule, f"only {len(judged)} observations; the rule needs {of_last}")
    bands = []
    for index in judged:
        value = column[index]
        if value is None:
            if rule.missing == "ignore":
                continue
            return error_outcome(
                rule,
                f"{rule.metric} is missing on {day(times[index])} ({ctx.series.where[index]})",
            )
        if duration is None:
            members = range(max(0, index - window), index)
        else:
            start = times[index] - duration
            members = range(bisect.bisect_left(times, start, 0, index), index)
        reference = [v for v in (column[j] for j in members) if v is not None]
        if len(reference) < 3:
            return error_outcome(
                rule, f"only {len(reference)} reference values before {day(times[index])}; needs 3"
            )
        # from exact sums, rounded once: a backtest gets the same mean and sd from running
        # sums (retrain_gate.replay) without summing each day's window again
        scale = exact_scale(reference)
        ints = [scaled(v, scale) for v in reference]
        mean, sd = mean_and_sd(len(ints), sum(ints), sum(i * i for i in ints), scale=scale)
        bands.append((index, value, mean, sd, anomalous(value, mean, sd, k=k, direction=direction)))
    if not bands:
        return error_outcome(rule, f"no values of {rule.metric} to judge")
    matching = [b for b in bands if b[4]]
    fired = len(matching) >= needed
    index, value, mean, sd, outside = bands[-1]
    distance = abs(value - mean) / sd if sd else float("inf") if value != mean else 0.0
    sign = {"below": "-", "above": "+"}.get(direction, "±")
    # say plainly which side counts: "more than 3σ below", not "outside -3σ"
    side = {"below": "below", "above": "above"}.get(direction, "away from")
    latest = (
        f"{fmt(value)} on {day(times[index])} is {distance:.1f}σ "
        f"{'below' if value < mean else 'above'} its reference mean {fmt(mean)} (σ {sd:.3g})"
    )
    if of_last > 1:  # persistence: what counted first, then the latest value
        dates = ", ".join(day(times[b[0]]) for b in matching[-6:])
        counted = f" ({dates})" if matching else ""
        short = "" if fired else f", needs {needed}"
        reason = (
            f"{rule.metric} more than {k:g}σ {side} its reference mean on {len(matching)} of "
            f"the last {of_last} observations{counted}{short}; latest {latest}"
        )
    else:
        more = "more" if outside else "not more"
        reason = f"{rule.metric} {latest}: {more} than {k:g}σ {side.removesuffix(' from')}"
    return outcome(
        rule,
        status="fired" if fired else "quiet",
        observed=value,
        threshold=f"{fmt(mean)} {sign} {k:g}σ",
        reason=reason,
        recent=rule_points(rule, ctx),
        recent_label=subject_of(rule),
        band=(mean - k * sd, mean + k * sd),
    )


def evaluate_group(rule: RuleConfig, ctx: Context) -> Outcome:
    """Fires on a combination of other triggers: `all:` (every member fired) or `any:` (at
    least one member fired).

    Write `all:` or `any:` (not both) with a list of trigger rules of any kind, groups
    included. Each member is written, validated and evaluated exactly as a trigger of its
    own (same data, same `now`); its name must be unique among all the model's triggers,
    members included. Only the group asks for a retrain: a member firing alone does not.
    Reports show each member's outcome under the group; `observed` is how many fired
    (`1 of 2 fired`), `threshold` what the group needs (`all of 2`, `any of 2`).

    The reason quotes the members that decided, with their reasons: `all 2 fired: a (...);
    b (...)`, `1 of 2 fired, all needed: a fired; b quiet (...)`, `1 of 2 fired, one is
    enough: a fired (...); b quiet`, `none of 2 fired: a (...); b (...)`. A member's reason
    is shortened past 160 characters there (a nested group's is not: its members' are);
    the member's own row has it whole.

    Missing data fails closed: when any member is an error, the group is an error (never
    acted on a partial picture), even if another member of an `any` group fired; the reason
    names the member and its reason. Checks cannot be grouped: every error-level check
    vetoes on its own.
    """
    members = tuple(TRIGGERS[m.kind].evaluate(m, ctx) for m in group_members(rule))
    return group_outcome(rule, members)


# a member's reason inside its group's reason: long enough for a threshold's or a drift's
# sentence, short enough that a group of several reads as one sentence
MEMBER_REASON = 160


def _quoted(member: Outcome, limit: int = MEMBER_REASON) -> str:
    """A member's reason, shortened to `limit` characters at a space; a nested group's is
    kept whole, its own members' reasons being shortened already."""
    reason = member.reason
    if len(reason) <= limit or member.kind == GROUP:
        return reason
    cut = reason[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:(") + " …"


def group_outcome(rule: RuleConfig, members: Sequence[Outcome]) -> Outcome:
    """The group's outcome from its members' outcomes (pure: the backtest passes its own)."""
    members = tuple(members)
    total = len(members)
    mode = group_mode(rule)
    errors = [m for m in members if m.status == "error"]
    if errors or not members:
        if not members:
            reason = "the group has no members"
        elif len(errors) == 1:
            reason = f"member {errors[0].name} could not be evaluated ({_quoted(errors[0])})"
        else:
            names = ", ".join(m.name for m in errors)
            quoted = "; ".join(f"{m.name} ({_quoted(m)})" for m in errors)
            reason = f"members {names} could not be evaluated: {quoted}"
        return outcome(
            rule, status="error", observed=None, threshold=None, reason=reason, members=members
        )
    fired = [m for m in members if m.status == "fired"]
    holds = len(fired) == total if mode == "all" else bool(fired)
    if not fired:
        count = f"none of {total} fired"
    elif len(fired) == total and total > 1:
        count = f"all {total} fired"
    else:
        count = f"{len(fired)} of {total} fired"
    if mode == "all" and not holds:
        count += ", all needed"
    elif mode == "any" and holds and len(fired) < total:
        count += ", one is enough"
    # the members that decided are quoted with their reasons; when the members differ, each
    # says its status
    deciding = "fired" if holds else "quiet"
    mixed = 0 < len(fired) < total
    parts = []
    for member in members:
        status = f" {member.status}" if mixed else ""
        reason = f" ({_quoted(member)})" if member.status == deciding else ""
        parts.append(f"{member.name}{status}{reason}")
    return outcome(
        rule,
        status="fired" if holds else "quiet",
        observed=f"{len(fired)} of {total} fired",
        threshold=f"{mode} of {total}",
        reason=f"{count}: {'; '.join(parts)}",
        members=members,
    )


def _group_semantic(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    if not any(key in options for key in GROUP_KEYS):  # `kind: group` alone
        return [("kind", "a group lists its member rules under `all:` or `any:`")]
    if all(key in options for key in GROUP_KEYS):
        return [
            (
                "any",
                "a group is `all:` (every member must fire) or `any:` (one is enough), not both",
            )
        ]
    return []


MEMBERS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
}


def _one_of(options: Mapping[str, Any], keys: tuple[str, ...]) -> list[tuple[str, str]]:
    given = [k for k in keys if k in options]
    if len(given) > 1:
        return [(given[1], f"write only one of {', '.join(keys)}")]
    return []


def persistence_semantic(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    if "of_last" in options and int(options["of_last"]) < int(options.get("for", 1)):
        return [("of_last", "of_last must be at least `for` (M of the last N needs N >= M)")]
    if "window" in options and options.get("aggregate", "latest") == "latest":
        return [("window", "a window needs an aggregate (mean, median, min, max or sum)")]
    if options.get("aggregate", "latest") != "latest" and "window" not in options:
        return [("aggregate", "an aggregate needs a window (the last N, or a duration such as 7d)")]
    return []


def _growth_semantic(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    if options.get("count") == "since_training" and "window" in options:
        return [("window", "count: since_training adds up every value since training; no window")]
    return persistence_semantic(options)


DISTRIBUTION_SPEC: dict[str, Any] = {
    "type": "object",
    "required": ["reference", "current"],
    "additionalProperties": False,
    "properties": {
        "reference": {
            "type": "string",
            "minLength": 1,
            "description": "The committed reference distribution.",
        },
        "current": {
            "type": "string",
            "minLength": 1,
            "description": "The committed current distribution.",
        },
        "feature": {"type": "string", "description": "Which feature, when files hold several."},
        "bins": {"type": "integer", "minimum": 2, "description": "Quantile bins for samples."},
        "epsilon": {"type": "number", "exclusiveMinimum": 0, "description": "PSI: empty bins."},
    },
}

TRIGGERS: dict[str, Kind] = {
    "threshold": Kind(
        name="threshold",
        role="trigger",
        keys=("below", "above"),
        options={**COMMON, **SERIES_OPTIONS, "below": NUMBER, "above": NUMBER},
        required=("metric",),
        evaluate=evaluate_threshold,
        semantic=lambda o: _one_of(o, ("below", "above")) + persistence_semantic(o),
    ),
    "baseline_change": Kind(
        name="baseline_change",
        role="trigger",
        keys=("drop_from_baseline", "rise_from_baseline"),
        options={
            **COMMON,
            **SERIES_OPTIONS,
            "drop_from_baseline": AMOUNT,
            "rise_from_baseline": AMOUNT,
        },
        required=("metric",),
        evaluate=evaluate_baseline_change,
        uses_baseline=True,
        semantic=lambda o: (
            _one_of(o, ("drop_from_baseline", "rise_from_baseline")) + persistence_semantic(o)
        ),
    ),
    "data_growth": Kind(
        name="data_growth",
        role="trigger",
        keys=("growth_since_baseline",),
        options={
            **COMMON,
            # no `for`/`of_last`: growth compares one value (or one sum) with the card's
            "missing": SERIES_OPTIONS["missing"],
            "metric": SERIES_OPTIONS["metric"],
            "aggregate": SERIES_OPTIONS["aggregate"],
            "window": SERIES_OPTIONS["window"],
            "growth_since_baseline": AMOUNT,
            "count": {"enum": ["latest", "since_training"]},
        },
        required=("metric",),
        evaluate=evaluate_data_growth,
        uses_baseline=True,
        semantic=_growth_semantic,
    ),
    "model_age": Kind(
        name="model_age",
        role="trigger",
        keys=("max_age",),
        options={**COMMON, "max_age": DURATION},
        required=(),
        evaluate=evaluate_model_age,
        uses_series=False,
        uses_baseline=True,
    ),
    "drift": Kind(
        name="drift",
        role="trigger",
        keys=DRIFT_METRICS,
        options={
            **COMMON,
            **{m: DISTRIBUTION_SPEC for m in DRIFT_METRICS},
            "above": {"type": "number", "minimum": 0},
        },
        required=("above",),
        evaluate=evaluate_drift,
        uses_series=False,
        inputs=_drift_inputs,
        semantic=lambda o: _one_of(o, DRIFT_METRICS),
    ),
    "anomaly": Kind(
        name="anomaly",
        role="trigger",
        keys=("outside_sigma",),
        options={
            **COMMON,
            "missing": SERIES_OPTIONS["missing"],
            "metric": SERIES_OPTIONS["metric"],
            "for": SERIES_OPTIONS["for"],
            "of_last": SERIES_OPTIONS["of_last"],
            "outside_sigma": {"type": "number", "exclusiveMinimum": 0},
            "reference_window": WINDOW,
            "direction": {
                "enum": ["both", "below", "above"],
                "description": "Which side fires: below (a fall), above (a rise) or both.",
            },
        },
        required=("metric",),
        evaluate=evaluate_anomaly,
        semantic=persistence_semantic,
    ),
    GROUP: Kind(
        name=GROUP,
        role="trigger",
        keys=GROUP_KEYS,
        options={
            **COMMON,
            "all": {
                **MEMBERS_SCHEMA,
                "description": "Trigger rules that must all fire for the group to fire.",
            },
            "any": {
                **MEMBERS_SCHEMA,
                "description": "Trigger rules of which one firing is enough.",
            },
        },
        required=(),
        evaluate=evaluate_group,
        uses_series=False,
        semantic=_group_semantic,
    ),
}

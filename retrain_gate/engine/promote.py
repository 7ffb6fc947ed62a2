"""The promotion decision: pure. Is a retrained candidate better than the model it replaces,
by the model's `promotion:` rules?

    promotion:
      must_beat: {accuracy: 0.5%}      # better by more than 0.5% of the current value
      no_worse_than: {recall: 0.01}    # at most 0.01 worse (an absolute amount)

Higher is better unless a rule says `{by: 1%, better: lower}` (a loss, an error rate).
`must_beat` is strict like every rule (better by exactly the amount does not pass);
`no_worse_than` lets a loss of exactly the amount pass. A value missing on either side is
an error: the candidate is not promoted (fail closed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from retrain_gate.kinds.series import exceeds, fmt, percent
from retrain_gate.model import ModelConfig, PromotionRule
from retrain_gate.sources.card import Baseline
from retrain_gate.sources.card_write import Evaluation

Verdict = Literal["pass", "fail", "error"]


@dataclass(frozen=True)
class PromotionRow:
    """One rule's comparison: a row of the promotion table."""

    metric: str
    current: float | None
    candidate: float | None
    change: str  # the candidate's change, as the rule measures it: "+0.6%", "-0.004"
    rule: str  # "must beat by more than 0.5%"
    verdict: Verdict
    reason: str


@dataclass(frozen=True)
class Promotion:
    """Whether to promote the candidate, and why."""

    model: str
    promoted: bool
    summary: str
    rows: tuple[PromotionRow, ...] = ()

    @property
    def errors(self) -> tuple[PromotionRow, ...]:
        return tuple(r for r in self.rows if r.verdict == "error")


def rule_text(rule: PromotionRule) -> str:
    amount = percent(rule.amount) if rule.relative else fmt(rule.amount)
    lower = " (lower is better)" if rule.better == "lower" else ""
    if rule.mode == "must_beat":
        return f"must beat by more than {amount}{lower}"
    return f"no worse than {amount}{lower}"


def judge_rule(rule: PromotionRule, current: Baseline, candidate: Evaluation) -> PromotionRow:
    old, new = current.value(rule.metric), candidate.value(rule.metric)
    text = rule_text(rule)
    missing = [
        where for where, value in ((current.source, old), (candidate.source, new)) if value is None
    ]
    if old is None or new is None:
        return PromotionRow(
            rule.metric, old, new, "", text, "error", f"{rule.metric} is missing in {missing[0]}"
        )
    gain = (new - old) if rule.better == "higher" else (old - new)
    if rule.relative:
        if old == 0:
            return PromotionRow(
                rule.metric,
                old,
                new,
                "",
                text,
                "error",
                f"the current {rule.metric} is 0: a relative change is undefined",
            )
        gain /= abs(old)
    change = f"{gain:+.2%}" if rule.relative else f"{gain:+.4g}"
    better = "better" if gain >= 0 else "worse"
    # must_beat: better by more than the amount; no_worse_than: worse by at most the amount
    ok = exceeds(gain, rule.amount) if rule.mode == "must_beat" else not exceeds(-gain, rule.amount)
    verdict: Verdict = "pass" if ok else "fail"
    reason = (
        f"{rule.metric} {fmt(new)} vs {fmt(old)}: {change} ({better}); "
        f"{'meets' if ok else 'fails'} {text}"
    )
    return PromotionRow(rule.metric, old, new, change, text, verdict, reason)


def judge(model: ModelConfig, current: Baseline | None, candidate: Evaluation) -> Promotion:
    """Promote the candidate when every promotion rule passes."""
    if current is None:
        return Promotion(model.name, True, "no current model card: the candidate is version 1")
    if model.promotion is None or not model.promotion.rules:
        return Promotion(
            model.name,
            True,
            "no `promotion:` rules for this model: promoted without a comparison",
        )
    rows = tuple(judge_rule(rule, current, candidate) for rule in model.promotion.rules)
    failed = [r for r in rows if r.verdict != "pass"]
    if not failed:
        return Promotion(model.name, True, f"{len(rows)} of {len(rows)} rules passed", rows)
    first = failed[0]
    more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
    return Promotion(model.name, False, f"{first.reason}{more}", rows)

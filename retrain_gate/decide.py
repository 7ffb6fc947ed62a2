"""The decision: a trigger asks for a retrain; a failed error-level check vetoes it."""

from __future__ import annotations

from retrain_gate.results import Decision, Outcome, Problem


def blocking_errors(outcomes: tuple[Outcome, ...]) -> tuple[Outcome, ...]:
    """Outcomes that could not be evaluated and must stop the gate (warn checks only report)."""
    return tuple(
        o
        for o in outcomes
        if o.status == "error" and not (o.role == "check" and o.severity == "warn")
    )


def decide(
    triggers: tuple[Outcome, ...], checks: tuple[Outcome, ...], problems: tuple[Problem, ...] = ()
) -> tuple[Decision, str]:
    """(decision, one-line summary).

    error: a rule could not be evaluated or a file could not be read (fail closed);
    blocked: a trigger fired but an error-level check failed; retrain: a trigger fired and
    every error-level check passed; skip: no trigger fired.
    """
    errors = blocking_errors(triggers + checks)
    fired = [o.name for o in triggers if o.status == "fired"]
    if errors or (problems and not triggers + checks):
        first = errors[0] if errors else None
        count = len(errors)
        if first is not None:
            more = f" (and {count - 1} more)" if count > 1 else ""
            return "error", f"{first.name} could not be evaluated: {first.reason}{more}"
        return "error", str(problems[0])
    vetoes = [o.name for o in checks if o.vetoes]
    if fired and vetoes:
        return (
            "blocked",
            f"{_names(fired)} fired, but {_names(vetoes)} failed: not retraining on bad data",
        )
    if fired:
        passed = sum(1 for o in checks if o.status == "passed")
        checks_text = f"all {passed} checks passed" if passed else "no checks configured"
        return "retrain", f"{_names(fired)} fired; {checks_text}"
    warned = [o.name for o in checks if o.status in ("failed", "warned")]
    note = f"; {_names(warned)} failed" if warned else ""
    return "skip", f"no trigger fired ({len(triggers)} quiet){note}"


def _names(names: list[str]) -> str:
    return ", ".join(names)

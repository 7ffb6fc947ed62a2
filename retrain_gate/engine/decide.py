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
        if problems:  # a file that cannot be read: its own message says it all, once
            unread = len(errors)
            rules = f"; {unread} rule{'s' if unread != 1 else ''} not evaluated" if unread else ""
            others = len(problems) - 1
            more = f"; {others} more problem{'s' if others != 1 else ''}" if others else ""
            return "error", f"{problems[0]}{more}{rules}"
        more = f"; {len(errors) - 1} more could not" if len(errors) > 1 else ""
        return "error", f"{errors[0].name} could not be evaluated: {errors[0].reason}{more}"
    vetoes = [o.name for o in checks if o.vetoes]
    if fired and vetoes:
        return (
            "blocked",
            # the veto first: it is what decided
            f"{_names(vetoes)} failed, holding back {_names(fired)}: not retraining on bad data",
        )
    notes = "".join(f"; {note}" for note in _check_notes(checks))
    if fired:
        passed = sum(1 for o in checks if o.status == "passed")
        if not checks:
            checks_text = "no checks configured"
        elif passed == len(checks):
            checks_text = f"all {passed} checks passed" if passed > 1 else "the check passed"
        else:
            checks_text = f"{passed} of {len(checks)} checks passed"
        return "retrain", f"{_names(fired)} fired; {checks_text}{notes}"
    return "skip", f"no trigger fired, {len(triggers)} quiet{notes}"


def _check_notes(checks: tuple[Outcome, ...]) -> list[str]:
    """What a reader must not miss although it did not change the decision."""
    notes = []
    for status, text in (
        ("failed", "failed"),
        ("warned", "warned (severity warn)"),
        ("error", "could not be evaluated (severity warn)"),
    ):
        names = [o.name for o in checks if o.status == status]
        if names:
            notes.append(f"{_names(names)} {text}")
    return notes


def _names(names: list[str]) -> str:
    return ", ".join(names)

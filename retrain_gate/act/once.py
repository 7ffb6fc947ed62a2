"""Send a request that starts something (a run, an issue, a comment) at most once, whatever
the API answers.

A definitive answer (2xx, or a refusal) is final. A non-definitive one (a 5xx, no answer in
time, a connection dropped after the request went out: `MaybeActedError`) means "may have
acted": before any resend, `look` for what this request caused, a few times over (GitHub can
take a few seconds to list a new run), and send again only when it is certainly absent. When
the look cannot tell, the result is "maybe": the caller reports it and a person checks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from retrain_gate.errors import GitHubError
from retrain_gate.github.failures import MaybeActedError

A = TypeVar("A")  # what a definitive answer gives
F = TypeVar("F")  # what a look finds

# Seconds to wait before each look after a non-definitive answer: about 15 s in all, past the
# few seconds a new run can take to appear in the runs list.
LOOKS: tuple[float, ...] = (2.0, 3.0, 5.0, 5.0)


SENDS = 3  # at most this many requests, each after the previous one is certainly absent


@dataclass(frozen=True)
class Look(Generic[F]):
    """One look: found (what), absent, or unsure (something that may be it, or a failed read)."""

    seen: Literal["found", "unsure", "absent"]
    found: F | None = None
    why: str = ""


@dataclass(frozen=True)
class Sent(Generic[A, F]):
    """How it ended.

    sent: answered (`answer`). found: a non-definitive answer, then `found` is what it caused.
    failed: certainly not done (`error`: a refusal, or non-definitive answers to every send
    while the looks found it absent each time). maybe: it may have been done (`error`: the
    last non-definitive answer; `why`: why the look could not tell).
    """

    state: Literal["sent", "found", "failed", "maybe"]
    sends: int
    answer: A | None = None
    found: F | None = None
    error: GitHubError | None = None
    why: str = ""


def at_most_once(
    send: Callable[[], A],
    look: Callable[[], Look[F]],
    *,
    pause: Callable[[float], bool],
    looks: Sequence[float] = LOOKS,
    sends: int = SENDS,
) -> Sent[A, F]:
    """`send` until a definitive answer, looking (`look`, after each of `looks` pauses) before
    any resend. `pause(seconds)` returns False when there is no time left for it."""
    last: MaybeActedError | None = None
    for count in range(1, sends + 1):
        try:
            return Sent("sent", count, answer=send())
        except MaybeActedError as error:
            last = error
        except GitHubError as error:
            return Sent("failed", count, error=error)
        seen = _look_a_while(look, pause=pause, looks=looks)
        if seen.seen == "found":
            return Sent("found", count, found=seen.found, error=last)
        if seen.seen == "unsure":
            return Sent("maybe", count, error=last, why=seen.why)
    return Sent("failed", sends, error=last)


def _look_a_while(
    look: Callable[[], Look[F]], *, pause: Callable[[float], bool], looks: Sequence[float]
) -> Look[F]:
    """Look after each pause until found; unsure when any look was (a new thing that may be
    it appeared, or the read failed), absent when every look was."""
    unsure: Look[F] | None = None
    for seconds in looks:
        if not pause(seconds):
            return Look("unsure", why="the API time budget ran out while looking for it")
        try:
            seen = look()
        except GitHubError as error:
            seen = Look("unsure", why=f"looking for it failed: {error}")
        if seen.seen == "found":
            return seen
        if seen.seen == "unsure":
            unsure = seen
    if not looks:
        return Look("unsure", why="nothing to look with")
    return unsure or Look("absent")

"""Restart policy and the failure ledger that decides between restarting and stopping an actor."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from core.clock import monotonic_s


@dataclass(frozen=True, slots=True)
class RestartPolicy:
    """How an actor is restarted after a failing tell or activation.

    ``max_restarts`` failures within ``within_s`` are tolerated, each followed by a restart after an
    exponential back-off starting at ``backoff_s``; one more stops the actor.
    """

    max_restarts: int = 3
    within_s: float = 60.0
    backoff_s: float = 0.1
    max_backoff_s: float = 5.0


class FailureLedger:
    """Recent failures per actor key, kept across its activations on this node."""

    def __init__(self) -> None:
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._windows: dict[tuple[str, str], float] = {}

    def record(self, actor: tuple[str, str], policy: RestartPolicy) -> float | None:
        """Note one failure; return the delay before restarting, or None to stop the actor."""
        now = monotonic_s()
        recent = self._failures.setdefault(actor, deque())
        self._windows[actor] = policy.within_s
        recent.append(now)
        while recent and now - recent[0] > policy.within_s:
            recent.popleft()
        if len(recent) > policy.max_restarts:
            self.forget(actor)
            return None
        delay_s: float = policy.backoff_s * 2 ** (len(recent) - 1)
        return min(delay_s, policy.max_backoff_s)

    def forget(self, actor: tuple[str, str]) -> None:
        self._failures.pop(actor, None)
        self._windows.pop(actor, None)

    def prune(self) -> None:
        """Drop ledgers whose newest failure is older than their window (bounded memory)."""
        now = monotonic_s()
        expired = [
            actor
            for actor, times in self._failures.items()
            if now - times[-1] > self._windows[actor]
        ]
        for actor in expired:
            self.forget(actor)

    def __len__(self) -> int:
        return len(self._failures)

"""A token bucket per socket: a steady command rate with room for bursts."""

from __future__ import annotations

import time


class TokenBucket:
    """``rate_per_s`` tokens a second, at most ``burst`` saved up; one token per command."""

    __slots__ = ("_burst", "_rate", "_stamp", "_tokens")

    def __init__(self, rate_per_s: float, burst: int) -> None:
        self._rate = rate_per_s
        self._burst = float(burst)
        self._tokens = float(burst)
        self._stamp = time.monotonic()

    def take(self) -> float:
        """Take one token: 0.0 if allowed, else the seconds until the next token."""
        now = time.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) / self._rate

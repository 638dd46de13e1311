"""Time sources: timezone-aware wall clock for records, monotonic clock for durations, and the
injectable ``Clock`` that schedule-driven code reads and waits by (``ScaledClock`` lets a test
run a whole event day in seconds)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


def utc_now() -> datetime:
    """The current time as a timezone-aware UTC datetime."""
    return datetime.now(UTC)


def monotonic_s() -> float:
    """Seconds on a clock that never goes back; only for measuring durations."""
    return time.monotonic()


class Clock(Protocol):
    """Wall time, and how long to wait (in real seconds) until a wall-time moment."""

    def now(self) -> datetime: ...

    def seconds_until(self, moment: datetime) -> float: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return utc_now()

    def seconds_until(self, moment: datetime) -> float:
        return max((moment - utc_now()).total_seconds(), 0.0)


class ScaledClock:
    """Time that starts at ``start`` and runs ``factor`` times faster than real time."""

    def __init__(self, start: datetime, factor: float) -> None:
        if start.tzinfo is None or factor <= 0:
            msg = "start must be timezone-aware and factor positive"
            raise ValueError(msg)
        self._start = start
        self._factor = factor
        self._started = time.monotonic()

    def now(self) -> datetime:
        elapsed = (time.monotonic() - self._started) * self._factor
        return self._start + timedelta(seconds=elapsed)

    def seconds_until(self, moment: datetime) -> float:
        return max((moment - self.now()).total_seconds() / self._factor, 0.0)

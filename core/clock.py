"""Time sources: timezone-aware wall clock for records, monotonic clock for durations."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def utc_now() -> datetime:
    """The current time as a timezone-aware UTC datetime."""
    return datetime.now(UTC)


def monotonic_s() -> float:
    """Seconds on a clock that never goes back; only for measuring durations."""
    return time.monotonic()

"""The injectable clocks: the system clock follows real time, a scaled clock runs faster and
converts waits into real seconds."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from core.clock import ScaledClock, SystemClock, utc_now


def test_the_system_clock_is_now_and_waits_in_real_seconds() -> None:
    clock = SystemClock()
    assert abs((clock.now() - utc_now()).total_seconds()) < 1
    assert 59 < clock.seconds_until(utc_now() + timedelta(minutes=1)) <= 60
    assert clock.seconds_until(utc_now() - timedelta(hours=1)) == 0


def test_a_scaled_clock_runs_faster_and_scales_waits() -> None:
    start = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    clock = ScaledClock(start, factor=3600)
    time.sleep(0.01)
    assert start < clock.now() < start + timedelta(minutes=10)
    assert clock.seconds_until(start + timedelta(hours=1)) == pytest.approx(1.0, abs=0.05)


def test_a_scaled_clock_refuses_a_naive_start_or_a_bad_factor() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ScaledClock(datetime(2026, 12, 5, 9, 0), factor=10)
    with pytest.raises(ValueError, match="factor"):
        ScaledClock(utc_now(), factor=0)

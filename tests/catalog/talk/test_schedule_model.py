"""The snapshot values: stable guids, frab day bucketing, and the invariants exports rely on."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from catalog.talk.schedule_model import (
    Break,
    format_duration,
    schedule_day,
    schedule_days,
    talk_guid,
)
from tests.catalog.talk.schedule_support import berlin, small_snapshot


def test_talk_guid_is_stable_per_event_and_code() -> None:
    assert talk_guid("democon", "AAA111") == talk_guid("democon", "AAA111")
    assert talk_guid("democon", "AAA111") != talk_guid("democon", "BBB222")
    assert talk_guid("democon", "AAA111") != talk_guid("othercon", "AAA111")
    assert talk_guid("democon", "AAA111").version == 5


def test_days_change_at_four_in_the_morning_local_time() -> None:
    conference = small_snapshot().conference

    assert schedule_day(conference, berlin(29, 3, 59)) == date(2026, 3, 28)
    assert schedule_day(conference, berlin(29, 4, 0)) == date(2026, 3, 29)
    assert schedule_days(small_snapshot()) == [date(2026, 3, 28), date(2026, 3, 29)]


def test_schedule_days_widen_to_talks_outside_the_conference_dates() -> None:
    snapshot = small_snapshot()
    late = replace(snapshot.talks[0], start=berlin(31, 9))

    days = schedule_days(replace(snapshot, talks=(*snapshot.talks, late)))

    assert days[-1] == date(2026, 3, 31)
    assert len(days) == 4


def test_durations_are_hours_and_minutes_even_beyond_a_day() -> None:
    assert format_duration(timedelta(minutes=45)) == "00:45"
    assert format_duration(timedelta(hours=25, minutes=5)) == "25:05"


def test_naive_start_times_are_refused() -> None:
    talk = small_snapshot().talks[0]
    with pytest.raises(ValueError, match="naive"):
        replace(talk, start=datetime(2026, 3, 28, 10, 0))


def test_a_snapshot_refuses_talks_in_unknown_rooms() -> None:
    snapshot = small_snapshot()
    with pytest.raises(ValueError, match="AAA111"):
        replace(snapshot, talks=(replace(snapshot.talks[0], room="Nowhere"),))
    with pytest.raises(ValueError, match="unknown room"):
        replace(
            snapshot, breaks=(Break(room="Nowhere", start=berlin(28, 9), duration=timedelta()),)
        )

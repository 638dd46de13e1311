"""A room's timeline: now and next at any moment, the next change, stream overrides, wire form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from live.timeline import Timeline, TimelineSlot

DAY = datetime(2026, 12, 5, tzinfo=UTC)


def at(hours: float) -> datetime:
    return DAY + timedelta(hours=hours)


def slot(slot_id: str, start: float, end: float, **extra: object) -> TimelineSlot:
    return TimelineSlot(slot_id, at(start), at(end), f"Talk {slot_id}", **extra)  # type: ignore[arg-type]


TIMELINE = Timeline(
    [
        slot("b", 10, 11),
        slot("a", 9, 10),
        slot("lunch", 12, 13, kind="break"),
        slot("c", 13, 14, stream={"hls_url": "https://cdn.example.org/c.m3u8"}),
    ]
)


@pytest.mark.parametrize(
    ("hour", "running", "following"),
    [
        (8, None, "a"),
        (9, "a", "b"),
        (9.5, "a", "b"),
        (10, "b", "lunch"),
        (11.5, None, "lunch"),
        (12.5, "lunch", "c"),
        (13.5, "c", None),
        (15, None, None),
    ],
)
def test_now_and_next(hour: float, running: str | None, following: str | None) -> None:
    now, upcoming = TIMELINE.now_and_next(at(hour))
    assert (now and now.id, upcoming and upcoming.id) == (running, following)


def test_the_next_change_is_the_next_start_or_end() -> None:
    assert TIMELINE.next_change(at(8)) == at(9)
    assert TIMELINE.next_change(at(9)) == at(10)
    assert TIMELINE.next_change(at(11)) == at(12)
    assert TIMELINE.next_change(at(14)) is None


def test_a_slot_may_override_the_rooms_stream() -> None:
    room_stream = {"hls_url": "https://cdn.example.org/room.m3u8"}
    assert TIMELINE.stream(at(13.5), room_stream) == {"hls_url": "https://cdn.example.org/c.m3u8"}
    assert TIMELINE.stream(at(9.5), room_stream) == room_stream


def test_the_view_carries_the_stream_the_room_shows() -> None:
    room_stream = {"hls_url": "https://cdn.example.org/room.m3u8"}
    assert TIMELINE.view("r", at(9.5), room_stream)["stream"] == room_stream
    assert TIMELINE.view("r", at(13.5), room_stream)["stream"] == {
        "hls_url": "https://cdn.example.org/c.m3u8"
    }
    assert TIMELINE.view("r", at(9.5))["stream"] is None


@pytest.mark.parametrize(
    ("hour", "session"), [(8, None), (9.5, "a"), (10, "b"), (12.5, None), (13.5, "c")]
)
def test_the_running_session_is_the_running_talk(hour: float, session: str | None) -> None:
    assert TIMELINE.running_session(at(hour)) == session


def test_the_view_and_the_wire_form_round_trip() -> None:
    view = TIMELINE.view("room-1", at(9.5))
    assert view["room"] == "room-1"
    assert (view["now"]["id"], view["next"]["id"]) == ("a", "b")
    assert Timeline.from_wire(TIMELINE.wire()).wire() == TIMELINE.wire()


@pytest.mark.parametrize(
    "raw",
    [
        {"id": "x", "start": "2026-12-05T09:00:00", "end": "2026-12-05T10:00:00"},
        {"id": "x", "start": "2026-12-05T10:00:00+00:00", "end": "2026-12-05T09:00:00+00:00"},
        {"id": "x", "start": "2026-12-05T09:00:00+00:00"},
        {"id": "x", "start": 5, "end": 6},
    ],
)
def test_bad_slots_are_refused(raw: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message varies by problem
        TimelineSlot.from_wire(raw)

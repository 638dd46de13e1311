"""A room's timeline: the slots (talks and breaks) a schedule puts in one room, and what runs now
and next at a moment — the ``room.schedule`` push and the running session every module of the
room can key on. Pure: no clock of its own, no I/O."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class TimelineSlot:
    """One slot; ``id`` is the talk's stable id across schedule versions (or the break's)."""

    id: str
    start: datetime
    end: datetime
    title: str
    kind: str = "talk"  # or "break"
    speakers: tuple[str, ...] = ()
    track: str | None = None
    # A different stream for this slot (e.g. {"hls_url": ...}); None: the room's own.
    stream: Mapping[str, Any] | None = field(default=None, hash=False)

    def wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "title": self.title,
            "kind": self.kind,
            "speakers": list(self.speakers),
            "track": self.track,
            "stream": None if self.stream is None else dict(self.stream),
        }

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any]) -> TimelineSlot:
        """A slot from its wire form; ValueError for a missing, mistyped or empty one."""
        try:
            start = datetime.fromisoformat(raw["start"])
            end = datetime.fromisoformat(raw["end"])
            slot = cls(
                id=str(raw["id"]),
                start=start,
                end=end,
                title=str(raw.get("title", "")),
                kind=str(raw.get("kind", "talk")),
                speakers=tuple(str(s) for s in raw.get("speakers", ())),
                track=raw.get("track"),
                stream=raw.get("stream"),
            )
        except (KeyError, TypeError) as exc:
            msg = f"not a timeline slot: {exc!r}"
            raise ValueError(msg) from None
        if start.tzinfo is None or end.tzinfo is None or end <= start:
            msg = f"slot {slot.id}: times must be timezone-aware and end after start"
            raise ValueError(msg)
        return slot


class Timeline:
    """A room's slots in start order."""

    def __init__(self, slots: Iterable[TimelineSlot] = ()) -> None:
        self.slots: tuple[TimelineSlot, ...] = tuple(sorted(slots, key=lambda s: (s.start, s.id)))
        self._starts = [slot.start for slot in self.slots]

    def now_and_next(self, at: datetime) -> tuple[TimelineSlot | None, TimelineSlot | None]:
        """The slot running at ``at`` (the latest started, if slots overlap) and the first one
        starting after it."""
        started = bisect.bisect_right(self._starts, at)
        running = [slot for slot in self.slots[:started] if slot.end > at]
        following = self.slots[started] if started < len(self.slots) else None
        return (running[-1] if running else None), following

    def next_change(self, at: datetime) -> datetime | None:
        """The first moment after ``at`` when now or next changes (a slot starts or ends)."""
        moments = [m for slot in self.slots for m in (slot.start, slot.end) if m > at]
        return min(moments, default=None)

    def view(
        self, room_id: str, at: datetime, room_stream: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The ``room.schedule`` payload: ``{room, now, next, stream}``; ``stream`` is what the
        room shows at ``at`` (the running slot's override, else ``room_stream``)."""
        running, following = self.now_and_next(at)
        stream = self.stream(at, room_stream)
        return {
            "room": room_id,
            "now": None if running is None else running.wire(),
            "next": None if following is None else following.wire(),
            "stream": None if stream is None else dict(stream),
        }

    def running_session(self, at: datetime) -> str | None:
        """The id of the talk running at ``at`` (breaks are no session), else None."""
        running, _ = self.now_and_next(at)
        return running.id if running is not None and running.kind == "talk" else None

    def stream(self, at: datetime, default: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        """The stream to show at ``at``: the running slot's override, else the room's own."""
        running, _ = self.now_and_next(at)
        if running is not None and running.stream is not None:
            return running.stream
        return default

    def wire(self) -> list[dict[str, Any]]:
        return [slot.wire() for slot in self.slots]

    @classmethod
    def from_wire(cls, raw: Sequence[Mapping[str, Any]]) -> Timeline:
        return cls(TimelineSlot.from_wire(slot) for slot in raw)

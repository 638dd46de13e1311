"""``TimelineActor``: one live room's schedule — what runs now and next, the stream the room
shows (a slot's override, else the room's own ``livestream.native`` stream) and the running
session. It pushes ``room.schedule {room, now, next, stream}`` to the room at every slot boundary
and at once when a new timeline is published, and answers ``room.enter`` with the same view; the
room's other modules ask ``running_session`` to key their data by session.

Time comes from the injected clock (``deps.clock``), so a test can run a whole day in seconds.
The timeline is durable (``room_timelines``); a new owner after a failover reloads it when the
room's actor pings it (every sweep while the room has viewers) or anyone asks. Each ping also
rereads the stored timeline, so one written by another process (``eventyay schedule import`` on
an embedded node) reaches the room within a sweep.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from actors import Actor
from core.clock import Clock
from live import topic_names
from live.tables import room_timelines, rooms
from live.timeline import Timeline
from live.timeline_store import save_timeline

_BOUNDARY = "boundary"


class TimelineActor(Actor):
    """Keyed by live room id."""

    kind_name = "live.timeline"
    fenced = True

    async def on_activate(self) -> None:
        self.clock: Clock = self.deps.clock
        self.version: str | None = None
        self.timeline = Timeline()
        self.due: datetime | None = None  # the boundary the timer waits for
        self.stored_at: datetime | None = None
        self.room_stream: dict[str, Any] | None = None
        await self._reload()
        self._arm()

    async def publish(self, slots: list[dict[str, Any]], version: str | None) -> dict[str, Any]:
        """Replace the room's timeline (ValueError for bad slots); everyone in the room gets the
        new now/next at once. Answers the view."""
        timeline = Timeline.from_wire(slots)
        now = self.clock.now()
        async with self.fenced_transaction() as session:
            await save_timeline(session, self.key, timeline, version, now)
        self.timeline, self.version, self.stored_at = timeline, version, now
        return self._push()

    async def current(self) -> dict[str, Any]:
        """``{room, now, next, stream}`` at this moment."""
        return self.timeline.view(self.key, self.clock.now(), self.room_stream)

    async def running_session(self) -> str | None:
        """The id of the talk running in the room now (stable across schedule versions), or
        None between talks and during breaks."""
        return self.timeline.running_session(self.clock.now())

    async def boundary(self) -> None:
        """A slot started or ended: tell the room (a timer that fired early waits on)."""
        if self.due is not None and self.clock.now() < self.due:
            self._arm()
            return
        self._push()

    async def ensure(self) -> None:
        """The room's actor pings while it has viewers: being active keeps the timers going
        after a failover, and a timeline stored by another process is taken up."""
        if await self._reload():
            self._push()

    async def _reload(self) -> bool:
        """Read the stored timeline and the room's own stream; whether either differs from
        what is held."""
        async with self.deps.database.transaction() as session:
            row = (
                await session.execute(
                    select(room_timelines).where(room_timelines.c.room_id == self.key)
                )
            ).first()
            modules = await session.scalar(select(rooms.c.modules).where(rooms.c.id == self.key))
        room_stream = _livestream(modules)
        changed = room_stream != self.room_stream
        self.room_stream = room_stream
        if row is None or row.updated_at == self.stored_at:
            return changed
        self.timeline, self.version = Timeline.from_wire(row.slots), row.version
        self.stored_at = row.updated_at
        return True

    def _push(self) -> dict[str, Any]:
        view = self.timeline.view(self.key, self.clock.now(), self.room_stream)
        self.system.topics.publish(topic_names.room(self.key), ["room.schedule", view])
        self._arm()
        return view

    def _arm(self) -> None:
        change: datetime | None = self.timeline.next_change(self.clock.now())
        self.due = change
        if change is None:
            self.timers.cancel(_BOUNDARY)
        else:
            self.timers.start(_BOUNDARY, self.clock.seconds_until(change), TimelineActor.boundary)


def _livestream(modules: Any) -> dict[str, Any] | None:
    """The config of the room's ``livestream.native`` module (its own stream), if it has one."""
    for module in modules or ():
        if isinstance(module, dict) and module.get("type") == "livestream.native":
            config = module.get("config")
            return dict(config) if isinstance(config, dict) else {}
    return None

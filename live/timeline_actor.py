"""``TimelineActor``: one live room's schedule — what runs now and next. It pushes
``room.schedule {room, now, next}`` to the room at every slot boundary and at once when a new
timeline is published, and answers ``room.enter`` with the same view.

Time comes from the injected clock (``deps.clock``), so a test can run a whole day in seconds.
The timeline is durable (``room_timelines``); a new owner after a failover reloads it when the
room's actor pings it (every sweep while the room has viewers) or anyone asks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from actors import Actor
from core.clock import Clock
from live import topic_names
from live.tables import room_timelines
from live.timeline import Timeline

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
        async with self.deps.database.transaction() as session:
            row = (
                await session.execute(
                    select(room_timelines).where(room_timelines.c.room_id == self.key)
                )
            ).first()
        if row is not None:
            self.timeline, self.version = Timeline.from_wire(row.slots), row.version
        self._arm()

    async def publish(self, slots: list[dict[str, Any]], version: str | None) -> dict[str, Any]:
        """Replace the room's timeline (ValueError for bad slots); everyone in the room gets the
        new now/next at once. Answers the view."""
        timeline = Timeline.from_wire(slots)
        now = self.clock.now()
        async with self.fenced_transaction() as session:
            dialect = self.deps.database.dialect
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            statement = insert(room_timelines).values(
                room_id=self.key, slots=timeline.wire(), version=version, updated_at=now
            )
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=[room_timelines.c.room_id],
                    set_={"slots": statement.excluded.slots, "version": version, "updated_at": now},
                )
            )
        self.timeline, self.version = timeline, version
        return self._push()

    async def current(self) -> dict[str, Any]:
        """``{room, now, next}`` at this moment."""
        return self.timeline.view(self.key, self.clock.now())

    async def boundary(self) -> None:
        """A slot started or ended: tell the room (a timer that fired early waits on)."""
        if self.due is not None and self.clock.now() < self.due:
            self._arm()
            return
        self._push()

    async def ensure(self) -> None:
        """Nothing but being active: the room's actor pings so timers survive a failover."""

    def _push(self) -> dict[str, Any]:
        view = self.timeline.view(self.key, self.clock.now())
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

"""Events and rooms: loading an event with its rooms (briefly cached per node) and creating them.

Owns the ``events``, ``rooms`` and ``channels`` tables.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select, update

from core.clock import utc_now
from core.database import Database
from core.ids import new_id
from live import audit
from live.errors import UnknownEventError
from live.models import Event, Module, Requirement, Room
from live.permissions import default_room_grants
from live.tables import channels, events, rooms

_CACHE_TTL_S = 2.0


class EventService:
    """Reads and writes events and rooms."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._cache: dict[str, tuple[float, Event]] = {}

    async def by_slug(self, slug: str) -> Event:
        """The event ``organizer/event`` with its rooms in display order.

        Raises:
            UnknownEventError: no such event.
        """
        cached = self._cache.get(slug)
        if cached is not None and time.monotonic() - cached[0] < _CACHE_TTL_S:
            return cached[1]
        event = await self._load(slug)
        self._cache[slug] = (time.monotonic(), event)
        return event

    def forget(self, slug: str) -> None:
        self._cache.pop(slug, None)

    async def _load(self, slug: str) -> Event:
        async with self._database.transaction() as session:
            row = (await session.execute(select(events).where(events.c.slug == slug))).first()
            if row is None:
                raise UnknownEventError(event=slug)
            room_rows = (
                await session.execute(
                    select(rooms, channels.c.id.label("channel_id"))
                    .outerjoin(channels, channels.c.room_id == rooms.c.id)
                    .where(rooms.c.event_id == row.id, rooms.c.deleted.is_(False))
                    .order_by(rooms.c.sort_key, rooms.c.created_at)
                )
            ).all()
        return Event(
            id=row.id,
            slug=row.slug,
            title=row.title,
            timezone=row.timezone,
            config=row.config,
            roles=row.roles,
            trait_grants=row.trait_grants,
            version=row.version,
            rooms=tuple(_room(r) for r in room_rows),
        )

    async def create_event(
        self, slug: str, title: str, *, timezone: str = "UTC", config: dict[str, Any] | None = None
    ) -> str:
        event_id = new_id()
        async with self._database.transaction() as session:
            await session.execute(
                insert(events).values(
                    id=event_id,
                    slug=slug,
                    title=title,
                    timezone=timezone,
                    config=config or {},
                    roles=None,
                    trait_grants=None,
                    version=1,
                    created_at=utc_now(),
                )
            )
        return event_id

    async def add_room(
        self,
        event_id: str,
        name: str,
        modules: Sequence[Module],
        *,
        description: str = "",
        trait_grants: dict[str, list[Requirement]] | None = None,
        sort_key: int = 0,
        by: str | None = None,
    ) -> str:
        """Create a room; a ``chat.native`` module gets its channel. Audited (``by`` is who)."""
        room_id = new_id()
        now = utc_now()
        async with self._database.transaction() as session:
            await session.execute(
                insert(rooms).values(
                    id=room_id,
                    event_id=event_id,
                    name=name,
                    description=description,
                    sort_key=sort_key,
                    modules=[m.model_dump(exclude={"channel"}) for m in modules],
                    trait_grants=trait_grants
                    if trait_grants is not None
                    else default_room_grants(),
                    deleted=False,
                    created_at=now,
                )
            )
            await _ensure_chat_channel(session, event_id, room_id, modules)
            await _bump(session, event_id)
            await audit.record(
                session, event_id, by, "room.created", {"room": room_id, "name": name}
            )
        return room_id

    async def update_config(
        self, event_id: str, changes: dict[str, Any], *, by: str | None
    ) -> None:
        """Merge ``changes`` into the event's config (audited; ``by`` is who changed it)."""
        async with self._database.transaction() as session:
            config = (
                await session.execute(select(events.c.config).where(events.c.id == event_id))
            ).scalar_one()
            await session.execute(
                update(events).where(events.c.id == event_id).values(config={**config, **changes})
            )
            await _bump(session, event_id)
            await audit.record(session, event_id, by, "event.config.updated", {"changes": changes})
        for slug, (_, event) in list(self._cache.items()):
            if event.id == event_id:
                self.forget(slug)

    async def any_event(self) -> bool:
        async with self._database.transaction() as session:
            return (await session.execute(select(events.c.id).limit(1))).first() is not None

    async def update_room(
        self, event_id: str, room_id: str, changes: dict[str, Any], *, by: str | None
    ) -> None:
        """Change a room's fields (audited; ``by`` is who changed it)."""
        values = dict(changes)
        modules: Sequence[Module] = values.get("modules", ())
        if "modules" in values:
            values["modules"] = [m.model_dump(exclude={"channel"}) for m in modules]
        async with self._database.transaction() as session:
            await session.execute(
                update(rooms)
                .where(rooms.c.id == room_id, rooms.c.event_id == event_id)
                .values(**values)
            )
            await _ensure_chat_channel(session, event_id, room_id, modules)
            await _bump(session, event_id)
            kind = "room.deleted" if values.get("deleted") else "room.updated"
            await audit.record(
                session, event_id, by, kind, {"room": room_id, "fields": sorted(changes)}
            )

    async def reorder(self, event_id: str, room_ids: Sequence[str], *, by: str | None) -> None:
        async with self._database.transaction() as session:
            for position, room_id in enumerate(room_ids, start=1):
                await session.execute(
                    update(rooms)
                    .where(rooms.c.id == room_id, rooms.c.event_id == event_id)
                    .values(sort_key=position)
                )
            await _bump(session, event_id)
            await audit.record(session, event_id, by, "room.reordered", {"rooms": list(room_ids)})

    async def delete_room(self, event_id: str, room_id: str, *, by: str | None) -> None:
        """Soft delete: the room disappears, its chat history stays."""
        await self.update_room(event_id, room_id, {"deleted": True}, by=by)


def _room(row: Any) -> Room:
    modules = tuple(
        Module(**module, channel=row.channel_id if module["type"] == "chat.native" else None)
        for module in row.modules
    )
    return Room(
        id=row.id,
        name=row.name,
        description=row.description,
        sort_key=row.sort_key,
        modules=modules,
        trait_grants=row.trait_grants,
    )


async def _bump(session: Any, event_id: str) -> None:
    await session.execute(
        update(events).where(events.c.id == event_id).values(version=events.c.version + 1)
    )


async def _ensure_chat_channel(
    session: Any, event_id: str, room_id: str, modules: Sequence[Module]
) -> None:
    """Give the room its chat channel if a ``chat.native`` module needs one and it has none."""
    if not any(module.type == "chat.native" for module in modules):
        return
    exists = await session.execute(select(channels.c.id).where(channels.c.room_id == room_id))
    if exists.first() is None:
        await session.execute(
            insert(channels).values(
                id=new_id(), event_id=event_id, room_id=room_id, created_at=utc_now()
            )
        )

"""Users of an event: finding or creating them at login, their grants, their profile.

Owns the ``users`` and ``grants`` tables. A login that may not see the event creates no user.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import insert, select, update

from core.clock import utc_now
from core.database import Database
from core.ids import new_id
from live.models import User
from live.tables import grants, users

Kind = Literal["person", "guest", "anonymous"]


class UserService:
    """Reads and writes users and their explicit grants."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def find(
        self, event_id: str, *, token_uid: str | None = None, client_id: str | None = None
    ) -> User | None:
        """The user with this token uid or guest client id, if one exists."""
        column, value = (
            (users.c.token_uid, token_uid) if token_uid else (users.c.client_id, client_id)
        )
        async with self._database.transaction() as session:
            row = (
                await session.execute(
                    select(users).where(users.c.event_id == event_id, column == value)
                )
            ).first()
            if row is None:
                return None
            return await self._with_grants(session, row)

    async def login(
        self,
        event_id: str,
        *,
        kind: Kind,
        traits: frozenset[str],
        display_name: str | None,
        token_uid: str | None = None,
        client_id: str | None = None,
    ) -> User:
        """Record a login: store the token's traits (the source of truth) or create the user."""
        now = utc_now()
        existing = await self.find(event_id, token_uid=token_uid, client_id=client_id)
        async with self._database.transaction() as session:
            if existing is not None:
                await session.execute(
                    update(users)
                    .where(users.c.id == existing.id)
                    .values(traits=sorted(traits), last_login=now)
                )
                return existing.model_copy(update={"traits": traits})
            user_id = new_id()
            name = display_name or ("Guest" if kind == "guest" else "Attendee")
            await session.execute(
                insert(users).values(
                    id=user_id,
                    event_id=event_id,
                    token_uid=token_uid,
                    client_id=client_id,
                    kind=kind,
                    display_name=name[:100],
                    profile={},
                    traits=sorted(traits),
                    moderation="",
                    created_at=now,
                    last_login=now,
                )
            )
        return User(
            id=user_id, event_id=event_id, kind=kind, display_name=name[:100], traits=traits
        )

    async def update_profile(self, user: User, display_name: str, profile: dict[str, Any]) -> User:
        async with self._database.transaction() as session:
            await session.execute(
                update(users)
                .where(users.c.id == user.id)
                .values(display_name=display_name, profile=profile)
            )
        return user.model_copy(update={"display_name": display_name, "profile": profile})

    async def _with_grants(self, session: Any, row: Any) -> User:
        grant_rows = (
            await session.execute(
                select(grants.c.room_id, grants.c.role).where(grants.c.user_id == row.id)
            )
        ).all()
        room_roles: dict[str, set[str]] = {}
        for grant in grant_rows:
            if grant.room_id is not None:
                room_roles.setdefault(grant.room_id, set()).add(grant.role)
        return User(
            id=row.id,
            event_id=row.event_id,
            kind=row.kind,
            display_name=row.display_name,
            profile=row.profile,
            traits=frozenset(row.traits),
            moderation=row.moderation,
            event_roles=frozenset(g.role for g in grant_rows if g.room_id is None),
            room_roles={room: frozenset(roles) for room, roles in room_roles.items()},
        )

"""Users of an event: finding or creating them at login, their grants, their profile.

Owns the ``users`` and ``grants`` tables. A login that may not see the event creates no user.
Moderation changes are audited in the transaction that makes them.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import delete, insert, select, update

from core.clock import utc_now
from core.database import Database
from core.errors import DeniedError
from core.ids import new_id
from live import audit
from live.models import User
from live.tables import grants, users

Kind = Literal["person", "guest", "anonymous"]
Moderation = Literal["", "silenced", "banned"]
_AUDIT_TYPES: dict[str, str] = {
    "banned": "user.banned",
    "silenced": "user.silenced",
    "": "user.reactivated",
}


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
        """Change the user's own profile.

        Raises:
            DeniedError: the user is silenced (checked on the stored state, not the session's).
        """
        async with self._database.transaction() as session:
            result = await session.execute(
                update(users)
                .where(users.c.id == user.id, users.c.moderation == "")
                .values(display_name=display_name, profile=profile)
            )
            if result.rowcount == 0:  # type: ignore[attr-defined]
                msg = "Silenced users may not change their profile"
                raise DeniedError(msg)
        return user.model_copy(update={"display_name": display_name, "profile": profile})

    async def by_id(self, event_id: str, user_id: str) -> User | None:
        """The user with this id in this event, if any."""
        async with self._database.transaction() as session:
            row = (
                await session.execute(
                    select(users).where(users.c.event_id == event_id, users.c.id == user_id)
                )
            ).first()
            return None if row is None else await self._with_grants(session, row)

    async def set_moderation(self, user: User, moderation: Moderation, *, by: str) -> User:
        """Ban, silence or reactivate ``user``; ``by`` (the moderator) goes into the audit log."""
        async with self._database.transaction() as session:
            previous = (
                await session.execute(select(users.c.moderation).where(users.c.id == user.id))
            ).scalar_one()
            await session.execute(
                update(users).where(users.c.id == user.id).values(moderation=moderation)
            )
            await audit.record(
                session,
                user.event_id,
                by,
                _AUDIT_TYPES[moderation],
                {"user": user.id, "previous": previous, "moderation": moderation},
            )
        return user.model_copy(update={"moderation": moderation})

    async def set_grant(
        self, user: User, role: str, room_id: str | None, *, granted: bool, by: str
    ) -> User:
        """Give (or take back) ``role`` for the event or one room; audited. Idempotent."""
        async with self._database.transaction() as session:
            room_match = (
                grants.c.room_id.is_(None) if room_id is None else grants.c.room_id == room_id
            )
            match = (grants.c.user_id == user.id, grants.c.role == role, room_match)
            exists = (await session.execute(select(grants.c.id).where(*match))).first()
            if granted and exists is None:
                await session.execute(
                    insert(grants).values(
                        event_id=user.event_id, user_id=user.id, room_id=room_id, role=role
                    )
                )
            elif not granted and exists is not None:
                await session.execute(delete(grants).where(*match))
            else:
                return user
            kind = "user.granted" if granted else "user.revoked"
            await audit.record(
                session, user.event_id, by, kind, {"user": user.id, "role": role, "room": room_id}
            )
            row = (await session.execute(select(users).where(users.c.id == user.id))).one()
            return await self._with_grants(session, row)

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

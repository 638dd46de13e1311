"""Anonymous invites to one room: the short codes organizers hand out, and admitting the
anonymous users who connect with one.

Owns the ``invites`` table. Admitting an invitee also writes its ``users`` and ``grants`` rows
(otherwise ``UserService``'s), all in one transaction, so a refused or failed login leaves
nothing behind. Who may create invites is the handlers' business, not this module's.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utc_now
from core.database import Database
from core.errors import DeniedError
from core.ids import new_id
from live import audit
from live.access import Access
from live.announcement_service import as_utc
from live.errors import UnknownInviteError
from live.models import Event, Room, User
from live.permissions import Permission
from live.tables import grants, invites, users
from live.user_service import UserService

# Upper-case letters and digits without 0, O, 1 and I (and so no l either): 32 symbols, 40 bits.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
DEFAULT_VALID_DAYS = 30
MAX_VALID_DAYS = 90
# An invite is handed out again while it has this long left (or half the requested validity).
REUSE_MARGIN = timedelta(days=10)
EVENT_ROLE = "anonymous"
ROOM_ROLE = "invitee"
DISPLAY_NAME = "Guest"


class Invite(BaseModel):
    """One invite; times are timezone-aware UTC."""

    model_config = ConfigDict(frozen=True)

    code: str
    event_id: str
    room_id: str
    created_by: str | None
    created_at: datetime
    expires_at: datetime

    def public(self) -> dict[str, Any]:
        """The wire form (ISO 8601 times)."""
        return {
            "code": self.code,
            "room": self.room_id,
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
        }


def new_code() -> str:
    """A fresh random code of ``CODE_LENGTH`` symbols of ``ALPHABET``."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise(code: str) -> str:
    """Codes are read without regard to case or surrounding blanks."""
    return code.strip().upper()


class InviteService:
    """Creates and lists invites and turns a valid code into an anonymous user."""

    def __init__(self, database: Database, users: UserService) -> None:
        self._database = database
        self._users = users

    async def create(self, event_id: str, room_id: str, *, valid_days: int, by: str) -> Invite:
        """An invite to the room valid for ``valid_days``; audited when new.

        An invite of the room that expires no later than asked but has at least
        ``REUSE_MARGIN`` (or half of ``valid_days``, if shorter) left is returned instead of a
        new one, so asking again is harmless.
        """
        now = utc_now()
        wanted = now + timedelta(days=valid_days)
        floor = now + min(REUSE_MARGIN, timedelta(days=valid_days) / 2)
        async with self._database.transaction() as session:
            reusable = [
                invite
                for invite in await _of_room(session, room_id)
                if floor <= invite.expires_at <= wanted
            ]
            if reusable:
                return max(reusable, key=lambda invite: invite.expires_at)
            code = await _unused_code(session)
            invite = Invite(
                code=code,
                event_id=event_id,
                room_id=room_id,
                created_by=by,
                created_at=now,
                expires_at=wanted,
            )
            await session.execute(insert(invites).values(**invite.model_dump()))
            await audit.record(
                session,
                event_id,
                by,
                "room.invite.created",
                {"room": room_id, "code": code, "expires_at": invite.expires_at.isoformat()},
            )
        return invite

    async def revoke(self, event_id: str, room_id: str, code: str, *, by: str) -> Invite:
        """End an invite now (it admits nobody from here on); audited.

        Users it already admitted keep their access to the room.

        Raises:
            UnknownInviteError: the room has no invite with this code.
        """
        now = utc_now()
        async with self._database.transaction() as session:
            result = await session.execute(
                update(invites)
                .where(invites.c.code == normalise(code), invites.c.room_id == room_id)
                .values(expires_at=now)
            )
            if result.rowcount == 0:  # type: ignore[attr-defined]
                raise UnknownInviteError(code=code)
            await audit.record(
                session, event_id, by, "room.invite.revoked", {"room": room_id, "code": code}
            )
            row = (
                await session.execute(select(invites).where(invites.c.code == normalise(code)))
            ).one()
        return _invite(row)

    async def of_room(self, room_id: str) -> list[Invite]:
        """Every invite of the room, expired ones too, the longest-lasting first."""
        async with self._database.transaction() as session:
            return await _of_room(session, room_id)

    async def admit(self, event: Event, code: str, *, client_id: str | None = None) -> User:
        """The anonymous user that connects with ``code``: the ``anonymous`` role for the event
        and ``invitee`` in the invite's room.

        Without ``client_id`` every login makes a new user. With it, the anonymous user of that
        client id is taken again (and gains the room, if it was invited elsewhere before).

        Raises:
            DeniedError: the code is unknown, expired, of another event or of a deleted room;
                the client id belongs to a user who is not anonymous; or the event's roles give
                the invitee no ``event:view`` or ``room:view`` (also: a banned user). Nothing is
                written then.
        """
        now = utc_now()
        async with self._database.transaction() as session:
            row = (
                await session.execute(
                    select(invites).where(
                        invites.c.code == normalise(code), invites.c.event_id == event.id
                    )
                )
            ).first()
        invite = None if row is None else _invite(row)
        room = None if invite is None else event.room(invite.room_id)
        if invite is None or invite.expires_at <= now or room is None:
            msg = "Unknown or expired invite"
            raise DeniedError(msg)
        try:
            return await self._admit(event, room, client_id)
        except IntegrityError:
            if client_id is None:
                raise
            # Another login with the same client id created the user meanwhile: take that one.
            return await self._admit(event, room, client_id)

    async def _admit(self, event: Event, room: Room, client_id: str | None) -> User:
        existing = await self._users.find(event.id, client_id=client_id) if client_id else None
        if existing is not None and existing.kind != "anonymous":
            msg = "This client id belongs to a user who is not anonymous"
            raise DeniedError(msg)
        base = existing or User(
            id=new_id(), event_id=event.id, kind="anonymous", display_name=DISPLAY_NAME
        )
        user = base.model_copy(
            update={
                "event_roles": base.event_roles | {EVENT_ROLE},
                "room_roles": {
                    **base.room_roles,
                    room.id: base.room_roles.get(room.id, frozenset()) | {ROOM_ROLE},
                },
            }
        )
        # Decide before writing: a refused login never creates a user.
        access = Access(event, user)
        if not (access.may(Permission.EVENT_VIEW) and access.may(Permission.ROOM_VIEW, room)):
            raise DeniedError()
        now = utc_now()
        async with self._database.transaction() as session:
            if existing is None:
                await session.execute(
                    insert(users).values(
                        id=user.id,
                        event_id=event.id,
                        token_uid=None,
                        client_id=client_id,
                        kind="anonymous",
                        display_name=DISPLAY_NAME,
                        profile={},
                        traits=[],
                        moderation="",
                        created_at=now,
                        last_login=now,
                    )
                )
            else:
                await session.execute(
                    update(users).where(users.c.id == user.id).values(last_login=now)
                )
            new_grants: list[tuple[str | None, str]] = []
            if EVENT_ROLE not in base.event_roles:
                new_grants.append((None, EVENT_ROLE))
            if ROOM_ROLE not in base.room_roles.get(room.id, frozenset()):
                new_grants.append((room.id, ROOM_ROLE))
            for room_id, role in new_grants:
                await session.execute(
                    insert(grants).values(
                        event_id=event.id, user_id=user.id, room_id=room_id, role=role
                    )
                )
        return user


async def _of_room(session: AsyncSession, room_id: str) -> list[Invite]:
    rows = (
        await session.execute(
            select(invites)
            .where(invites.c.room_id == room_id)
            .order_by(invites.c.expires_at.desc(), invites.c.code)
        )
    ).all()
    return [_invite(row) for row in rows]


async def _unused_code(session: AsyncSession) -> str:
    """A code no invite has (a clash is a one-in-a-trillion event, but cheap to rule out)."""
    while True:
        code = new_code()
        taken = await session.execute(select(invites.c.code).where(invites.c.code == code))
        if taken.first() is None:
            return code


def _invite(row: Any) -> Invite:
    return Invite(
        code=row.code,
        event_id=row.event_id,
        room_id=row.room_id,
        created_by=row.created_by,
        created_at=as_utc(row.created_at),
        expires_at=as_utc(row.expires_at),
    )

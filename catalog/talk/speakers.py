"""Speaker profiles: one per event and email (tied to an account once there is one), their short
public codes, and the field checks the profile and submission edits share. The caller owns the
transaction; no permissions are decided here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.talk.errors import UnknownTalkObjectError
from catalog.talk.tables import talk_speakers
from core.errors import InvalidPayloadError
from core.ids import new_id

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ3456789"  # no 0, O, 1, I or 2 (read as Z)
CODE_CHARS = 6


def public_code() -> str:
    """A short uppercase code for submissions and speakers (31^6 ≈ 8.9e8 per event)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_CHARS))


def check_fields(changes: dict[str, Any], allowed: frozenset[str]) -> None:
    """Refuse an edit of a submission or a profile naming a field outside ``allowed``, an empty
    title, name or language, or a duration that is no positive whole number.

    Raises:
        InvalidPayloadError: naming the field.
    """
    unknown = sorted(changes.keys() - allowed)
    if unknown:
        msg = f"Fields that cannot be changed: {', '.join(unknown)}"
        raise InvalidPayloadError(msg, fields=unknown)
    for field in ("title", "name", "language"):
        if field in changes and not str(changes[field] or "").strip():
            msg = f"'{field}' must not be empty"
            raise InvalidPayloadError(msg, field=field)
    duration = changes.get("duration_minutes")
    if duration is not None and (type(duration) is not int or duration <= 0):
        msg = "'duration_minutes' must be a positive whole number or null"
        raise InvalidPayloadError(msg, field="duration_minutes")


SPEAKER_FIELDS = frozenset({"name", "biography", "avatar_url"})


async def create_speaker(
    session: AsyncSession,
    event_id: str,
    *,
    email: str,
    name: str,
    now: datetime,
    account_id: str | None = None,
    biography: str = "",
    avatar_url: str | None = None,
) -> str:
    """The id of the event's speaker profile with ``email``, created if there is none yet."""
    email = email.strip().lower()
    found = await session.scalar(
        select(talk_speakers.c.id).where(
            talk_speakers.c.event_id == event_id, talk_speakers.c.email == email
        )
    )
    if found is not None:
        if account_id is not None:
            await session.execute(
                update(talk_speakers)
                .where(talk_speakers.c.id == found, talk_speakers.c.account_id.is_(None))
                .values(account_id=account_id)
            )
        return str(found)
    speaker_id = new_id()
    await session.execute(
        insert(talk_speakers).values(
            id=speaker_id,
            event_id=event_id,
            code=public_code(),
            account_id=account_id,
            email=email,
            name=name,
            biography=biography,
            avatar_url=avatar_url,
            created_at=now,
        )
    )
    return speaker_id


@dataclass(frozen=True, slots=True)
class SpeakerProfile:
    id: str
    event_id: str
    code: str
    email: str
    name: str
    biography: str
    avatar_url: str | None
    account_id: str | None


async def get_speaker(session: AsyncSession, speaker_id: str) -> SpeakerProfile:
    """The speaker profile.

    Raises:
        UnknownTalkObjectError: no such speaker.
    """
    row = (
        await session.execute(select(talk_speakers).where(talk_speakers.c.id == speaker_id))
    ).one_or_none()
    if row is None:
        raise UnknownTalkObjectError(kind="speaker", id=speaker_id)
    return SpeakerProfile(
        id=row.id,
        event_id=row.event_id,
        code=row.code,
        email=row.email,
        name=row.name,
        biography=row.biography,
        avatar_url=row.avatar_url,
        account_id=row.account_id,
    )


async def update_speaker(session: AsyncSession, speaker_id: str, **changes: Any) -> SpeakerProfile:
    """Change a speaker profile: any of ``name``, ``biography`` and ``avatar_url`` (None: no
    avatar). The email and the account link are not changed here.

    Raises:
        UnknownTalkObjectError: no such speaker.
        InvalidPayloadError: an unknown field or an empty name.
    """
    check_fields(changes, SPEAKER_FIELDS)
    if "biography" in changes and changes["biography"] is None:
        changes["biography"] = ""
    await get_speaker(session, speaker_id)
    if changes:
        await session.execute(
            update(talk_speakers).where(talk_speakers.c.id == speaker_id).values(**changes)
        )
    return await get_speaker(session, speaker_id)

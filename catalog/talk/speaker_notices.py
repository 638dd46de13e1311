"""Who to tell about a schedule release: every joined speaker of each talk the release added,
moved or canceled, from the release's changelog. Reads only; ``mail_notices`` decides the words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.talk.tables import talk_speakers, talk_submission_speakers, talk_submissions


@dataclass(frozen=True, slots=True)
class SpeakerNotice:
    """One speaker to tell about one talk of theirs that a release added, moved or canceled."""

    email: str
    name: str
    code: str
    change: str  # new, moved or canceled
    entry: dict[str, Any]  # the talk's changelog entry


async def speaker_notices(
    session: AsyncSession, event_id: str, changelog: dict[str, Any]
) -> list[SpeakerNotice]:
    """The notices a release's changelog calls for: every accepted speaker of each new, moved
    or canceled talk (``mail_notices`` queues their mails; nothing is sent here)."""
    changed = [
        (kind, entry)
        for kind, key in (
            ("new", "new_talks"),
            ("moved", "moved_talks"),
            ("canceled", "canceled_talks"),
        )
        for entry in changelog.get(key, [])
    ]
    codes = {entry["code"] for _, entry in changed}
    speakers: dict[str, list[tuple[str, str]]] = {}
    if codes:
        rows = await session.execute(
            select(talk_submissions.c.code, talk_speakers.c.email, talk_speakers.c.name)
            .join(
                talk_submission_speakers,
                talk_submission_speakers.c.submission_id == talk_submissions.c.id,
            )
            .join(talk_speakers, talk_speakers.c.id == talk_submission_speakers.c.speaker_id)
            .where(
                talk_submissions.c.event_id == event_id,
                talk_submissions.c.code.in_(codes),
                talk_submission_speakers.c.state == "accepted",
            )
            .order_by(talk_speakers.c.email)
        )
        for row in rows:
            speakers.setdefault(row.code, []).append((row.email, row.name))
    return [
        SpeakerNotice(email, name, entry["code"], kind, entry)
        for kind, entry in changed
        for email, name in speakers.get(entry["code"], [])
    ]

"""Speaker notices as talk mails: the template values of each ``SpeakerNotice`` of a release
(title, time in the event's timezone, room, the public schedule's path), queued in the
release's transaction, and the organizers' decisions (accepted, rejected) told to a
submission's speakers. Who is told of a release is ``speaker_notices``'s; sending is the
outbox's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.talk.mail import enqueue_talk_mail
from catalog.talk.speaker_notices import SpeakerNotice, speaker_notices
from catalog.talk.tables import (
    talk_events,
    talk_rooms,
    talk_speakers,
    talk_submission_speakers,
    talk_submissions,
)

NOTICE_KINDS = {"new": "talk_scheduled", "moved": "talk_moved", "canceled": "talk_canceled"}
DECISION_KINDS = {"accepted": "submission_accepted", "rejected": "submission_rejected"}
# RFC 2606 reserves .invalid: the schedule import gives such addresses to speakers without one.
UNDELIVERABLE_DOMAIN = "invalid"


async def notify_speakers(
    session: AsyncSession, event_id: str, changelog: dict[str, Any], *, now: datetime
) -> list[str]:
    """Queue a mail to every speaker the release's ``changelog`` concerns, one per talk of theirs
    that it added, moved or canceled (none for an unchanged schedule); the mails' ids."""
    notices = [
        notice
        for notice in await speaker_notices(session, event_id, changelog)
        if deliverable(notice.email)
    ]
    if not notices:
        return []
    event = (
        await session.execute(
            select(talk_events.c.slug, talk_events.c.name, talk_events.c.timezone).where(
                talk_events.c.id == event_id
            )
        )
    ).one()
    titles = {
        row.code: row.title
        for row in await session.execute(
            select(talk_submissions.c.code, talk_submissions.c.title).where(
                talk_submissions.c.event_id == event_id,
                talk_submissions.c.code.in_({notice.code for notice in notices}),
            )
        )
    }
    rooms = {
        row.id: row.name
        for row in await session.execute(
            select(talk_rooms.c.id, talk_rooms.c.name).where(talk_rooms.c.event_id == event_id)
        )
    }
    base = {"event_name": event.name, "schedule_path": f"/{event.slug}/schedule/"}
    zone = ZoneInfo(event.timezone)
    return [
        await enqueue_talk_mail(
            session,
            event_id=event_id,
            kind=NOTICE_KINDS[notice.change],
            recipient=notice.email,
            context=base | notice_context(notice, titles, rooms, zone),
            now=now,
        )
        for notice in notices
    ]


def deliverable(email: str) -> bool:
    """Whether mail to ``email`` can arrive (not an RFC 2606 ``.invalid`` placeholder)."""
    return email.rpartition(".")[2].lower() != UNDELIVERABLE_DOMAIN


async def notify_decision(
    session: AsyncSession, submission_id: str, decision: str, *, now: datetime
) -> list[str]:
    """Queue the mail of an organizers' decision (``accepted`` or ``rejected``) to every joined
    speaker of the submission, linking their speaker area; the mails' ids."""
    kind = DECISION_KINDS[decision]
    submission = (
        await session.execute(
            select(
                talk_submissions.c.code,
                talk_submissions.c.title,
                talk_events.c.id.label("event_id"),
                talk_events.c.slug,
                talk_events.c.name,
            )
            .join(talk_events, talk_events.c.id == talk_submissions.c.event_id)
            .where(talk_submissions.c.id == submission_id)
        )
    ).one()
    speakers = await session.execute(
        select(talk_speakers.c.email, talk_speakers.c.name)
        .join(talk_submission_speakers, talk_submission_speakers.c.speaker_id == talk_speakers.c.id)
        .where(
            talk_submission_speakers.c.submission_id == submission_id,
            talk_submission_speakers.c.state == "accepted",
        )
        .order_by(talk_speakers.c.email)
    )
    context = {
        "event_name": submission.name,
        "title": submission.title,
        "submission_path": f"/{submission.slug}/me/submissions/{submission.code}/",
    }
    return [
        await enqueue_talk_mail(
            session,
            event_id=submission.event_id,
            kind=kind,
            recipient=email,
            context={**context, "speaker_name": name or email},
            now=now,
        )
        for email, name in list(speakers)
        if deliverable(email)
    ]


def notice_context(
    notice: SpeakerNotice, titles: dict[str, str], rooms: dict[str, str], zone: ZoneInfo
) -> dict[str, str]:
    """The template values of one notice (besides the event's): the speaker, the talk, and its
    time and room after (``when``, ``room``) and before (``old_when``, ``old_room``) the release."""
    entry = notice.entry
    values = {"speaker_name": notice.name or notice.email, "title": titles.get(notice.code, "")}
    if notice.change == "moved":
        values |= _place(entry["new_start"], entry["new_room_id"], rooms, zone, "")
        values |= _place(entry["old_start"], entry["old_room_id"], rooms, zone, "old_")
    else:
        prefix = "old_" if notice.change == "canceled" else ""
        values |= _place(entry["start"], entry["room_id"], rooms, zone, prefix)
    return values


def _place(
    start: str | None, room_id: str | None, rooms: dict[str, str], zone: ZoneInfo, prefix: str
) -> dict[str, str]:
    return {f"{prefix}when": local_time(start, zone), f"{prefix}room": rooms.get(room_id or "", "")}


def local_time(start: str | None, zone: ZoneInfo) -> str:
    """``Monday, 1 June 2026, 11:00 (Europe/Berlin)``: a changelog time in the event's zone."""
    if start is None:
        return ""
    moment = datetime.fromisoformat(start).astimezone(zone)
    return f"{moment:%A}, {moment.day} {moment:%B %Y, %H:%M} ({zone.key})"

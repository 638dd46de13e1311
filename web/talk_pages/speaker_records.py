"""Read queries of the call-for-papers and speaker pages that the talk catalog's services do not
offer: the event by slug, its tracks, an account's speaker profiles and
submissions, and one submission as its speaker sees it. Nothing is written here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.talk.tables import (
    talk_events,
    talk_speakers,
    talk_submission_speakers,
    talk_submissions,
    talk_tracks,
)
from catalog.tickets import account_tables
from web.talk_pages.talk_page import PageEvent


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Choice:
    """A track: its id and name."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class SubmissionView:
    """A submission as its speakers see and edit it."""

    id: str
    code: str
    title: str
    abstract: str
    description: str
    state: str
    submission_type_id: str
    track_id: str | None
    language: str
    duration_minutes: int | None
    speaker_names: tuple[str, ...]
    invited: tuple[str, ...]


async def account(session: AsyncSession, account_id: str) -> Account | None:
    accounts = account_tables.accounts
    row = (
        await session.execute(
            select(accounts.c.id, accounts.c.name, accounts.c.email).where(
                accounts.c.id == account_id
            )
        )
    ).one_or_none()
    return None if row is None else Account(row.id, row.name, row.email)


async def page_event(session: AsyncSession, organizer: str, event: str) -> PageEvent | None:
    """The talk event ``<organizer>/<event>`` (the same slug as its ticket and live events)."""
    slug = f"{organizer}/{event}"
    row = (
        await session.execute(
            select(talk_events.c.id, talk_events.c.name, talk_events.c.timezone).where(
                talk_events.c.slug == slug
            )
        )
    ).one_or_none()
    return None if row is None else PageEvent(row.id, slug, row.name, row.timezone)


async def tracks(session: AsyncSession, event_id: str) -> list[Choice]:
    rows = await session.execute(
        select(talk_tracks.c.id, talk_tracks.c.name)
        .where(talk_tracks.c.event_id == event_id)
        .order_by(talk_tracks.c.name, talk_tracks.c.id)
    )
    return [Choice(row.id, row.name) for row in rows]


async def speaker_profile_ids(session: AsyncSession, event_id: str, account_id: str) -> list[str]:
    """The account's speaker profiles in the event, oldest first (a second one appears when an
    invitation to another address is accepted)."""
    rows = await session.scalars(
        select(talk_speakers.c.id)
        .where(talk_speakers.c.event_id == event_id, talk_speakers.c.account_id == account_id)
        .order_by(talk_speakers.c.created_at, talk_speakers.c.id)
    )
    return [str(row) for row in rows]


async def account_submissions(
    session: AsyncSession, event_id: str, account_id: str
) -> list[tuple[str, str, str]]:
    """``(code, title, state)`` of the event's submissions the account is a speaker of."""
    links = talk_submission_speakers
    rows = await session.execute(
        select(talk_submissions.c.code, talk_submissions.c.title, talk_submissions.c.state)
        .join(links, links.c.submission_id == talk_submissions.c.id)
        .join(talk_speakers, talk_speakers.c.id == links.c.speaker_id)
        .where(
            talk_submissions.c.event_id == event_id,
            links.c.state == "accepted",
            talk_speakers.c.account_id == account_id,
        )
        .distinct()
        .order_by(talk_submissions.c.title, talk_submissions.c.code)
    )
    return [(row.code, row.title, row.state) for row in rows]


async def own_submission(
    session: AsyncSession, event_id: str, code: str, account_id: str
) -> SubmissionView | None:
    """The event's submission ``code`` when the account is one of its speakers, else None."""
    row = (
        await session.execute(
            select(talk_submissions).where(
                talk_submissions.c.event_id == event_id, talk_submissions.c.code == code
            )
        )
    ).one_or_none()
    if row is None:
        return None
    links = talk_submission_speakers
    people = (
        await session.execute(
            select(links.c.email, links.c.state, talk_speakers.c.name, talk_speakers.c.account_id)
            .outerjoin(talk_speakers, talk_speakers.c.id == links.c.speaker_id)
            .where(links.c.submission_id == row.id)
            .order_by(links.c.invited_at, links.c.id)
        )
    ).all()
    speakers = [person for person in people if person.state == "accepted"]
    if not any(person.account_id == account_id for person in speakers):
        return None
    return SubmissionView(
        id=row.id,
        code=row.code,
        title=row.title,
        abstract=row.abstract,
        description=row.description,
        state=row.state,
        submission_type_id=row.submission_type_id,
        track_id=row.track_id,
        language=row.language,
        duration_minutes=row.duration_minutes,
        speaker_names=tuple(person.name for person in speakers),
        invited=tuple(sorted(person.email for person in people if person.state == "invited")),
    )


async def submission_title(session: AsyncSession, event_id: str, code: str) -> str | None:
    return await session.scalar(
        select(talk_submissions.c.title).where(
            talk_submissions.c.event_id == event_id, talk_submissions.c.code == code
        )
    )

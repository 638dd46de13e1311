"""What the review page shows of one submission: its content, speakers and answers, the event's
score categories, and the names of the reviewers whose reviews the phase lets the reader see.
Reading only; reviews themselves come from ``catalog.talk.visible_reviews``."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.talk import SubmissionState
from catalog.talk.tables import (
    talk_answers,
    talk_questions,
    talk_score_categories,
    talk_speakers,
    talk_submission_speakers,
    talk_submission_types,
    talk_submissions,
    talk_tracks,
)
from catalog.tickets import account_tables


@dataclass(frozen=True, slots=True)
class SpeakerInfo:
    name: str
    biography: str
    account_id: str | None


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    value: str


@dataclass(frozen=True, slots=True)
class SubmissionContent:
    id: str
    code: str
    title: str
    state: SubmissionState
    abstract: str
    description: str
    language: str
    duration_minutes: int
    submission_type: str
    track: str | None
    do_not_record: bool
    speakers: tuple[SpeakerInfo, ...]
    answers: tuple[Answer, ...]  # the submission's and its speakers', in question order

    def is_by(self, account_id: str) -> bool:
        return any(speaker.account_id == account_id for speaker in self.speakers)


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    name: str
    weight: str
    min_score: int
    max_score: int


async def submission_content(
    session: AsyncSession, event_id: str, code: str
) -> SubmissionContent | None:
    """The event's submission with this code; None for drafts and unknown codes."""
    sub = talk_submissions.c
    row = (
        await session.execute(
            select(
                talk_submissions,
                talk_submission_types.c.name.label("type_name"),
                talk_submission_types.c.default_duration_minutes,
                talk_tracks.c.name.label("track_name"),
            )
            .join(talk_submission_types, talk_submission_types.c.id == sub.submission_type_id)
            .outerjoin(talk_tracks, talk_tracks.c.id == sub.track_id)
            .where(
                sub.event_id == event_id,
                sub.code == code,
                sub.state != SubmissionState.DRAFT.value,
            )
        )
    ).one_or_none()
    if row is None:
        return None
    speakers = await _speakers(session, row.id)
    return SubmissionContent(
        id=row.id,
        code=row.code,
        title=row.title,
        state=SubmissionState(row.state),
        abstract=row.abstract,
        description=row.description,
        language=row.language,
        duration_minutes=row.duration_minutes or row.default_duration_minutes,
        submission_type=row.type_name,
        track=row.track_name,
        do_not_record=row.do_not_record,
        speakers=tuple(speaker for _, speaker in speakers),
        answers=await _answers(session, row.id, [speaker_id for speaker_id, _ in speakers]),
    )


async def _speakers(session: AsyncSession, submission_id: str) -> list[tuple[str, SpeakerInfo]]:
    links = talk_submission_speakers.c
    rows = await session.execute(
        select(
            talk_speakers.c.id,
            talk_speakers.c.name,
            talk_speakers.c.biography,
            talk_speakers.c.account_id,
        )
        .join(talk_submission_speakers, links.speaker_id == talk_speakers.c.id)
        .where(links.submission_id == submission_id, links.state == "accepted")
        .order_by(links.invited_at, links.id)
    )
    return [(row.id, SpeakerInfo(row.name, row.biography, row.account_id)) for row in rows]


async def _answers(
    session: AsyncSession, submission_id: str, speaker_ids: Collection[str]
) -> tuple[Answer, ...]:
    rows = await session.execute(
        select(talk_questions.c.text, talk_answers.c.value)
        .join(talk_answers, talk_answers.c.question_id == talk_questions.c.id)
        .where(
            or_(
                talk_answers.c.submission_id == submission_id,
                talk_answers.c.speaker_id.in_(list(speaker_ids)),
            )
        )
        .order_by(talk_questions.c.sort_key, talk_questions.c.id)
    )
    return tuple(Answer(row.text, row.value) for row in rows)


async def score_categories(session: AsyncSession, event_id: str) -> list[Category]:
    c = talk_score_categories.c
    rows = await session.execute(
        select(talk_score_categories).where(c.event_id == event_id).order_by(c.sort_key, c.id)
    )
    return [
        Category(row.id, row.name, f"{row.weight:f}", row.min_score, row.max_score) for row in rows
    ]


async def account_names(session: AsyncSession, account_ids: Collection[str]) -> dict[str, str]:
    if not account_ids:
        return {}
    accounts = account_tables.accounts
    rows = await session.execute(
        select(accounts.c.id, accounts.c.name).where(accounts.c.id.in_(list(account_ids)))
    )
    return {row.id: row.name for row in rows}

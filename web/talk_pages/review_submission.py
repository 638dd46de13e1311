"""What the review page shows of one submission: its content, speakers and answers, the event's
score categories, and the names of the reviewers whose reviews the phase lets the reader see.
Reading only; reviews themselves come from ``catalog.talk.visible_reviews``."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.talk import Question, QuestionTarget, SubmissionState, answers_of, event_questions
from catalog.talk.tables import (
    talk_score_categories,
    talk_speakers,
    talk_submission_speakers,
    talk_submission_types,
    talk_submissions,
    talk_tracks,
)
from catalog.tickets import account_tables


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    value: str


@dataclass(frozen=True, slots=True)
class SpeakerInfo:
    name: str
    biography: str
    account_id: str | None
    answers: tuple[Answer, ...]


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
    answers: tuple[Answer, ...]  # to the event's submission questions, in their order

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
    questions = await event_questions(session, event_id)
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
        speakers=await _speakers(session, row.id, questions),
        answers=await _answers(session, questions, QuestionTarget.SUBMISSION, row.id),
    )


async def _speakers(
    session: AsyncSession, submission_id: str, questions: Sequence[Question]
) -> tuple[SpeakerInfo, ...]:
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
    return tuple(
        [
            SpeakerInfo(
                row.name,
                row.biography,
                row.account_id,
                await _answers(session, questions, QuestionTarget.SPEAKER, row.id),
            )
            for row in rows
        ]
    )


async def _answers(
    session: AsyncSession, questions: Sequence[Question], target: QuestionTarget, owner_id: str
) -> tuple[Answer, ...]:
    """The owner's answers to the questions of ``target``, in question order."""
    given = await answers_of(session, target, owner_id)
    return tuple(
        Answer(question.text, given[question.id])
        for question in questions
        if question.target is target and question.id in given
    )


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

"""Reviews: the current review phase and what it allows, one review per reviewer and submission
with per-category scores, and the aggregate score that ranks submissions. The caller owns the
transaction; who is a reviewer at all is decided by the caller (teams), not here.

Scoring (pretalx's weighted total, normalised so scales of different categories stay comparable):
a review's score is ``Σ weight_c * score_c / Σ weight_c`` over the categories it scores; a
submission's score is the arithmetic mean of its reviews' scores. Both are rounded half-even to
four places; a submission without reviews has no score and ranks last.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.talk.errors import InvalidScoreError, OwnSubmissionError, PhaseDeniedError
from catalog.talk.submissions import (
    Submission,
    SubmissionState,
    change_state,
    get_submission,
)
from catalog.talk.tables import (
    talk_review_phases,
    talk_review_scores,
    talk_reviews,
    talk_score_categories,
    talk_speakers,
    talk_submission_speakers,
    talk_submissions,
)
from core.ids import new_id

PLACES = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class ReviewPhase:
    id: str
    name: str
    can_review: bool
    can_see_other_reviews: bool
    can_change_submission_state: bool


@dataclass(frozen=True, slots=True)
class Review:
    id: str
    submission_id: str
    reviewer_id: str
    text: str
    score: Decimal | None
    scores: dict[str, int]  # category id → value


@dataclass(frozen=True, slots=True)
class RankedSubmission:
    submission_id: str
    code: str
    title: str
    state: SubmissionState
    score: Decimal | None
    review_count: int


def weighted_total(weighted_scores: Iterable[tuple[Decimal, int]]) -> Decimal | None:
    """``Σ weight * score / Σ weight`` over ``(weight, score)`` pairs; None without weight."""
    pairs = list(weighted_scores)
    weight = sum((w for w, _ in pairs), Decimal(0))
    if not pairs or weight == 0:
        return None
    return (sum((w * s for w, s in pairs), Decimal(0)) / weight).quantize(PLACES)


def mean_score(scores: Iterable[Decimal | None]) -> Decimal | None:
    """The mean of the reviews' scores (reviews without one are left out)."""
    present = [score for score in scores if score is not None]
    if not present:
        return None
    return (sum(present, Decimal(0)) / len(present)).quantize(PLACES)


async def current_phase(session: AsyncSession, event_id: str, now: datetime) -> ReviewPhase | None:
    """The first phase (by ``sort_key``) whose ``[starts_at, ends_at)`` holds ``now``."""
    c = talk_review_phases.c
    row = (
        await session.execute(
            select(talk_review_phases)
            .where(
                c.event_id == event_id,
                or_(c.starts_at.is_(None), c.starts_at <= now),
                or_(c.ends_at.is_(None), c.ends_at > now),
            )
            .order_by(c.sort_key, c.id)
            .limit(1)
        )
    ).one_or_none()
    if row is None:
        return None
    return ReviewPhase(
        id=row.id,
        name=row.name,
        can_review=row.can_review,
        can_see_other_reviews=row.can_see_other_reviews,
        can_change_submission_state=row.can_change_submission_state,
    )


async def _require(
    session: AsyncSession, event_id: str, now: datetime, permission: str
) -> ReviewPhase:
    phase = await current_phase(session, event_id, now)
    if phase is None or not getattr(phase, permission):
        raise PhaseDeniedError(permission=permission, phase=None if phase is None else phase.name)
    return phase


async def _speaker_accounts(session: AsyncSession, submission_id: str) -> set[str]:
    rows = await session.scalars(
        select(talk_speakers.c.account_id)
        .join(talk_submission_speakers, talk_submission_speakers.c.speaker_id == talk_speakers.c.id)
        .where(
            talk_submission_speakers.c.submission_id == submission_id,
            talk_speakers.c.account_id.is_not(None),
        )
    )
    return {str(row) for row in rows}


async def _score_review(
    session: AsyncSession, event_id: str, scores: Mapping[str, int]
) -> Decimal | None:
    categories = {
        row.id: row
        for row in await session.execute(
            select(talk_score_categories).where(talk_score_categories.c.event_id == event_id)
        )
    }
    pairs = []
    for category_id, value in scores.items():
        category = categories.get(category_id)
        if category is None:
            msg = "No such score category"
            raise InvalidScoreError(msg, category_id=category_id)
        if not category.min_score <= value <= category.max_score:
            raise InvalidScoreError(
                category_id=category_id, min=category.min_score, max=category.max_score
            )
        pairs.append((Decimal(category.weight), value))
    return weighted_total(pairs)


async def submit_review(
    session: AsyncSession,
    submission_id: str,
    *,
    reviewer_id: str,
    scores: Mapping[str, int],
    text: str,
    now: datetime,
) -> Review:
    """Store the reviewer's review of the submission, replacing their earlier one.

    Raises:
        UnknownTalkObjectError: no such submission.
        PhaseDeniedError: no current phase, or it does not allow reviewing.
        OwnSubmissionError: the reviewer's account is a speaker of the submission.
        InvalidScoreError: a category is unknown or a score outside its range.
    """
    submission = await get_submission(session, submission_id)
    await _require(session, submission.event_id, now, "can_review")
    if reviewer_id in await _speaker_accounts(session, submission_id):
        raise OwnSubmissionError
    score = await _score_review(session, submission.event_id, scores)
    review_id = await _store_review(session, submission_id, reviewer_id, text, score, now)
    if scores:
        await session.execute(
            insert(talk_review_scores),
            [{"review_id": review_id, "category_id": c, "value": v} for c, v in scores.items()],
        )
    return Review(str(review_id), submission_id, reviewer_id, text, score, dict(scores))


async def _store_review(
    session: AsyncSession,
    submission_id: str,
    reviewer_id: str,
    text: str,
    score: Decimal | None,
    now: datetime,
) -> str:
    """Insert the review, or replace the reviewer's earlier one, in one upsert: concurrent
    reviews by one reviewer meet at the unique constraint and the later writer wins."""
    upsert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = upsert(talk_reviews).values(
        id=new_id(),
        submission_id=submission_id,
        reviewer_id=reviewer_id,
        text=text,
        score=score,
        created_at=now,
        updated_at=now,
    )
    upserted = statement.on_conflict_do_update(
        index_elements=["submission_id", "reviewer_id"],
        set_={"text": text, "score": score, "updated_at": now},
    ).returning(talk_reviews.c.id)
    review_id = str(await session.scalar(upserted))
    await session.execute(
        delete(talk_review_scores).where(talk_review_scores.c.review_id == review_id)
    )
    return review_id


async def _reviews(session: AsyncSession, *conditions: Any) -> list[Review]:
    rows = list(
        await session.execute(
            select(talk_reviews).where(*conditions).order_by(talk_reviews.c.created_at)
        )
    )
    scores: dict[str, dict[str, int]] = defaultdict(dict)
    if rows:
        for score in await session.execute(
            select(talk_review_scores).where(
                talk_review_scores.c.review_id.in_([row.id for row in rows])
            )
        ):
            scores[score.review_id][score.category_id] = score.value
    return [
        Review(
            row.id,
            row.submission_id,
            row.reviewer_id,
            row.text,
            None if row.score is None else Decimal(row.score).quantize(PLACES),
            scores[row.id],
        )
        for row in rows
    ]


async def visible_reviews(
    session: AsyncSession, submission_id: str, *, reviewer_id: str, now: datetime
) -> list[Review]:
    """The reviews of the submission this reviewer may read: their own, and the others' too
    when the current phase allows seeing other reviews."""
    submission = await get_submission(session, submission_id)
    phase = await current_phase(session, submission.event_id, now)
    conditions = [talk_reviews.c.submission_id == submission_id]
    if phase is None or not phase.can_see_other_reviews:
        conditions.append(talk_reviews.c.reviewer_id == reviewer_id)
    return await _reviews(session, *conditions)


async def ranked_submissions(session: AsyncSession, event_id: str) -> list[RankedSubmission]:
    """The event's submissions (drafts left out) by aggregate score, best first; unscored
    ones last, then by code."""
    rows = list(
        await session.execute(
            select(
                talk_submissions.c.id,
                talk_submissions.c.code,
                talk_submissions.c.title,
                talk_submissions.c.state,
            ).where(
                talk_submissions.c.event_id == event_id,
                talk_submissions.c.state != SubmissionState.DRAFT.value,
            )
        )
    )
    totals: dict[str, list[Decimal | None]] = defaultdict(list)
    for review in await session.execute(
        select(talk_reviews.c.submission_id, talk_reviews.c.score)
        .join(talk_submissions, talk_submissions.c.id == talk_reviews.c.submission_id)
        .where(talk_submissions.c.event_id == event_id)
    ):
        totals[review.submission_id].append(None if review.score is None else Decimal(review.score))
    ranked = [
        RankedSubmission(
            row.id,
            row.code,
            row.title,
            SubmissionState(row.state),
            mean_score(totals[row.id]),
            len(totals[row.id]),
        )
        for row in rows
    ]
    ranked.sort(key=lambda r: (r.score is None, -(r.score or 0), r.code))
    return ranked


async def change_state_as_reviewer(
    session: AsyncSession, submission_id: str, target: SubmissionState, *, now: datetime
) -> Submission:
    """A reviewer's decision, allowed only while the current phase lets reviewers change states;
    accepting or rejecting is mailed to the speakers.

    Raises:
        PhaseDeniedError: the phase does not allow it.
        InvalidTransitionError: the change is not an allowed transition.
    """
    submission = await get_submission(session, submission_id)
    await _require(session, submission.event_id, now, "can_change_submission_state")
    return await change_state(session, submission_id, target, now=now, notify=True)

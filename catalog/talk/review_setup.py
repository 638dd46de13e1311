"""An organizer's setup of a talk event's reviews: its review phases (when reviewers may do what)
and score categories (what they score, and how much each counts), validated, created, changed and
deleted. Scores given are not deleted nor left outside their range; reviews are ``reviews``'.
The caller owns the transaction and decides permissions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.talk.reviews import weighted_total
from catalog.talk.setup_rows import (
    event_rows,
    get_row,
    given_values,
    next_sort_key,
    refuse_field,
    refuse_if_used,
    update_row,
    valid_name,
)
from catalog.talk.tables import (
    talk_review_phases,
    talk_review_scores,
    talk_reviews,
    talk_score_categories,
)
from catalog.talk.unchanged import UNCHANGED, Unchanged
from core.ids import new_id

MAX_WEIGHT = Decimal("9999.99")  # the column is Numeric(6, 2)
SCORE_LIMIT = 1_000_000


@dataclass(frozen=True, slots=True)
class ReviewPhaseDefinition:
    """A review phase as organizers set it up (``reviews.ReviewPhase`` is what it allows)."""

    id: str
    name: str
    starts_at: datetime | None
    ends_at: datetime | None
    can_review: bool
    can_see_other_reviews: bool
    can_change_submission_state: bool
    sort_key: int


@dataclass(frozen=True, slots=True)
class ScoreCategory:
    id: str
    name: str
    weight: Decimal
    min_score: int
    max_score: int
    sort_key: int


# --- review phases -----------------------------------------------------------------------------


async def review_phases(session: AsyncSession, event_id: str) -> list[ReviewPhaseDefinition]:
    """The event's review phases in order (the first one holding a moment is current then)."""
    rows = await event_rows(session, talk_review_phases, event_id, talk_review_phases.c.sort_key)
    return [_phase(row) for row in rows]


async def get_review_phase(
    session: AsyncSession, event_id: str, phase_id: str
) -> ReviewPhaseDefinition:
    """Raises: UnknownTalkObjectError: not a review phase of the event."""
    return _phase(await get_row(session, talk_review_phases, event_id, phase_id, "review phase"))


async def create_review_phase(
    session: AsyncSession,
    event_id: str,
    *,
    name: str,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    can_review: bool = True,
    can_see_other_reviews: bool = False,
    can_change_submission_state: bool = False,
    sort_key: int | None = None,
) -> ReviewPhaseDefinition:
    """A new phase, current from ``starts_at`` until ``ends_at`` (None: open on that side);
    without ``sort_key`` it comes after the others.

    Raises:
        InvalidPayloadError: an empty or long name, a naive time, or an end not after the start.
    """
    phase_id = new_id()
    await session.execute(
        insert(talk_review_phases).values(
            id=phase_id,
            event_id=event_id,
            name=valid_name(name),
            **_phase_window(starts_at, ends_at),
            can_review=can_review,
            can_see_other_reviews=can_see_other_reviews,
            can_change_submission_state=can_change_submission_state,
            sort_key=await next_sort_key(session, talk_review_phases, event_id, sort_key),
        )
    )
    return await get_review_phase(session, event_id, phase_id)


async def update_review_phase(
    session: AsyncSession,
    event_id: str,
    phase_id: str,
    *,
    name: str | None = None,
    starts_at: datetime | Unchanged | None = UNCHANGED,
    ends_at: datetime | Unchanged | None = UNCHANGED,
    can_review: bool | None = None,
    can_see_other_reviews: bool | None = None,
    can_change_submission_state: bool | None = None,
    sort_key: int | None = None,
) -> ReviewPhaseDefinition:
    """Change what is given (``starts_at``/``ends_at`` None: open on that side).

    Raises:
        UnknownTalkObjectError: not a review phase of the event.
        InvalidPayloadError: as for ``create_review_phase``, for the phase as it would be.
    """
    phase = await get_review_phase(session, event_id, phase_id)
    window = _phase_window(
        phase.starts_at if starts_at is UNCHANGED else starts_at,
        phase.ends_at if ends_at is UNCHANGED else ends_at,
    )
    values = given_values(
        name=None if name is None else valid_name(name),
        can_review=can_review,
        can_see_other_reviews=can_see_other_reviews,
        can_change_submission_state=can_change_submission_state,
        sort_key=sort_key,
    )
    await update_row(session, talk_review_phases, phase_id, {**values, **window})
    return await get_review_phase(session, event_id, phase_id)


async def delete_review_phase(session: AsyncSession, event_id: str, phase_id: str) -> None:
    """Raises: UnknownTalkObjectError: not a review phase of the event."""
    await get_review_phase(session, event_id, phase_id)
    await session.execute(delete(talk_review_phases).where(talk_review_phases.c.id == phase_id))


def _phase_window(starts_at: datetime | None, ends_at: datetime | None) -> dict[str, Any]:
    for field, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if moment is not None and moment.utcoffset() is None:
            refuse_field(field, "needs a UTC offset")
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        refuse_field("ends_at", "must be after starts_at")
    return {"starts_at": starts_at, "ends_at": ends_at}


def _phase(row: Row[Any]) -> ReviewPhaseDefinition:
    return ReviewPhaseDefinition(
        id=row.id,
        name=row.name,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        can_review=row.can_review,
        can_see_other_reviews=row.can_see_other_reviews,
        can_change_submission_state=row.can_change_submission_state,
        sort_key=row.sort_key,
    )


# --- score categories --------------------------------------------------------------------------


async def score_categories(session: AsyncSession, event_id: str) -> list[ScoreCategory]:
    """The event's score categories in order."""
    order = talk_score_categories.c.sort_key
    rows = await event_rows(session, talk_score_categories, event_id, order)
    return [_category(row) for row in rows]


async def get_score_category(
    session: AsyncSession, event_id: str, category_id: str
) -> ScoreCategory:
    """Raises: UnknownTalkObjectError: not a score category of the event."""
    row = await get_row(session, talk_score_categories, event_id, category_id, "score category")
    return _category(row)


async def create_score_category(
    session: AsyncSession,
    event_id: str,
    *,
    name: str,
    min_score: int,
    max_score: int,
    weight: Decimal = Decimal(1),
    sort_key: int | None = None,
) -> ScoreCategory:
    """A new category scored from ``min_score`` to ``max_score``; without ``sort_key`` it comes
    after the others.

    Raises:
        InvalidPayloadError: an empty or long name, ``max_score`` not above ``min_score`` (or
            either beyond ±1,000,000), a weight not above 0, over 9999.99 or with more than two
            decimals.
    """
    category_id = new_id()
    await session.execute(
        insert(talk_score_categories).values(
            id=category_id,
            event_id=event_id,
            name=valid_name(name),
            weight=_weight(weight),
            **_score_range(min_score, max_score),
            sort_key=await next_sort_key(session, talk_score_categories, event_id, sort_key),
        )
    )
    return await get_score_category(session, event_id, category_id)


async def update_score_category(
    session: AsyncSession,
    event_id: str,
    category_id: str,
    *,
    name: str | None = None,
    min_score: int | None = None,
    max_score: int | None = None,
    weight: Decimal | None = None,
    sort_key: int | None = None,
) -> ScoreCategory:
    """Change what is given. A new weight re-totals the reviews that score the category.

    Raises:
        UnknownTalkObjectError: not a score category of the event.
        InvalidPayloadError: as for ``create_score_category``, for the category as it would be.
        TalkObjectInUseError: given scores would fall outside the new range.
    """
    category = await get_score_category(session, event_id, category_id)
    scores = _score_range(
        category.min_score if min_score is None else min_score,
        category.max_score if max_score is None else max_score,
    )
    outside = talk_review_scores.c.category_id == category_id
    outside &= ~talk_review_scores.c.value.between(scores["min_score"], scores["max_score"])
    await refuse_if_used(session, "score category", category_id, talk_review_scores, outside)
    values = given_values(
        name=None if name is None else valid_name(name),
        weight=None if weight is None else _weight(weight),
        sort_key=sort_key,
    )
    await update_row(session, talk_score_categories, category_id, {**values, **scores})
    if "weight" in values and values["weight"] != category.weight:
        await _retotal_reviews(session, category_id)
    return await get_score_category(session, event_id, category_id)


async def delete_score_category(session: AsyncSession, event_id: str, category_id: str) -> None:
    """Raises:
    UnknownTalkObjectError: not a score category of the event.
    TalkObjectInUseError: reviews score in this category.
    """
    await get_score_category(session, event_id, category_id)
    used = talk_review_scores.c.category_id == category_id
    await refuse_if_used(session, "score category", category_id, talk_review_scores, used)
    await session.execute(
        delete(talk_score_categories).where(talk_score_categories.c.id == category_id)
    )


async def _retotal_reviews(session: AsyncSession, category_id: str) -> None:
    """A review keeps its weighted total (ranking reads it), so a new weight recomputes it."""
    scores, categories = talk_review_scores.c, talk_score_categories.c
    scoring = select(scores.review_id).where(scores.category_id == category_id)
    rows = await session.execute(
        select(scores.review_id, categories.weight, scores.value)
        .join(talk_score_categories, categories.id == scores.category_id)
        .where(scores.review_id.in_(scoring))
    )
    pairs: dict[str, list[tuple[Decimal, int]]] = defaultdict(list)
    for row in rows:
        pairs[row.review_id].append((Decimal(row.weight), row.value))
    for review_id, weighted in pairs.items():
        total = weighted_total(weighted)
        await update_row(session, talk_reviews, review_id, {"score": total})


def _score_range(min_score: int, max_score: int) -> dict[str, int]:
    for field, value in (("min_score", min_score), ("max_score", max_score)):
        if abs(value) > SCORE_LIMIT:
            refuse_field(field, f"between -{SCORE_LIMIT} and {SCORE_LIMIT}")
    if max_score <= min_score:
        refuse_field("max_score", "must be above min_score")
    return {"min_score": min_score, "max_score": max_score}


def _weight(weight: Decimal) -> Decimal:
    if not weight.is_finite() or not 0 < weight <= MAX_WEIGHT or weight != round(weight, 2):
        refuse_field("weight", f"above 0, at most {MAX_WEIGHT}, with at most two decimals")
    return weight


def _category(row: Row[Any]) -> ScoreCategory:
    return ScoreCategory(
        row.id, row.name, Decimal(row.weight), row.min_score, row.max_score, row.sort_key
    )

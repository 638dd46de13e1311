"""An organizer's setup of a talk event: the event itself (made on first use under the slug it
shares with the ticket and live events), its submission types, tracks, review phases and score
categories, validated, created, changed and deleted. What submissions or review scores use is not
deleted. The caller owns the transaction and decides permissions; the CfP's terms are ``cfp``'s.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Row, Table, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.talk.cfp import UNCHANGED, SubmissionTypeTerms, _Unchanged, set_type_deadline
from catalog.talk.errors import TalkObjectInUseError, UnknownTalkObjectError
from catalog.talk.reviews import weighted_total
from catalog.talk.tables import (
    talk_events,
    talk_review_phases,
    talk_review_scores,
    talk_reviews,
    talk_score_categories,
    talk_submission_types,
    talk_submissions,
    talk_tracks,
)
from core.errors import InvalidPayloadError
from core.ids import new_id

MAX_NAME_CHARS = 200
MAX_DURATION_MINUTES = 24 * 60
MAX_WEIGHT = Decimal("9999.99")  # the column is Numeric(6, 2)
SCORE_LIMIT = 1_000_000
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
_USED_BY = {"talk_submissions": "submissions", "talk_review_scores": "scores"}


@dataclass(frozen=True, slots=True)
class TalkTrack:
    id: str
    name: str
    color: str  # ``#rrggbb``, lower case


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


# --- the event ---------------------------------------------------------------------------------


async def ensure_talk_event(
    session: AsyncSession, slug: str, name: str, timezone: str, now: datetime
) -> str:
    """The id of the talk event ``slug`` (``<organizer>/<event>``), made with ``name`` and
    ``timezone`` (IANA) when there is none; an existing one is kept as it is.

    Raises:
        InvalidPayloadError: a new event's name is empty or too long, or its timezone unknown.
    """
    found = await session.scalar(select(talk_events.c.id).where(talk_events.c.slug == slug))
    if found is not None:
        return str(found)
    event_id = new_id()
    await session.execute(
        insert(talk_events).values(
            id=event_id, slug=slug, name=_name(name), timezone=_timezone(timezone), created_at=now
        )
    )
    return event_id


async def update_talk_event(
    session: AsyncSession, slug: str, *, name: str | None = None, timezone: str | None = None
) -> None:
    """Rename the talk event ``slug`` or give it another timezone (nothing when it has none).

    Raises:
        InvalidPayloadError: the name is empty or too long, or the timezone unknown.
    """
    values = _given(
        name=None if name is None else _name(name),
        timezone=None if timezone is None else _timezone(timezone),
    )
    if values:
        await session.execute(update(talk_events).where(talk_events.c.slug == slug).values(values))


# --- submission types --------------------------------------------------------------------------


async def submission_types(session: AsyncSession, event_id: str) -> list[SubmissionTypeTerms]:
    """The event's submission types by name."""
    rows = await _rows(session, talk_submission_types, event_id, talk_submission_types.c.name)
    return [_type(row) for row in rows]


async def get_submission_type(
    session: AsyncSession, event_id: str, type_id: str
) -> SubmissionTypeTerms:
    """Raises: UnknownTalkObjectError: not a submission type of the event."""
    return _type(await _row(session, talk_submission_types, event_id, type_id, "submission type"))


async def create_submission_type(
    session: AsyncSession,
    event_id: str,
    *,
    name: str,
    default_duration_minutes: int,
    deadline: datetime | None = None,
) -> SubmissionTypeTerms:
    """A new submission type; ``deadline`` replaces the CfP's for its submissions.

    Raises:
        InvalidPayloadError: an empty or long name, a duration outside 1 to 1440 minutes, a naive
            deadline.
    """
    type_id = new_id()
    await session.execute(
        insert(talk_submission_types).values(
            id=type_id,
            event_id=event_id,
            name=_name(name),
            default_duration_minutes=_duration(default_duration_minutes),
        )
    )
    if deadline is not None:
        await set_type_deadline(session, event_id, type_id, deadline)
    return await get_submission_type(session, event_id, type_id)


async def update_submission_type(
    session: AsyncSession,
    event_id: str,
    type_id: str,
    *,
    name: str | None = None,
    default_duration_minutes: int | None = None,
    deadline: datetime | _Unchanged | None = UNCHANGED,
) -> SubmissionTypeTerms:
    """Change what is given (``deadline`` None: the CfP's applies again).

    Raises:
        UnknownTalkObjectError: not a submission type of the event.
        InvalidPayloadError: as for ``create_submission_type``.
    """
    await get_submission_type(session, event_id, type_id)
    values = _given(
        name=None if name is None else _name(name),
        default_duration_minutes=None
        if default_duration_minutes is None
        else _duration(default_duration_minutes),
    )
    if values:
        await _update(session, talk_submission_types, type_id, values)
    if not isinstance(deadline, _Unchanged):
        await set_type_deadline(session, event_id, type_id, deadline)
    return await get_submission_type(session, event_id, type_id)


async def delete_submission_type(session: AsyncSession, event_id: str, type_id: str) -> None:
    """Raises:
    UnknownTalkObjectError: not a submission type of the event.
    TalkObjectInUseError: submissions (drafts too) are of this type.
    """
    await get_submission_type(session, event_id, type_id)
    used = talk_submissions.c.submission_type_id == type_id
    await _refuse_if_used(session, "submission type", type_id, talk_submissions, used)
    await session.execute(
        delete(talk_submission_types).where(talk_submission_types.c.id == type_id)
    )


def _type(row: Row[Any]) -> SubmissionTypeTerms:
    return SubmissionTypeTerms(row.id, row.name, row.default_duration_minutes, row.deadline)


# --- tracks ------------------------------------------------------------------------------------


async def tracks(session: AsyncSession, event_id: str) -> list[TalkTrack]:
    """The event's tracks by name."""
    return [_track(row) for row in await _rows(session, talk_tracks, event_id, talk_tracks.c.name)]


async def get_track(session: AsyncSession, event_id: str, track_id: str) -> TalkTrack:
    """Raises: UnknownTalkObjectError: not a track of the event."""
    return _track(await _row(session, talk_tracks, event_id, track_id, "track"))


async def create_track(session: AsyncSession, event_id: str, *, name: str, color: str) -> TalkTrack:
    """Raises: InvalidPayloadError: an empty or long name, a color not ``#rrggbb``."""
    track_id = new_id()
    await session.execute(
        insert(talk_tracks).values(
            id=track_id, event_id=event_id, name=_name(name), color=_color(color)
        )
    )
    return await get_track(session, event_id, track_id)


async def update_track(
    session: AsyncSession,
    event_id: str,
    track_id: str,
    *,
    name: str | None = None,
    color: str | None = None,
) -> TalkTrack:
    """Raises:
    UnknownTalkObjectError: not a track of the event.
    InvalidPayloadError: as for ``create_track``.
    """
    await get_track(session, event_id, track_id)
    values = _given(
        name=None if name is None else _name(name), color=None if color is None else _color(color)
    )
    if values:
        await _update(session, talk_tracks, track_id, values)
    return await get_track(session, event_id, track_id)


async def delete_track(session: AsyncSession, event_id: str, track_id: str) -> None:
    """Raises:
    UnknownTalkObjectError: not a track of the event.
    TalkObjectInUseError: submissions are in this track.
    """
    await get_track(session, event_id, track_id)
    used = talk_submissions.c.track_id == track_id
    await _refuse_if_used(session, "track", track_id, talk_submissions, used)
    await session.execute(delete(talk_tracks).where(talk_tracks.c.id == track_id))


def _track(row: Row[Any]) -> TalkTrack:
    return TalkTrack(row.id, row.name, row.color)


# --- review phases -----------------------------------------------------------------------------


async def review_phases(session: AsyncSession, event_id: str) -> list[ReviewPhaseDefinition]:
    """The event's review phases in order (the first one holding a moment is current then)."""
    rows = await _rows(session, talk_review_phases, event_id, talk_review_phases.c.sort_key)
    return [_phase(row) for row in rows]


async def get_review_phase(
    session: AsyncSession, event_id: str, phase_id: str
) -> ReviewPhaseDefinition:
    """Raises: UnknownTalkObjectError: not a review phase of the event."""
    return _phase(await _row(session, talk_review_phases, event_id, phase_id, "review phase"))


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
            name=_name(name),
            **_phase_window(starts_at, ends_at),
            can_review=can_review,
            can_see_other_reviews=can_see_other_reviews,
            can_change_submission_state=can_change_submission_state,
            sort_key=await _sort_key(session, talk_review_phases, event_id, sort_key),
        )
    )
    return await get_review_phase(session, event_id, phase_id)


async def update_review_phase(
    session: AsyncSession,
    event_id: str,
    phase_id: str,
    *,
    name: str | None = None,
    starts_at: datetime | _Unchanged | None = UNCHANGED,
    ends_at: datetime | _Unchanged | None = UNCHANGED,
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
        phase.starts_at if isinstance(starts_at, _Unchanged) else starts_at,
        phase.ends_at if isinstance(ends_at, _Unchanged) else ends_at,
    )
    values = _given(
        name=None if name is None else _name(name),
        can_review=can_review,
        can_see_other_reviews=can_see_other_reviews,
        can_change_submission_state=can_change_submission_state,
        sort_key=sort_key,
    )
    await _update(session, talk_review_phases, phase_id, {**values, **window})
    return await get_review_phase(session, event_id, phase_id)


async def delete_review_phase(session: AsyncSession, event_id: str, phase_id: str) -> None:
    """Raises: UnknownTalkObjectError: not a review phase of the event."""
    await get_review_phase(session, event_id, phase_id)
    await session.execute(delete(talk_review_phases).where(talk_review_phases.c.id == phase_id))


def _phase_window(starts_at: datetime | None, ends_at: datetime | None) -> dict[str, Any]:
    for field, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if moment is not None and moment.utcoffset() is None:
            _refuse(field, "needs a UTC offset")
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        _refuse("ends_at", "must be after starts_at")
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
    rows = await _rows(session, talk_score_categories, event_id, talk_score_categories.c.sort_key)
    return [_category(row) for row in rows]


async def get_score_category(
    session: AsyncSession, event_id: str, category_id: str
) -> ScoreCategory:
    """Raises: UnknownTalkObjectError: not a score category of the event."""
    row = await _row(session, talk_score_categories, event_id, category_id, "score category")
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
            name=_name(name),
            weight=_weight(weight),
            **_score_range(min_score, max_score),
            sort_key=await _sort_key(session, talk_score_categories, event_id, sort_key),
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
    await _refuse_if_used(session, "score category", category_id, talk_review_scores, outside)
    values = _given(
        name=None if name is None else _name(name),
        weight=None if weight is None else _weight(weight),
        sort_key=sort_key,
    )
    await _update(session, talk_score_categories, category_id, {**values, **scores})
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
    await _refuse_if_used(session, "score category", category_id, talk_review_scores, used)
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
        await _update(session, talk_reviews, review_id, {"score": total})


def _score_range(min_score: int, max_score: int) -> dict[str, int]:
    for field, value in (("min_score", min_score), ("max_score", max_score)):
        if abs(value) > SCORE_LIMIT:
            _refuse(field, f"between -{SCORE_LIMIT} and {SCORE_LIMIT}")
    if max_score <= min_score:
        _refuse("max_score", "must be above min_score")
    return {"min_score": min_score, "max_score": max_score}


def _weight(weight: Decimal) -> Decimal:
    if not weight.is_finite() or not 0 < weight <= MAX_WEIGHT or weight != round(weight, 2):
        _refuse("weight", f"above 0, at most {MAX_WEIGHT}, with at most two decimals")
    return weight


def _category(row: Row[Any]) -> ScoreCategory:
    return ScoreCategory(
        row.id, row.name, Decimal(row.weight), row.min_score, row.max_score, row.sort_key
    )


# --- shared ------------------------------------------------------------------------------------


async def _row(
    session: AsyncSession, table: Table, event_id: str, object_id: str, kind: str
) -> Row[Any]:
    row = (
        await session.execute(
            select(table).where(table.c.id == object_id, table.c.event_id == event_id)
        )
    ).one_or_none()
    if row is None:
        raise UnknownTalkObjectError(kind=kind, id=object_id)
    return row


async def _rows(session: AsyncSession, table: Table, event_id: str, order: Any) -> list[Row[Any]]:
    statement = select(table).where(table.c.event_id == event_id).order_by(order, table.c.id)
    return list(await session.execute(statement))


async def _update(
    session: AsyncSession, table: Table, object_id: str, values: dict[str, Any]
) -> None:
    if values:
        await session.execute(update(table).where(table.c.id == object_id).values(values))


async def _refuse_if_used(
    session: AsyncSession, kind: str, object_id: str, users: Table, condition: Any
) -> None:
    count = await session.scalar(select(func.count()).select_from(users).where(condition))
    if count:
        used_by = _USED_BY[users.name]
        raise TalkObjectInUseError(kind=kind, id=object_id, used_by=used_by, count=int(count))


async def _sort_key(session: AsyncSession, table: Table, event_id: str, given: int | None) -> int:
    if given is not None:
        return given
    last = await session.scalar(
        select(func.max(table.c.sort_key)).where(table.c.event_id == event_id)
    )
    return 0 if last is None else int(last) + 1


def _given(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _name(name: str) -> str:
    stripped = name.strip()
    if not 0 < len(stripped) <= MAX_NAME_CHARS:
        _refuse("name", f"1 to {MAX_NAME_CHARS} characters")
    return stripped


def _timezone(timezone: str) -> str:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        _refuse("timezone", f"unknown timezone {timezone!r}")
    return timezone


def _duration(minutes: int) -> int:
    if not 1 <= minutes <= MAX_DURATION_MINUTES:
        _refuse("default_duration_minutes", f"1 to {MAX_DURATION_MINUTES}")
    return minutes


def _color(color: str) -> str:
    if not _COLOR.fullmatch(color):
        _refuse("color", "a color as #rrggbb")
    return color.lower()


def _refuse(field: str, message: str) -> NoReturn:
    raise InvalidPayloadError(errors=[{"field": field, "message": message}])

"""An event's call for papers: whether it is open, its deadline, its headline and text, and its
submission types with their own deadlines (a type's deadline replaces the CfP's, earlier or
later, as in pretalx). Reading and changing them, and the one rule of when speakers may submit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.talk.errors import CfpClosedError, UnknownTalkObjectError
from catalog.talk.tables import talk_cfps, talk_events, talk_submission_types
from catalog.talk.unchanged import UNCHANGED, Unchanged
from core.errors import InvalidPayloadError

MAX_HEADLINE_CHARS = 300
MAX_TEXT_CHARS = 20_000


@dataclass(frozen=True, slots=True)
class SubmissionTypeTerms:
    id: str
    name: str
    default_duration_minutes: int
    deadline: datetime | None


@dataclass(frozen=True, slots=True)
class CallForPapers:
    event_id: str
    is_open: bool
    deadline: datetime | None
    headline: str
    text: str
    types: tuple[SubmissionTypeTerms, ...]

    def deadline_for(self, submission_type_id: str | None) -> datetime | None:
        """The deadline a submission of this type meets: the type's own, else the CfP's."""
        for kind in self.types:
            if kind.id == submission_type_id and kind.deadline is not None:
                return kind.deadline
        return self.deadline

    def check_open(self, now: datetime, submission_type_id: str | None = None) -> None:
        """Refuse unless speakers may submit (of this type) at ``now``.

        Raises:
            CfpClosedError: not open, or past the deadline that applies.
        """
        deadline = self.deadline_for(submission_type_id)
        if not self.is_open:
            raise CfpClosedError(deadline=_iso(deadline))
        if deadline is not None and now >= deadline:
            raise CfpClosedError(deadline=_iso(deadline))

    def accepts(self, now: datetime, submission_type_id: str | None = None) -> bool:
        try:
            self.check_open(now, submission_type_id)
        except CfpClosedError:
            return False
        return True


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


async def call_for_papers(session: AsyncSession, event_id: str) -> CallForPapers:
    """The event's CfP (closed and empty when none was set up) with its submission types by name.

    Raises:
        UnknownTalkObjectError: no such talk event.
    """
    if await session.scalar(select(talk_events.c.id).where(talk_events.c.id == event_id)) is None:
        raise UnknownTalkObjectError(kind="event", id=event_id)
    row = (await session.execute(select(talk_cfps).where(talk_cfps.c.event_id == event_id))).first()
    types = tuple(
        SubmissionTypeTerms(t.id, t.name, t.default_duration_minutes, t.deadline)
        for t in await session.execute(
            select(talk_submission_types)
            .where(talk_submission_types.c.event_id == event_id)
            .order_by(talk_submission_types.c.name, talk_submission_types.c.id)
        )
    )
    if row is None:
        return CallForPapers(event_id, False, None, "", "", types)
    return CallForPapers(event_id, row.is_open, row.deadline, row.headline, row.text, types)


async def update_call_for_papers(
    session: AsyncSession,
    event_id: str,
    *,
    is_open: bool | None = None,
    deadline: datetime | Unchanged | None = UNCHANGED,
    headline: str | None = None,
    text: str | None = None,
) -> CallForPapers:
    """Change what is given (creating the CfP row on first use; ``deadline`` None: no deadline);
    the CfP as it now is.

    Raises:
        UnknownTalkObjectError: no such talk event.
        InvalidPayloadError: a naive deadline, or a headline or text over its length.
    """
    values: dict[str, object] = {}
    if is_open is not None:
        values["is_open"] = is_open
    if deadline is not UNCHANGED:
        values["deadline"] = _aware(deadline, "deadline")
    if headline is not None:
        values["headline"] = _bounded(headline.strip(), "headline", MAX_HEADLINE_CHARS)
    if text is not None:
        values["text"] = _bounded(text.strip(), "text", MAX_TEXT_CHARS)
    await call_for_papers(session, event_id)  # raises for an unknown event
    exists = await session.scalar(
        select(talk_cfps.c.event_id).where(talk_cfps.c.event_id == event_id)
    )
    if exists is None:
        await session.execute(insert(talk_cfps).values(event_id=event_id, is_open=False))
    if values:
        await session.execute(
            update(talk_cfps).where(talk_cfps.c.event_id == event_id).values(**values)
        )
    return await call_for_papers(session, event_id)


async def set_type_deadline(
    session: AsyncSession, event_id: str, submission_type_id: str, deadline: datetime | None
) -> None:
    """Give a submission type its own deadline (None: the CfP's applies again).

    Raises:
        UnknownTalkObjectError: the type is not one of the event's.
        InvalidPayloadError: a naive deadline.
    """
    changed = await session.execute(
        update(talk_submission_types)
        .where(
            talk_submission_types.c.id == submission_type_id,
            talk_submission_types.c.event_id == event_id,
        )
        .values(deadline=_aware(deadline, "deadline"))
    )
    if changed.rowcount == 0:  # type: ignore[attr-defined]
        raise UnknownTalkObjectError(kind="submission type", id=submission_type_id)


def _aware(moment: datetime | None, field: str) -> datetime | None:
    if moment is not None and moment.utcoffset() is None:
        raise InvalidPayloadError(errors=[{"field": field, "message": "needs a UTC offset"}])
    return moment


def _bounded(value: str, field: str, limit: int) -> str:
    if len(value) > limit:
        message = f"at most {limit} characters"
        raise InvalidPayloadError(errors=[{"field": field, "message": message}])
    return value

"""Submissions: the pretalx state machine (pure), and the service that creates and edits
submissions, changes states with the check, and adds and invites co-speakers (speaker profiles are
``speakers``'). The caller owns the transaction (every function takes its session); no
permissions are decided here. Over 400 lines: states, edits and co-speakers share the lookups.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.talk.cfp import call_for_papers
from catalog.talk.errors import (
    InvalidInvitationError,
    InvalidTransitionError,
    UnknownTalkObjectError,
)
from catalog.talk.mail_notices import notify_decision
from catalog.talk.speakers import check_fields, create_speaker, get_speaker, public_code
from catalog.talk.tables import (
    talk_schedules,
    talk_slots,
    talk_speakers,
    talk_submission_speakers,
    talk_submission_types,
    talk_submissions,
    talk_tracks,
)
from core.ids import new_id, random_bytes


class SubmissionState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    CONFIRMED = "confirmed"
    CANCELED = "canceled"
    WITHDRAWN = "withdrawn"


S = SubmissionState
# pretalx's ``SubmissionStates.valid_next_states`` (1.x/2.x), plus draft → submitted. Withdrawing is
# the speaker's way out before a decision; after acceptance a talk is canceled instead.
# Withdrawn is final: a speaker who changes their mind submits anew.
ALLOWED_TRANSITIONS: dict[SubmissionState, frozenset[SubmissionState]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.ACCEPTED, S.REJECTED, S.WITHDRAWN}),
    S.REJECTED: frozenset({S.ACCEPTED, S.SUBMITTED}),
    S.ACCEPTED: frozenset({S.CONFIRMED, S.CANCELED, S.REJECTED, S.SUBMITTED}),
    S.CONFIRMED: frozenset({S.ACCEPTED, S.CANCELED}),
    S.CANCELED: frozenset({S.ACCEPTED, S.CONFIRMED}),
    S.WITHDRAWN: frozenset(),
}
# States whose submissions may hold slots in the work-in-progress schedule.
ACCEPTED_STATES = frozenset({S.ACCEPTED, S.CONFIRMED})
# Only confirmed talks appear in released schedules (pretalx: slot visibility tracks confirmed).
PUBLIC_STATES = frozenset({S.CONFIRMED})


def check_transition(current: SubmissionState, target: SubmissionState) -> None:
    """Refuse a state change pretalx does not allow.

    Raises:
        InvalidTransitionError: ``target`` is not a next state of ``current`` (also when equal).
    """
    allowed = ALLOWED_TRANSITIONS[current]
    if target not in allowed:
        details: dict[str, Any] = {
            "from": current.value,
            "to": target.value,
            "allowed": sorted(state.value for state in allowed),
        }
        raise InvalidTransitionError(None, **details)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Submission:
    id: str
    event_id: str
    code: str
    title: str
    state: SubmissionState
    submission_type_id: str
    track_id: str | None
    duration_minutes: int | None
    updated_at: datetime


def _submission(row: Any) -> Submission:
    return Submission(
        id=row.id,
        event_id=row.event_id,
        code=row.code,
        title=row.title,
        state=SubmissionState(row.state),
        submission_type_id=row.submission_type_id,
        track_id=row.track_id,
        duration_minutes=row.duration_minutes,
        updated_at=row.updated_at,
    )


async def check_cfp_open(
    session: AsyncSession, event_id: str, now: datetime, submission_type_id: str | None = None
) -> None:
    """Refuse speakers' submissions (creating a non-draft, or submitting a draft) unless the
    event's CfP is open and before the deadline that applies (the submission type's own, else
    the CfP's); organizers' own entries skip this check.

    Raises:
        CfpClosedError: no CfP, not open, or past the deadline.
    """
    cfp = await call_for_papers(session, event_id)
    cfp.check_open(now, submission_type_id)


async def get_submission(
    session: AsyncSession, submission_id: str, *, for_update: bool = False
) -> Submission:
    """The submission, locked for this transaction with ``for_update`` (on PostgreSQL).

    Raises:
        UnknownTalkObjectError: no such submission.
    """
    query = select(talk_submissions).where(talk_submissions.c.id == submission_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).one_or_none()
    if row is None:
        raise UnknownTalkObjectError(kind="submission", id=submission_id)
    return _submission(row)


async def create_submission(
    session: AsyncSession,
    event_id: str,
    *,
    speaker_id: str,
    title: str,
    submission_type_id: str,
    now: datetime,
    abstract: str = "",
    description: str = "",
    track_id: str | None = None,
    language: str = "en",
    duration_minutes: int | None = None,
    do_not_record: bool = False,
    draft: bool = False,
) -> Submission:
    """A new submission (``submitted``, or ``draft``) with its first speaker accepted.

    Raises:
        UnknownTalkObjectError: the type, the track or the speaker is not the event's.
    """
    await _check_event_object(
        session, talk_submission_types, "submission_type", submission_type_id, event_id
    )
    if track_id is not None:
        await _check_event_object(session, talk_tracks, "track", track_id, event_id)
    submission_id = new_id()
    for attempt in range(5):
        try:
            async with session.begin_nested():
                await session.execute(
                    insert(talk_submissions).values(
                        id=submission_id,
                        event_id=event_id,
                        code=public_code(),
                        title=title,
                        abstract=abstract,
                        description=description,
                        submission_type_id=submission_type_id,
                        track_id=track_id,
                        language=language,
                        state=S.DRAFT if draft else S.SUBMITTED,
                        duration_minutes=duration_minutes,
                        do_not_record=do_not_record,
                        created_at=now,
                        updated_at=now,
                    )
                )
            break
        except IntegrityError:  # the code was taken in this event; draw another
            if attempt == 4:
                raise
    await add_speaker(session, submission_id, speaker_id, now=now)
    return await get_submission(session, submission_id)


async def add_speaker(
    session: AsyncSession, submission_id: str, speaker_id: str, *, now: datetime
) -> None:
    """Make the event's speaker profile a speaker of the submission at once (an organizer's
    entry; speakers invite co-speakers instead); an open invitation of that address is taken
    up, and a speaker of the submission already stays one.

    Raises:
        UnknownTalkObjectError: no such submission, or the speaker is not the event's.
    """
    submission = await get_submission(session, submission_id)
    speaker = await get_speaker(session, speaker_id)
    if speaker.event_id != submission.event_id:
        raise UnknownTalkObjectError(kind="speaker", id=speaker_id)
    joined = {"speaker_id": speaker_id, "state": "accepted", "accepted_at": now}
    taken_up = await session.execute(
        update(talk_submission_speakers)
        .where(
            talk_submission_speakers.c.submission_id == submission_id,
            talk_submission_speakers.c.email == speaker.email,
        )
        .values(invite_token_hash=None, **joined)
    )
    if not getattr(taken_up, "rowcount", 0):
        await session.execute(
            insert(talk_submission_speakers).values(
                id=new_id(),
                submission_id=submission_id,
                email=speaker.email,
                invited_at=now,
                **joined,
            )
        )


async def change_state(
    session: AsyncSession,
    submission_id: str,
    target: SubmissionState,
    *,
    now: datetime,
    notify: bool = False,
) -> Submission:
    """Move the submission to ``target``; leaving the accepted states drops its slots from the
    work-in-progress schedule (released versions keep theirs). ``notify``: an organizers'
    decision to accept or reject is mailed to the speakers in the same transaction.

    Raises:
        UnknownTalkObjectError: no such submission.
        InvalidTransitionError: pretalx does not allow this change.
    """
    current = await get_submission(session, submission_id, for_update=True)
    check_transition(current.state, target)
    await session.execute(
        update(talk_submissions)
        .where(talk_submissions.c.id == submission_id)
        .values(state=target.value, updated_at=now)
    )
    if target not in ACCEPTED_STATES:
        wip = select(talk_schedules.c.id).where(
            talk_schedules.c.event_id == current.event_id, talk_schedules.c.version.is_(None)
        )
        await session.execute(
            delete(talk_slots).where(
                talk_slots.c.submission_id == submission_id,
                talk_slots.c.schedule_id.in_(wip.scalar_subquery()),
            )
        )
    if notify and target in (SubmissionState.ACCEPTED, SubmissionState.REJECTED):
        await notify_decision(session, submission_id, target.value, now=now)
    return await get_submission(session, submission_id)


async def invite_speaker(
    session: AsyncSession, submission_id: str, *, email: str, now: datetime
) -> str:
    """Invite a co-speaker by email; returns the token to mail them (only its hash is kept).
    Inviting the same address again replaces the open invitation's token."""
    await get_submission(session, submission_id)
    email = email.strip().lower()
    token = random_bytes(24).hex()
    existing = (
        await session.execute(
            select(talk_submission_speakers.c.id, talk_submission_speakers.c.state).where(
                talk_submission_speakers.c.submission_id == submission_id,
                talk_submission_speakers.c.email == email,
            )
        )
    ).one_or_none()
    if existing is None:
        await session.execute(
            insert(talk_submission_speakers).values(
                id=new_id(),
                submission_id=submission_id,
                email=email,
                state="invited",
                invite_token_hash=token_hash(token),
                invited_at=now,
            )
        )
    elif existing.state == "invited":
        await session.execute(
            update(talk_submission_speakers)
            .where(talk_submission_speakers.c.id == existing.id)
            .values(invite_token_hash=token_hash(token), invited_at=now)
        )
    else:
        msg = "This address is a speaker of the submission already"
        raise InvalidInvitationError(msg)
    return token


async def accept_invitation(
    session: AsyncSession,
    token: str,
    *,
    name: str,
    now: datetime,
    account_id: str | None = None,
) -> str:
    """Accept an invitation: the accepting account's speaker profile in the event (when it has
    one), else the invited address's (made if new), becomes a speaker of the submission — so one
    account keeps one profile per event whatever address it was invited at. Accepting for a
    submission the profile already speaks on just uses up the invitation. Returns the speaker id.

    Raises:
        InvalidInvitationError: the token is unknown or was used.
    """
    invitation = (
        await session.execute(
            select(
                talk_submission_speakers.c.id,
                talk_submission_speakers.c.email,
                talk_submission_speakers.c.submission_id,
                talk_submissions.c.event_id,
            )
            .join(
                talk_submissions,
                talk_submissions.c.id == talk_submission_speakers.c.submission_id,
            )
            .where(
                and_(
                    talk_submission_speakers.c.invite_token_hash == token_hash(token),
                    talk_submission_speakers.c.state == "invited",
                )
            )
            .with_for_update(of=talk_submission_speakers)
        )
    ).one_or_none()
    if invitation is None:
        raise InvalidInvitationError
    own = None
    if account_id is not None:
        own = await session.scalar(
            select(talk_speakers.c.id)
            .where(
                talk_speakers.c.event_id == invitation.event_id,
                talk_speakers.c.account_id == account_id,
            )
            .order_by(talk_speakers.c.created_at, talk_speakers.c.id)
            .limit(1)
        )
    if own is not None and str(own) in await speaker_ids(session, invitation.submission_id):
        await session.execute(
            delete(talk_submission_speakers).where(talk_submission_speakers.c.id == invitation.id)
        )
        return str(own)
    speaker_id = (
        str(own)
        if own is not None
        else await create_speaker(
            session,
            invitation.event_id,
            email=invitation.email,
            name=name,
            now=now,
            account_id=account_id,
        )
    )
    await session.execute(
        update(talk_submission_speakers)
        .where(talk_submission_speakers.c.id == invitation.id)
        .values(state="accepted", speaker_id=speaker_id, invite_token_hash=None, accepted_at=now)
    )
    return speaker_id


async def speaker_ids(session: AsyncSession, submission_id: str) -> list[str]:
    """The speaker profiles of the submission (accepted co-speakers included, open invitations
    not), oldest first."""
    rows = await session.scalars(
        select(talk_submission_speakers.c.speaker_id)
        .where(
            talk_submission_speakers.c.submission_id == submission_id,
            talk_submission_speakers.c.state == "accepted",
        )
        .order_by(talk_submission_speakers.c.invited_at, talk_submission_speakers.c.id)
    )
    return [str(row) for row in rows]


SUBMISSION_FIELDS = frozenset(
    {
        "title",
        "abstract",
        "description",
        "track_id",
        "submission_type_id",
        "language",
        "duration_minutes",
        "do_not_record",
    }
)


async def _check_event_object(
    session: AsyncSession, table: Any, kind: str, object_id: str, event_id: str
) -> None:
    found = await session.scalar(
        select(table.c.id).where(table.c.id == object_id, table.c.event_id == event_id)
    )
    if found is None:
        raise UnknownTalkObjectError(kind=kind, id=object_id)


async def _duration(session: AsyncSession, submission: Submission) -> int:
    default = await session.scalar(
        select(talk_submission_types.c.default_duration_minutes).where(
            talk_submission_types.c.id == submission.submission_type_id
        )
    )
    return submission.duration_minutes or int(default or 0)


async def _refit_wip_slots(session: AsyncSession, submission: Submission, minutes: int) -> None:
    """Scheduled slots of the work-in-progress schedule last the talk's duration (pretalx's
    ``update_duration``); released versions keep theirs."""
    wip = select(talk_schedules.c.id).where(
        talk_schedules.c.event_id == submission.event_id, talk_schedules.c.version.is_(None)
    )
    rows = await session.execute(
        select(talk_slots.c.id, talk_slots.c.starts_at).where(
            talk_slots.c.submission_id == submission.id,
            talk_slots.c.schedule_id.in_(wip.scalar_subquery()),
            talk_slots.c.starts_at.is_not(None),
        )
    )
    for row in rows.all():
        await session.execute(
            update(talk_slots)
            .where(talk_slots.c.id == row.id)
            .values(ends_at=row.starts_at + timedelta(minutes=minutes))
        )


async def update_submission(
    session: AsyncSession, submission_id: str, *, now: datetime, **changes: Any
) -> Submission:
    """Change a submission's content: any of ``title``, ``abstract``, ``description``,
    ``track_id`` (None: no track), ``submission_type_id``, ``language``, ``duration_minutes``
    (None: the type's default) and ``do_not_record``. When the talk's duration changes, its
    scheduled work-in-progress slots end accordingly. The state is changed by ``change_state``.

    Raises:
        UnknownTalkObjectError: no such submission, or the track or type is not the event's.
        InvalidPayloadError: an unknown field, an empty title or language, or a duration that
            is not positive.
    """
    check_fields(changes, SUBMISSION_FIELDS)
    current = await get_submission(session, submission_id, for_update=True)
    if changes.get("track_id") is not None:
        await _check_event_object(
            session, talk_tracks, "track", changes["track_id"], current.event_id
        )
    if "submission_type_id" in changes:
        await _check_event_object(
            session,
            talk_submission_types,
            "submission_type",
            changes["submission_type_id"],
            current.event_id,
        )
    if not changes:
        return current
    await session.execute(
        update(talk_submissions)
        .where(talk_submissions.c.id == submission_id)
        .values(updated_at=now, **changes)
    )
    updated = await get_submission(session, submission_id)
    minutes = await _duration(session, updated)
    if minutes != await _duration(session, current):
        await _refit_wip_slots(session, updated, minutes)
    return updated

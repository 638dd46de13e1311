"""Submission states follow pretalx's transitions on SQLite and PostgreSQL; co-speakers are invited
by email and join with their token."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert, select

from catalog.talk.errors import CfpClosedError, InvalidInvitationError, InvalidTransitionError
from catalog.talk.speakers import CODE_ALPHABET
from catalog.talk.submissions import (
    ALLOWED_TRANSITIONS,
    SubmissionState,
    accept_invitation,
    change_state,
    check_cfp_open,
    check_transition,
    get_submission,
    invite_speaker,
    speaker_ids,
)
from catalog.talk.tables import talk_cfps, talk_speakers, talk_submission_speakers
from core.database import Database
from core.ids import new_id
from tests.catalog.talk.talk_rows import NOW, make_event, make_speaker, make_submission

S = SubmissionState
LATER = NOW + timedelta(minutes=5)
POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)

EXPECTED = {
    (S.DRAFT, S.SUBMITTED),
    (S.SUBMITTED, S.ACCEPTED),
    (S.SUBMITTED, S.REJECTED),
    (S.SUBMITTED, S.WITHDRAWN),
    (S.REJECTED, S.ACCEPTED),
    (S.REJECTED, S.SUBMITTED),
    (S.ACCEPTED, S.CONFIRMED),
    (S.ACCEPTED, S.CANCELED),
    (S.ACCEPTED, S.REJECTED),
    (S.ACCEPTED, S.SUBMITTED),
    (S.CONFIRMED, S.ACCEPTED),
    (S.CONFIRMED, S.CANCELED),
    (S.CANCELED, S.ACCEPTED),
    (S.CANCELED, S.CONFIRMED),
}
ALL_PAIRS = list(itertools.product(S, S))


@pytest.fixture(params=["sqlite", POSTGRES])
def database(request: pytest.FixtureRequest) -> Database:
    found: Database = request.getfixturevalue(f"{request.param}_database")
    return found


def test_the_transition_table_is_pretalxs() -> None:
    table = {(a, b) for a, targets in ALLOWED_TRANSITIONS.items() for b in targets}
    assert table == EXPECTED
    assert ALLOWED_TRANSITIONS[S.WITHDRAWN] == frozenset()


@pytest.mark.parametrize(("current", "target"), [p for p in ALL_PAIRS if p not in EXPECTED])
def test_a_refused_transition_names_both_states(
    current: SubmissionState, target: SubmissionState
) -> None:
    with pytest.raises(InvalidTransitionError) as caught:
        check_transition(current, target)
    assert caught.value.code == "talk.invalid_transition"
    assert caught.value.status == 409
    assert caught.value.details == {
        "from": current.value,
        "to": target.value,
        "allowed": sorted(state.value for state in ALLOWED_TRANSITIONS[current]),
    }


@pytest.mark.parametrize(("current", "target"), sorted(EXPECTED))
async def test_every_allowed_transition_is_stored(
    database: Database, current: SubmissionState, target: SubmissionState
) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        submission = await make_submission(session, event_id, current)
        assert submission.state is current
        changed = await change_state(session, submission.id, target, now=NOW)
    assert changed.state is target
    async with database.transaction() as session:
        assert (await get_submission(session, submission.id)).state is target


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.DRAFT, S.ACCEPTED),
        (S.SUBMITTED, S.CONFIRMED),
        (S.WITHDRAWN, S.SUBMITTED),
        (S.REJECTED, S.CONFIRMED),
        (S.CONFIRMED, S.SUBMITTED),
        (S.CANCELED, S.WITHDRAWN),
    ],
)
async def test_a_refused_transition_leaves_the_state(
    database: Database, current: SubmissionState, target: SubmissionState
) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        submission = await make_submission(session, event_id, current)
    async with database.transaction() as session:
        with pytest.raises(InvalidTransitionError) as caught:
            await change_state(session, submission.id, target, now=NOW)
    assert caught.value.details["from"] == current.value
    assert caught.value.details["to"] == target.value
    async with database.transaction() as session:
        assert (await get_submission(session, submission.id)).state is current


async def test_submissions_get_distinct_short_uppercase_codes(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        codes = {(await make_submission(session, event_id)).code for _ in range(20)}
    assert len(codes) == 20
    assert all(len(code) == 6 and set(code) <= set(CODE_ALPHABET) for code in codes)


async def test_an_invited_co_speaker_joins_with_the_token(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        first = await make_speaker(session, event_id)
        submission = await make_submission(session, event_id, speaker_id=first)
        token = await invite_speaker(session, submission.id, email=" Co@Example.org", now=LATER)
        assert await speaker_ids(session, submission.id) == [first]
        stored = await session.scalar(
            select(talk_submission_speakers.c.invite_token_hash).where(
                talk_submission_speakers.c.email == "co@example.org",
                talk_submission_speakers.c.submission_id == submission.id,
            )
        )
        assert stored is not None
        assert token not in stored

    async with database.transaction() as session:
        joined = await accept_invitation(
            session, token, name="Co Speaker", now=NOW, account_id="acct-co"
        )
        assert await speaker_ids(session, submission.id) == [first, joined]
        profile = (
            await session.execute(select(talk_speakers).where(talk_speakers.c.id == joined))
        ).one()
    assert (profile.email, profile.name, profile.account_id) == (
        "co@example.org",
        "Co Speaker",
        "acct-co",
    )

    async with database.transaction() as session:
        with pytest.raises(InvalidInvitationError):
            await accept_invitation(session, token, name="Again", now=NOW)


async def test_an_unknown_token_is_refused_and_a_second_invite_replaces_the_token(
    database: Database,
) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        submission = await make_submission(session, event_id)
        old = await invite_speaker(session, submission.id, email="co@example.org", now=NOW)
        new = await invite_speaker(session, submission.id, email="co@example.org", now=NOW)
    async with database.transaction() as session:
        with pytest.raises(InvalidInvitationError):
            await accept_invitation(session, old, name="Co", now=NOW)
        with pytest.raises(InvalidInvitationError):
            await accept_invitation(session, "not-a-token", name="Co", now=NOW)
        speaker_id = await accept_invitation(session, new, name="Co", now=NOW)
        assert speaker_id in await speaker_ids(session, submission.id)


async def test_a_speaker_of_two_submissions_keeps_one_profile(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        one = await make_submission(session, event_id)
        two = await make_submission(session, event_id)
        first = await invite_speaker(session, one.id, email="co@example.org", now=NOW)
        second = await invite_speaker(session, two.id, email="co@example.org", now=NOW)
        a = await accept_invitation(session, first, name="Co", now=NOW)
        b = await accept_invitation(session, second, name="Co", now=NOW)
    assert a == b


async def test_an_account_invited_at_another_address_keeps_its_one_profile(
    database: Database,
) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        account = new_id()
        own = await make_speaker(session, event_id, account_id=account)
        other = await make_submission(session, event_id)
        mine = await make_submission(session, event_id, speaker_id=own)
        token = await invite_speaker(session, other.id, email="work@example.org", now=NOW)
        again = await invite_speaker(session, mine.id, email="work@example.org", now=NOW)
        joined = await accept_invitation(
            session, token, name="Work me", now=NOW, account_id=account
        )
        same = await accept_invitation(session, again, name="Work me", now=NOW, account_id=account)
        profiles = await session.scalars(
            select(talk_speakers.c.id).where(talk_speakers.c.account_id == account)
        )
        assert list(profiles) == [own]
        assert own in await speaker_ids(session, other.id)
        assert await speaker_ids(session, mine.id) == [own]
        left = await session.scalar(
            select(talk_submission_speakers.c.id).where(
                talk_submission_speakers.c.submission_id == mine.id,
                talk_submission_speakers.c.email == "work@example.org",
            )
        )
    assert joined == same == own
    assert left is None  # the invitation to a submission it already speaks on is used up


@pytest.mark.parametrize(
    ("is_open", "deadline", "refused"),
    [
        (None, None, True),  # no CfP row at all
        (False, None, True),
        (True, None, False),
        (True, NOW + timedelta(seconds=1), False),
        (True, NOW, True),
    ],
)
async def test_the_cfp_takes_submissions_while_open_and_before_its_deadline(
    database: Database, is_open: bool | None, deadline: datetime | None, refused: bool
) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        if is_open is not None:
            await session.execute(
                insert(talk_cfps).values(event_id=event_id, is_open=is_open, deadline=deadline)
            )
        if refused:
            with pytest.raises(CfpClosedError) as caught:
                await check_cfp_open(session, event_id, NOW)
            assert caught.value.details == {
                "deadline": None if deadline is None else deadline.isoformat()
            }
        else:
            await check_cfp_open(session, event_id, NOW)

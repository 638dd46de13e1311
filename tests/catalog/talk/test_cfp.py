"""The call for papers: open or closed, its deadline and a submission type's own deadline, its
headline and text; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from catalog.talk.cfp import call_for_papers, set_type_deadline, update_call_for_papers
from catalog.talk.errors import CfpClosedError, UnknownTalkObjectError
from core.database import Database
from core.errors import InvalidPayloadError
from tests.catalog.talk.talk_rows import NOW, make_event, make_type

POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


@pytest.fixture(params=["sqlite", POSTGRES])
def database(request: pytest.FixtureRequest) -> Database:
    found: Database = request.getfixturevalue(f"{request.param}_database")
    return found


async def test_an_event_without_a_cfp_is_closed(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        cfp = await call_for_papers(session, event_id)
    assert (cfp.is_open, cfp.deadline, cfp.headline, cfp.text) == (False, None, "", "")
    assert not cfp.accepts(NOW)
    with pytest.raises(CfpClosedError):
        cfp.check_open(NOW)


async def test_a_type_deadline_replaces_the_cfp_deadline(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        talk = await make_type(session, event_id)
        workshop = await make_type(session, event_id, minutes=90)
        await update_call_for_papers(
            session, event_id, is_open=True, deadline=NOW + timedelta(days=1),
            headline="Speak at TalkCon", text="We want your talks.\n\nAnd workshops.",
        )  # fmt: skip
        await set_type_deadline(session, event_id, workshop, NOW + timedelta(days=3))
        cfp = await call_for_papers(session, event_id)

    assert (cfp.headline, cfp.text) == ("Speak at TalkCon", "We want your talks.\n\nAnd workshops.")
    in_two_days = NOW + timedelta(days=2)
    assert cfp.accepts(NOW, talk)
    assert cfp.accepts(NOW, workshop)
    assert not cfp.accepts(in_two_days, talk)
    assert cfp.accepts(in_two_days, workshop)
    assert not cfp.accepts(in_two_days)  # no type: the CfP's deadline
    with pytest.raises(CfpClosedError) as caught:
        cfp.check_open(NOW + timedelta(days=4), workshop)
    assert caught.value.details == {"deadline": (NOW + timedelta(days=3)).isoformat()}


async def test_changes_keep_what_is_not_given(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        await update_call_for_papers(session, event_id, is_open=True, headline="Hello")
        cfp = await update_call_for_papers(session, event_id, text="Body")
        assert (cfp.is_open, cfp.headline, cfp.text) == (True, "Hello", "Body")
        cfp = await update_call_for_papers(session, event_id, deadline=NOW)
        assert cfp.deadline == NOW
        cfp = await update_call_for_papers(session, event_id, deadline=None, is_open=False)
        assert (cfp.is_open, cfp.deadline) == (False, None)


async def test_bad_changes_are_refused(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        talk = await make_type(session, event_id)
        with pytest.raises(InvalidPayloadError):
            await update_call_for_papers(session, event_id, deadline=datetime(2027, 1, 1))
        with pytest.raises(InvalidPayloadError):
            await update_call_for_papers(session, event_id, headline="x" * 301)
        with pytest.raises(UnknownTalkObjectError):
            await update_call_for_papers(session, "no-such-event", is_open=True)
        with pytest.raises(UnknownTalkObjectError):
            await set_type_deadline(session, "other-event", talk, None)

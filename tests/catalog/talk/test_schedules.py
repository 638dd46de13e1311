"""One WIP schedule per event; releases copy confirmed talks and breaks into immutable versions
with stable guids and a changelog of new, moved and canceled talks (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from catalog.talk.errors import InvalidVersionError, NotSchedulableError, UnknownTalkObjectError
from catalog.talk.schedule_model import talk_guid
from catalog.talk.schedules import (
    add_break,
    get_version,
    release,
    released_versions,
    schedule_slots,
    schedule_talk,
    unschedule_talk,
    wip_schedule_id,
)
from catalog.talk.speaker_notices import speaker_notices
from catalog.talk.submissions import (
    SubmissionState,
    accept_invitation,
    change_state,
    invite_speaker,
)
from catalog.talk.tables import talk_schedules
from core.database import Database
from core.ids import new_id
from tests.catalog.talk.talk_rows import (
    NOW,
    event_slug,
    make_event,
    make_room,
    make_submission,
    make_type,
)

S = SubmissionState
POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)
T10 = NOW + timedelta(hours=1)
T11 = NOW + timedelta(hours=2)
T12 = NOW + timedelta(hours=3)


def guid(event_id: str, code: str) -> str:
    return str(talk_guid(event_slug(event_id), code))


@pytest.fixture(params=["sqlite", POSTGRES])
def database(request: pytest.FixtureRequest) -> Database:
    found: Database = request.getfixturevalue(f"{request.param}_database")
    return found


async def test_an_event_has_exactly_one_wip_schedule(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        first = await wip_schedule_id(session, event_id, now=NOW)
        assert await wip_schedule_id(session, event_id, now=NOW) == first
    async with database.transaction() as session:
        with pytest.raises(IntegrityError):
            async with session.begin_nested():
                await session.execute(
                    insert(talk_schedules).values(
                        id=new_id(), event_id=event_id, comment="", created_at=NOW
                    )
                )
        assert await released_versions(session, event_id) == []


async def test_only_accepted_talks_are_scheduled_and_last_their_duration(
    database: Database,
) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        room = await make_room(session, event_id, "Hall")
        type_id = await make_type(session, event_id, minutes=45)
        accepted = await make_submission(session, event_id, S.ACCEPTED, type_id=type_id)
        submitted = await make_submission(session, event_id, S.SUBMITTED)
        slot = await schedule_talk(session, accepted.id, room_id=room, starts_at=T10, now=NOW)
        with pytest.raises(NotSchedulableError) as refused:
            await schedule_talk(session, submitted.id, room_id=room, starts_at=T10, now=NOW)
        other_event = await make_event(session)
        foreign_room = await make_room(session, other_event, "Elsewhere")
        with pytest.raises(UnknownTalkObjectError):
            await schedule_talk(session, accepted.id, room_id=foreign_room, starts_at=T10, now=NOW)
    assert (slot.code, slot.room_id, slot.starts_at, slot.ends_at) == (
        accepted.code,
        room,
        T10,
        T10 + timedelta(minutes=45),
    )
    assert slot.guid == guid(event_id, accepted.code)
    assert refused.value.details == {"state": "submitted"}


async def test_release_copies_confirmed_talks_and_breaks_and_logs_changes(
    database: Database,
) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        hall = await make_room(session, event_id, "Hall", 0)
        lab = await make_room(session, event_id, "Lab", 1)
        stays = await make_submission(session, event_id, S.CONFIRMED, title="stays")
        moves = await make_submission(session, event_id, S.CONFIRMED, title="moves")
        goes = await make_submission(session, event_id, S.CONFIRMED, title="goes")
        later = await make_submission(session, event_id, S.ACCEPTED, title="later")
        for submission, room, start in (
            (stays, hall, T10),
            (moves, hall, T11),
            (goes, lab, T10),
            (later, lab, T11),
        ):
            await schedule_talk(session, submission.id, room_id=room, starts_at=start, now=NOW)
        lunch = await add_break(
            session,
            event_id,
            room_id=None,
            starts_at=T12,
            ends_at=T12,
            description="Lunch",
            now=NOW,
        )
        first = await release(session, event_id, "0.1", comment="first", now=NOW)
        first_slots = await schedule_slots(session, first.id)

    # Accepted-but-unconfirmed "later" is in the WIP schedule only.
    assert sorted((s.code or s.description) for s in first_slots) == sorted(
        [stays.code, moves.code, goes.code, "Lunch"]
    )
    assert first.changelog["action"] == "create"
    assert sorted(t["code"] for t in first.changelog["new_talks"]) == sorted(
        [stays.code, moves.code, goes.code]
    )
    assert first.changelog["moved_talks"] == first.changelog["canceled_talks"] == []

    async with database.transaction() as session:
        await schedule_talk(session, moves.id, room_id=lab, starts_at=T12, now=NOW)
        await change_state(session, goes.id, S.CANCELED, now=NOW)
        await change_state(session, later.id, S.CONFIRMED, now=NOW)
        second = await release(session, event_id, "0.2", comment="second", now=NOW)
        second_slots = await schedule_slots(session, second.id)
        first_again = await schedule_slots(session, first.id)

    assert second.changelog == {
        "action": "update",
        "new_talks": [
            {
                "code": later.code,
                "guid": guid(event_id, later.code),
                "room_id": lab,
                "start": T11.isoformat(),
            }
        ],
        "canceled_talks": [
            {
                "code": goes.code,
                "guid": guid(event_id, goes.code),
                "room_id": lab,
                "start": T10.isoformat(),
            }
        ],
        "moved_talks": [
            {
                "code": moves.code,
                "guid": guid(event_id, moves.code),
                "old_room_id": hall,
                "new_room_id": lab,
                "old_start": T11.isoformat(),
                "new_start": T12.isoformat(),
            }
        ],
    }
    # Guids are stable across versions (breaks too); slot ids are per version; the first
    # release is unchanged.
    first_guids = {s.code or s.description: s.guid for s in first_slots}
    second_guids = {s.code or s.description: s.guid for s in second_slots}
    assert first_guids[stays.code] == second_guids[stays.code]
    assert first_guids["Lunch"] == second_guids["Lunch"] == lunch.guid
    assert not {s.id for s in first_slots} & {s.id for s in second_slots}
    assert first_again == first_slots


async def test_an_unchanged_release_is_a_new_version_with_an_empty_changelog(
    database: Database,
) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        room = await make_room(session, event_id, "Hall")
        talk = await make_submission(session, event_id, S.CONFIRMED)
        await schedule_talk(session, talk.id, room_id=room, starts_at=T10, now=NOW)
        first = await release(session, event_id, "1", comment="", now=NOW)
        again = await release(session, event_id, "2", comment="same", now=NOW)
        latest = await get_version(session, event_id, "latest")
        named = await get_version(session, event_id, "1")
        listed = await released_versions(session, event_id)
        wip = await wip_schedule_id(session, event_id, now=NOW)
    assert again.changelog == {
        "action": "update",
        "new_talks": [],
        "canceled_talks": [],
        "moved_talks": [],
    }
    assert again.released_at > first.released_at
    assert latest == again
    assert named == first
    assert [v.version for v in listed] == ["2", "1"]
    assert wip not in {v.id for v in listed}


@pytest.mark.parametrize(
    ("name", "reason"),
    [("", "empty"), ("  ", "empty"), ("wip", "reserved"), ("Latest", "reserved")],
)
async def test_reserved_and_empty_version_names_are_refused(
    database: Database, name: str, reason: str
) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        with pytest.raises(InvalidVersionError) as caught:
            await release(session, event_id, name, comment="", now=NOW)
    assert caught.value.details["reason"] == reason


async def test_a_version_name_is_used_once_per_event(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        other_event = await make_event(session)
        await release(session, event_id, "0.1", comment="", now=NOW)
        await release(session, other_event, "0.1", comment="", now=NOW)
        with pytest.raises(InvalidVersionError) as caught:
            await release(session, event_id, "0.1", comment="", now=NOW)
    assert caught.value.details == {"reason": "taken", "version": "0.1"}


async def test_wip_is_never_a_readable_version_and_leaving_accepted_unschedules(
    database: Database,
) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        room = await make_room(session, event_id, "Hall")
        talk = await make_submission(session, event_id, S.ACCEPTED)
        other = await make_submission(session, event_id, S.ACCEPTED)
        await schedule_talk(session, talk.id, room_id=room, starts_at=T10, now=NOW)
        await schedule_talk(session, other.id, room_id=room, starts_at=T11, now=NOW)
        wip = await wip_schedule_id(session, event_id, now=NOW)
        for name in ("wip", "latest"):
            with pytest.raises(UnknownTalkObjectError):
                await get_version(session, event_id, name)
        await change_state(session, talk.id, S.REJECTED, now=NOW)
        await unschedule_talk(session, other.id, now=NOW)
        left = await schedule_slots(session, wip)
        versions = await session.scalars(
            select(talk_schedules.c.version).where(talk_schedules.c.event_id == event_id)
        )
    assert left == []
    assert list(versions) == [None]


async def test_a_release_names_each_speaker_of_a_changed_talk(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        hall = await make_room(session, event_id, "Hall")
        moved = await make_submission(session, event_id, S.CONFIRMED)
        canceled = await make_submission(session, event_id, S.CONFIRMED)
        token = await invite_speaker(session, moved.id, email="co@example.org", now=NOW)
        await accept_invitation(session, token, name="Co", now=NOW)
        await invite_speaker(session, moved.id, email="pending@example.org", now=NOW)
        await schedule_talk(session, moved.id, room_id=hall, starts_at=T10, now=NOW)
        await schedule_talk(session, canceled.id, room_id=hall, starts_at=T11, now=NOW)
        first = await release(session, event_id, "1", comment="", now=NOW)
        assert {
            (n.code, n.change) for n in await speaker_notices(session, event_id, first.changelog)
        } == {
            (moved.code, "new"),
            (canceled.code, "new"),
        }
        await schedule_talk(session, moved.id, room_id=hall, starts_at=T12, now=NOW)
        await change_state(session, canceled.id, S.CANCELED, now=NOW)
        second = await release(session, event_id, "2", comment="", now=NOW)
        notices = await speaker_notices(session, event_id, second.changelog)
    by_talk = sorted((n.code, n.change, n.email == "co@example.org") for n in notices)
    # The invited-but-not-joined address is not told; the co-speaker who joined is.
    assert by_talk == sorted(
        [
            (moved.code, "moved", False),
            (moved.code, "moved", True),
            (canceled.code, "canceled", False),
        ]
    )
    moved_notice = next(n for n in notices if n.change == "moved")
    assert (moved_notice.entry["old_start"], moved_notice.entry["new_start"]) == (
        T10.isoformat(),
        T12.isoformat(),
    )


async def test_concurrent_first_uses_make_one_wip_schedule(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)

    async def wip() -> str:
        async with database.transaction() as session:
            return await wip_schedule_id(session, event_id, now=NOW)

    found = await asyncio.gather(*(wip() for _ in range(4)))
    assert len(set(found)) == 1

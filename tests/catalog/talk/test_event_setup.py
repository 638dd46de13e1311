"""Setting up a talk event: the event made once per slug, submission types, tracks, review phases
and score categories created, changed and deleted, and what is in use kept; on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from catalog.talk import (
    TalkObjectInUseError,
    UnknownTalkObjectError,
    call_for_papers,
    create_review_phase,
    create_score_category,
    create_submission,
    create_submission_type,
    create_track,
    current_phase,
    delete_review_phase,
    delete_score_category,
    delete_submission_type,
    delete_track,
    ensure_talk_event,
    get_score_category,
    review_phases,
    score_categories,
    submission_types,
    submit_review,
    tracks,
    update_review_phase,
    update_score_category,
    update_submission_type,
    update_talk_event,
    update_track,
    visible_reviews,
)
from catalog.talk.submissions import SubmissionState
from catalog.talk.tables import talk_events
from core.database import Database
from core.errors import InvalidPayloadError
from core.ids import new_id
from tests.catalog.talk.talk_rows import NOW, make_event, make_speaker, make_submission

POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)
NAIVE = datetime(2026, 6, 1, 9, 0)


@pytest.fixture(params=["sqlite", POSTGRES])
def database(request: pytest.FixtureRequest) -> Database:
    found: Database = request.getfixturevalue(f"{request.param}_database")
    return found


def fresh_slug() -> str:
    return f"org-{new_id()[:8]}/conf"


def invalid_fields(caught: pytest.ExceptionInfo[InvalidPayloadError]) -> list[str]:
    return [error["field"] for error in caught.value.details["errors"]]


async def test_the_talk_event_is_made_once_per_slug(database: Database) -> None:
    slug = fresh_slug()
    async with database.transaction() as session:
        made = await ensure_talk_event(session, slug, " Conf 2026 ", "Europe/Berlin", NOW)
        again = await ensure_talk_event(session, slug, "Other name", "UTC", NOW)
        row = (await session.execute(select(talk_events).where(talk_events.c.slug == slug))).one()

    assert again == made
    assert (row.id, row.name, row.timezone) == (made, "Conf 2026", "Europe/Berlin")


@pytest.mark.parametrize(
    ("name", "timezone", "field"),
    [("", "UTC", "name"), ("x" * 201, "UTC", "name"), ("Conf", "Mars/Olympus", "timezone")],
)
async def test_a_new_talk_event_needs_a_name_and_a_known_timezone(
    database: Database, name: str, timezone: str, field: str
) -> None:
    async with database.transaction() as session:
        with pytest.raises(InvalidPayloadError) as caught:
            await ensure_talk_event(session, fresh_slug(), name, timezone, NOW)
    assert invalid_fields(caught) == [field]


async def test_the_talk_event_is_renamed_and_moved_to_another_timezone(database: Database) -> None:
    slug = fresh_slug()
    async with database.transaction() as session:
        await ensure_talk_event(session, slug, "Conf", "UTC", NOW)
        await update_talk_event(session, slug, name="Conf 2026")
        await update_talk_event(session, slug, timezone="America/New_York")
        row = (await session.execute(select(talk_events).where(talk_events.c.slug == slug))).one()
        with pytest.raises(InvalidPayloadError):
            await update_talk_event(session, slug, timezone="nowhere")

    assert (row.name, row.timezone) == ("Conf 2026", "America/New_York")


async def test_submission_types_are_created_changed_and_deleted(database: Database) -> None:
    deadline = NOW + timedelta(days=3)
    async with database.transaction() as session:
        event_id = await make_event(session)
        workshop = await create_submission_type(
            session, event_id, name="Workshop", default_duration_minutes=90, deadline=deadline
        )
        talk = await create_submission_type(
            session, event_id, name="Talk", default_duration_minutes=30
        )
        changed = await update_submission_type(
            session, event_id, talk.id, name="Long talk", default_duration_minutes=45
        )
        cleared = await update_submission_type(session, event_id, workshop.id, deadline=None)
        await delete_submission_type(session, event_id, talk.id)
        left = await submission_types(session, event_id)
        cfp = await call_for_papers(session, event_id)

    assert (workshop.name, workshop.default_duration_minutes, workshop.deadline) == (
        "Workshop",
        90,
        deadline,
    )
    assert (changed.name, changed.default_duration_minutes, changed.deadline) == (
        "Long talk",
        45,
        None,
    )
    assert cleared.deadline is None
    assert left == [cleared]
    assert cfp.types == (cleared,)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"default_duration_minutes": 0}, "default_duration_minutes"),
        ({"default_duration_minutes": 24 * 60 + 1}, "default_duration_minutes"),
        ({"deadline": NAIVE}, "deadline"),
    ],
)
async def test_a_submission_type_is_validated(
    database: Database, changes: dict[str, Any], field: str
) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        with pytest.raises(InvalidPayloadError) as created:
            await create_submission_type(
                session, event_id, **{"name": "Talk", "default_duration_minutes": 30, **changes}
            )
        talk = await create_submission_type(
            session, event_id, name="Talk", default_duration_minutes=30
        )
        with pytest.raises(InvalidPayloadError) as updated:
            await update_submission_type(session, event_id, talk.id, **changes)
    assert invalid_fields(created) == [field]
    assert invalid_fields(updated) == [field]


async def test_a_submission_type_with_submissions_is_not_deleted(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        talk = await create_submission_type(
            session, event_id, name="Talk", default_duration_minutes=30
        )
        await make_submission(session, event_id, type_id=talk.id)
        await make_submission(session, event_id, SubmissionState.DRAFT, type_id=talk.id)
        with pytest.raises(TalkObjectInUseError) as caught:
            await delete_submission_type(session, event_id, talk.id)
        kept = await submission_types(session, event_id)

    assert caught.value.code == "talk.in_use"
    assert caught.value.details == {
        "kind": "submission type",
        "id": talk.id,
        "used_by": "submissions",
        "count": 2,
    }
    assert kept == [talk]


async def test_objects_of_another_event_are_unknown(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        other = await make_event(session)
        talk = await create_submission_type(
            session, other, name="Talk", default_duration_minutes=30
        )
        track = await create_track(session, other, name="Core", color="#000000")
        phase = await create_review_phase(session, other, name="Review")
        category = await create_score_category(
            session, other, name="Content", min_score=0, max_score=3
        )
        attempts = [
            update_submission_type(session, event_id, talk.id, name="Mine"),
            delete_track(session, event_id, track.id),
            update_review_phase(session, event_id, phase.id, name="Mine"),
            delete_score_category(session, event_id, category.id),
        ]
        kinds = []
        for attempt in attempts:
            with pytest.raises(UnknownTalkObjectError) as caught:
                await attempt
            kinds.append((caught.value.details["kind"], caught.value.details["id"]))

    assert kinds == [
        ("submission type", talk.id),
        ("track", track.id),
        ("review phase", phase.id),
        ("score category", category.id),
    ]


async def test_tracks_are_created_changed_and_deleted_unless_used(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        core = await create_track(session, event_id, name="Core", color="#3AA57C")
        web = await create_track(session, event_id, name="Web", color="#2a4d69")
        renamed = await update_track(session, event_id, web.id, name="Apps", color="#B5651D")
        talk = await create_submission_type(
            session, event_id, name="Talk", default_duration_minutes=30
        )
        await create_submission(
            session, event_id, speaker_id=await make_speaker(session, event_id), title="In core",
            submission_type_id=talk.id, track_id=core.id, now=NOW,
        )  # fmt: skip
        with pytest.raises(TalkObjectInUseError) as caught:
            await delete_track(session, event_id, core.id)
        await delete_track(session, event_id, web.id)
        left = await tracks(session, event_id)
        with pytest.raises(InvalidPayloadError) as bad_color:
            await create_track(session, event_id, name="Red", color="red")

    assert core.color == "#3aa57c"
    assert (renamed.name, renamed.color) == ("Apps", "#b5651d")
    assert caught.value.details == {
        "kind": "track",
        "id": core.id,
        "used_by": "submissions",
        "count": 1,
    }
    assert left == [core]
    assert invalid_fields(bad_color) == ["color"]


async def test_review_phases_decide_the_current_phase(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        first = await create_review_phase(
            session, event_id, name="Review", ends_at=NOW + timedelta(days=7)
        )
        second = await create_review_phase(
            session, event_id, name="Selection", starts_at=NOW + timedelta(days=7),
            can_review=False, can_see_other_reviews=True, can_change_submission_state=True,
        )  # fmt: skip
        now_phase = await current_phase(session, event_id, NOW)
        later_phase = await current_phase(session, event_id, NOW + timedelta(days=8))
        await update_review_phase(session, event_id, first.id, ends_at=None, sort_key=5)
        reordered = await review_phases(session, event_id)
        later_after_change = await current_phase(session, event_id, NOW + timedelta(days=8))
        await delete_review_phase(session, event_id, second.id)
        left = await review_phases(session, event_id)

    assert (first.sort_key, second.sort_key) == (0, 1)
    assert now_phase is not None
    assert now_phase.id == first.id
    assert later_phase is not None
    assert (later_phase.id, later_phase.can_review, later_phase.can_change_submission_state) == (
        second.id,
        False,
        True,
    )
    assert [phase.id for phase in reordered] == [second.id, first.id]
    assert reordered[1].ends_at is None
    assert later_after_change is not None
    assert later_after_change.id == second.id
    assert [phase.id for phase in left] == [first.id]


async def test_a_review_phase_ends_after_it_starts(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        with pytest.raises(InvalidPayloadError) as created:
            await create_review_phase(
                session, event_id, name="Backwards", starts_at=NOW, ends_at=NOW
            )
        phase = await create_review_phase(session, event_id, name="Review", starts_at=NOW)
        with pytest.raises(InvalidPayloadError) as updated:
            await update_review_phase(session, event_id, phase.id, ends_at=NOW - timedelta(hours=1))
        with pytest.raises(InvalidPayloadError) as naive:
            await update_review_phase(session, event_id, phase.id, starts_at=NAIVE)
    assert invalid_fields(created) == ["ends_at"]
    assert invalid_fields(updated) == ["ends_at"]
    assert invalid_fields(naive) == ["starts_at"]


async def test_a_new_weight_re_totals_the_reviews(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        await create_review_phase(session, event_id, name="Review")
        content = await create_score_category(
            session, event_id, name="Content", min_score=0, max_score=4
        )
        delivery = await create_score_category(
            session, event_id, name="Delivery", min_score=0, max_score=4
        )
        submission = await make_submission(session, event_id)
        before = await submit_review(
            session, submission.id, reviewer_id="alice", scores={content.id: 4, delivery.id: 0},
            text="", now=NOW,
        )  # fmt: skip
        changed = await update_score_category(
            session, event_id, content.id, weight=Decimal("3"), name="Substance"
        )
        after = await visible_reviews(session, submission.id, reviewer_id="alice", now=NOW)

    assert before.score == Decimal("2.0000")
    assert (changed.name, changed.weight, changed.sort_key) == ("Substance", Decimal(3), 0)
    assert [review.score for review in after] == [Decimal("3.0000")]  # (3*4 + 1*0) / 4


async def test_a_score_category_keeps_the_scores_it_holds(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        await create_review_phase(session, event_id, name="Review")
        content = await create_score_category(
            session, event_id, name="Content", min_score=0, max_score=4
        )
        unused = await create_score_category(
            session, event_id, name="Unused", min_score=0, max_score=2
        )
        submission = await make_submission(session, event_id)
        await submit_review(
            session, submission.id, reviewer_id="alice", scores={content.id: 4}, text="",
            now=NOW,
        )  # fmt: skip
        with pytest.raises(TalkObjectInUseError) as narrowed:
            await update_score_category(session, event_id, content.id, max_score=3)
        widened = await update_score_category(session, event_id, content.id, min_score=-2)
        with pytest.raises(TalkObjectInUseError) as deleted:
            await delete_score_category(session, event_id, content.id)
        await delete_score_category(session, event_id, unused.id)
        left = await score_categories(session, event_id)
        stored = await get_score_category(session, event_id, content.id)

    in_use = {"kind": "score category", "id": content.id, "used_by": "scores", "count": 1}
    assert narrowed.value.details == in_use
    assert deleted.value.details == in_use
    assert (widened.min_score, widened.max_score) == (-2, 4)
    assert left == [stored]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weight": Decimal(0)}, "weight"),
        ({"weight": Decimal("1.005")}, "weight"),
        ({"weight": Decimal("10000")}, "weight"),
        ({"min_score": 3, "max_score": 3}, "max_score"),
        ({"min_score": -2_000_000}, "min_score"),
        ({"name": ""}, "name"),
    ],
)
async def test_a_score_category_is_validated(
    database: Database, changes: dict[str, Any], field: str
) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        with pytest.raises(InvalidPayloadError) as created:
            await create_score_category(
                session, event_id, **{"name": "Content", "min_score": 0, "max_score": 3, **changes}
            )
        category = await create_score_category(
            session, event_id, name="Content", min_score=0, max_score=3
        )
        with pytest.raises(InvalidPayloadError) as updated:
            await update_score_category(session, event_id, category.id, **changes)
    assert invalid_fields(created) == [field]
    assert invalid_fields(updated) == [field]

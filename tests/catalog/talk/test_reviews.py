"""Review phases switch what reviewers may do; one review per reviewer and submission; weighted
aggregate scores rank submissions (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest

from catalog.talk.errors import (
    InvalidScoreError,
    InvalidTransitionError,
    OwnSubmissionError,
    PhaseDeniedError,
)
from catalog.talk.reviews import (
    change_state_as_reviewer,
    mean_score,
    ranked_submissions,
    submit_review,
    visible_reviews,
    weighted_total,
)
from catalog.talk.submissions import SubmissionState
from core.database import Database
from tests.catalog.talk.talk_rows import (
    NOW,
    make_category,
    make_event,
    make_phase,
    make_speaker,
    make_submission,
)

POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)
HOUR = timedelta(hours=1)


@pytest.fixture(params=["sqlite", POSTGRES])
def database(request: pytest.FixtureRequest) -> Database:
    found: Database = request.getfixturevalue(f"{request.param}_database")
    return found


def test_weighted_total_and_mean_follow_the_documented_formula() -> None:
    # (2*3 + 1*0) / (2 + 1) = 2; (2*1 + 1*2) / 3 = 1.3333
    assert weighted_total([(Decimal(2), 3), (Decimal(1), 0)]) == Decimal("2.0000")
    assert weighted_total([(Decimal(2), 1), (Decimal(1), 2)]) == Decimal("1.3333")
    assert weighted_total([]) is None
    assert weighted_total([(Decimal(0), 3)]) is None
    assert mean_score([Decimal(2), Decimal("1.3333"), None]) == Decimal("1.6666")  # half-even
    assert mean_score([None]) is None


async def test_reviews_aggregate_by_weight_and_rank_submissions(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        await make_phase(session, event_id)
        content = await make_category(session, event_id, "2", sort_key=0)
        delivery = await make_category(session, event_id, "1", sort_key=1)
        strong = await make_submission(session, event_id, title="strong")
        weak = await make_submission(session, event_id, title="weak")
        unreviewed = await make_submission(session, event_id, title="unreviewed")
        await make_submission(session, event_id, SubmissionState.DRAFT, title="draft")

        first = await submit_review(
            session, strong.id, reviewer_id="r1", scores={content: 3, delivery: 0}, text="", now=NOW
        )
        await submit_review(
            session, strong.id, reviewer_id="r2", scores={content: 3, delivery: 3}, text="", now=NOW
        )
        await submit_review(
            session, weak.id, reviewer_id="r1", scores={content: 1, delivery: 2}, text="", now=NOW
        )
        ranked = await ranked_submissions(session, event_id)

    assert first.score == Decimal("2.0000")
    # strong: mean(2, 3) = 2.5; weak: 4/3
    assert [(r.title, r.score, r.review_count) for r in ranked] == [
        ("strong", Decimal("2.5000"), 2),
        ("weak", Decimal("1.3333"), 1),
        ("unreviewed", None, 0),
    ]
    assert ranked[0].code == strong.code
    assert unreviewed.id == ranked[2].submission_id


async def test_a_second_review_replaces_the_first(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        await make_phase(session, event_id)
        content = await make_category(session, event_id, "1")
        submission = await make_submission(session, event_id)
        await submit_review(
            session, submission.id, reviewer_id="r1", scores={content: 0}, text="meh", now=NOW
        )
        again = await submit_review(
            session, submission.id, reviewer_id="r1", scores={content: 3}, text="yes", now=NOW
        )
        reviews = await visible_reviews(session, submission.id, reviewer_id="r1", now=NOW)
        ranked = await ranked_submissions(session, event_id)
    assert reviews == [again]
    assert (again.text, again.score, again.scores) == ("yes", Decimal("3.0000"), {content: 3})
    assert [(r.score, r.review_count) for r in ranked] == [(Decimal("3.0000"), 1)]


async def test_a_reviewer_cannot_review_their_own_submission(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        await make_phase(session, event_id)
        speaker = await make_speaker(session, event_id, account_id="acct-own")
        submission = await make_submission(session, event_id, speaker_id=speaker)
        with pytest.raises(OwnSubmissionError) as caught:
            await submit_review(
                session, submission.id, reviewer_id="acct-own", scores={}, text="", now=NOW
            )
    assert (caught.value.code, caught.value.status) == ("talk.own_submission", 403)


async def test_phases_switch_reviewing_and_visibility(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        # Before NOW: no phase; NOW..+1h reviewing, blind; +1h..: no reviewing, all visible.
        await make_phase(session, event_id, starts_at=NOW, ends_at=NOW + HOUR, sort_key=0)
        await make_phase(
            session,
            event_id,
            starts_at=NOW + HOUR,
            can_review=False,
            can_see_other_reviews=True,
            can_change_submission_state=True,
            sort_key=1,
        )
        submission = await make_submission(session, event_id)

        with pytest.raises(PhaseDeniedError) as early:
            await submit_review(
                session, submission.id, reviewer_id="r1", scores={}, text="", now=NOW - HOUR
            )
        await submit_review(session, submission.id, reviewer_id="r1", scores={}, text="a", now=NOW)
        await submit_review(session, submission.id, reviewer_id="r2", scores={}, text="b", now=NOW)
        blind = await visible_reviews(session, submission.id, reviewer_id="r1", now=NOW)
        with pytest.raises(PhaseDeniedError) as decide_early:
            await change_state_as_reviewer(
                session, submission.id, SubmissionState.ACCEPTED, now=NOW
            )

        later = NOW + 2 * HOUR
        with pytest.raises(PhaseDeniedError) as late:
            await submit_review(
                session, submission.id, reviewer_id="r3", scores={}, text="", now=later
            )
        open_ = await visible_reviews(session, submission.id, reviewer_id="r1", now=later)
        decided = await change_state_as_reviewer(
            session, submission.id, SubmissionState.ACCEPTED, now=later
        )
        with pytest.raises(InvalidTransitionError):
            await change_state_as_reviewer(
                session, submission.id, SubmissionState.WITHDRAWN, now=later
            )

    assert early.value.details == {"permission": "can_review", "phase": None}
    assert late.value.details == {"permission": "can_review", "phase": "phase 1"}
    assert decide_early.value.details == {
        "permission": "can_change_submission_state",
        "phase": "phase 0",
    }
    assert [r.text for r in blind] == ["a"]
    assert sorted(r.text for r in open_) == ["a", "b"]
    assert decided.state is SubmissionState.ACCEPTED


async def test_scores_outside_the_range_or_category_are_refused(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        other_event = await make_event(session)
        await make_phase(session, event_id)
        content = await make_category(session, event_id, "1", max_score=3)
        foreign = await make_category(session, other_event, "1")
        submission = await make_submission(session, event_id)
        with pytest.raises(InvalidScoreError) as too_high:
            await submit_review(
                session, submission.id, reviewer_id="r1", scores={content: 4}, text="", now=NOW
            )
        with pytest.raises(InvalidScoreError) as unknown:
            await submit_review(
                session, submission.id, reviewer_id="r1", scores={foreign: 1}, text="", now=NOW
            )
    assert too_high.value.details == {"category_id": content, "min": 0, "max": 3}
    assert unknown.value.details == {"category_id": foreign}


async def test_concurrent_reviews_by_one_reviewer_leave_one_review(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        await make_phase(session, event_id)
        content = await make_category(session, event_id, "1")
        submission = await make_submission(session, event_id)

    async def review(value: int) -> None:
        async with database.transaction() as session:
            await submit_review(
                session,
                submission.id,
                reviewer_id="r1",
                scores={content: value},
                text=str(value),
                now=NOW,
            )

    await asyncio.gather(*(review(value) for value in (1, 2, 3)))
    async with database.transaction() as session:
        reviews = await visible_reviews(session, submission.id, reviewer_id="r1", now=NOW)
    assert len(reviews) == 1
    assert reviews[0].scores == {content: int(reviews[0].text)}
    assert reviews[0].score == Decimal(reviews[0].text)

"""The reviewer pages over HTTP: the list with its filters and scores, the review form (own
submission, closed phases and scores out of range refused), accepting and rejecting, who may
see them at all (login, teams) and CSRF on every form."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, insert, select, update

from catalog.talk.questions import QuestionKind, QuestionTarget, create_question, save_answers
from catalog.talk.reviews import submit_review
from catalog.talk.submissions import Submission, SubmissionState
from catalog.talk.tables import talk_reviews, talk_submissions
from catalog.tickets import (
    Permission,
    add_team_member,
    create_account,
    create_organizer,
    create_team,
    start_session,
)
from catalog.tickets.tables import ticket_events
from core.clock import utc_now
from core.database import Database
from core.ids import new_id
from tests.catalog.talk.talk_rows import (
    event_slug,
    make_category,
    make_event,
    make_phase,
    make_speaker,
    make_submission,
    make_track,
    make_type,
)
from tests.web.api.api_client import running_api
from web.account_session import COOKIE

REVIEWER = (Permission.REVIEWS_VIEW,)
DECIDER = (Permission.REVIEWS_VIEW, Permission.SUBMISSIONS_CHANGE)
POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


@dataclass(frozen=True, slots=True)
class ReviewSite:
    """A running node with one talk event whose organizer exists; ``base`` is the event's
    reviewer list."""

    http: httpx.AsyncClient
    database: Database
    event_id: str
    organizer_id: str

    @classmethod
    async def make(cls, http: httpx.AsyncClient, database: Database) -> ReviewSite:
        """A new talk event and its organizer (fresh slugs: PostgreSQL is shared)."""
        async with database.transaction() as session:
            event_id = await make_event(session)
            organizer = event_slug(event_id).split("/")[0]
            organizer_id = await create_organizer(session, organizer, "Org")
        return cls(http, database, event_id, organizer_id)

    @property
    def base(self) -> str:
        return f"/{event_slug(self.event_id)}/reviews/"

    async def account(
        self,
        permissions: Iterable[Permission] = REVIEWER,
        *,
        all_events: bool = True,
        event_ids: Iterable[str] = (),
    ) -> str:
        """A new account in a new team of the organizer with ``permissions``."""
        async with self.database.transaction() as session:
            account_id = await create_account(
                session, f"{new_id()[:12]}@example.org", "Rita Reviewer", "correct horse"
            )
            team_id = await create_team(
                session,
                self.organizer_id,
                "Reviewers",
                permissions,
                all_events=all_events,
                event_ids=list(event_ids),
            )
            await add_team_member(session, team_id, account_id)
        return account_id

    async def session_token(self, account_id: str) -> str:
        """A login of the account: the value of its session cookie."""
        async with self.database.transaction() as session:
            return await start_session(session, account_id)

    async def log_in(self, account_id: str) -> None:
        self.http.cookies.set(COOKIE, await self.session_token(account_id))

    async def reviewer(self, permissions: Iterable[Permission] = REVIEWER) -> str:
        account_id = await self.account(permissions)
        await self.log_in(account_id)
        return account_id

    async def csrf(self, path: str) -> str:
        page = await self.http.get(path)
        found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
        assert found, page.text
        return found.group(1)

    async def review(self, code: str, **fields: str) -> httpx.Response:
        path = f"{self.base}{code}/"
        return await self.http.post(path, data={"csrf_token": await self.csrf(path), **fields})

    async def decide(self, code: str, decision: str) -> httpx.Response:
        path = f"{self.base}{code}/"
        token = await self.csrf(path)
        return await self.http.post(
            f"{path}decision", data={"csrf_token": token, "decision": decision}
        )

    async def state_of(self, submission: Submission) -> str:
        async with self.database.transaction() as session:
            state = await session.scalar(
                select(talk_submissions.c.state).where(talk_submissions.c.id == submission.id)
            )
        return str(state)

    async def review_count(self) -> int:
        async with self.database.transaction() as session:
            count = await session.scalar(select(func.count()).select_from(talk_reviews))
        return int(count or 0)


@asynccontextmanager
async def review_site(tmp_path: Path, db_url: str = "") -> AsyncIterator[ReviewSite]:
    """A node without the demo (on SQLite, or on PostgreSQL with ``db_url``) and its site."""
    async with running_api(tmp_path, db_url) as node:
        yield await ReviewSite.make(node.http, node.database)


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[ReviewSite]:
    """The site on SQLite."""
    async with review_site(tmp_path) as made:
        yield made


@pytest.fixture(params=["sqlite", POSTGRES])
async def any_site(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ReviewSite]:
    """The site on each database."""
    db_url = "" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    async with review_site(tmp_path, db_url) as made:
        yield made


async def add_phase(site: ReviewSite, **allowed: bool) -> None:
    async with site.database.transaction() as session:
        await make_phase(session, site.event_id, **allowed)


async def add_submissions(site: ReviewSite, *titles: str) -> list[Submission]:
    async with site.database.transaction() as session:
        type_id = await make_type(session, site.event_id)
        return [
            await make_submission(session, site.event_id, type_id=type_id, title=title)
            for title in titles
        ]


async def add_category(
    site: ReviewSite, weight: str = "1", max_score: int = 3, sort_key: int = 0
) -> str:
    """A score category from 0 to ``max_score``, called ``category <sort_key>``."""
    async with site.database.transaction() as session:
        return await make_category(
            session, site.event_id, weight, max_score=max_score, sort_key=sort_key
        )


async def stored_review(
    site: ReviewSite, submission: Submission, reviewer_id: str, scores: dict[str, int]
) -> None:
    async with site.database.transaction() as session:
        await submit_review(
            session, submission.id, reviewer_id=reviewer_id, scores=scores, text="", now=utc_now()
        )


def table_rows(html: str) -> list[dict[str, str]]:
    """Each row of the list: title, own score, review count and (when shown) the aggregate."""
    rows = []
    for row in re.findall(r"<tr data-code=.*?</tr>", html, re.DOTALL):
        cell = {
            name: re.sub(r"<[^>]+>", "", value).strip()
            for name, value in re.findall(r'<td class="number ([a-z-]+)">(.*?)</td>', row)
        }
        title = re.search(r'<a href="[^"]+">(.*?)</a>', row)
        assert title
        rows.append({"title": title.group(1), **cell})
    return rows


async def test_the_list_shows_reviewable_submissions_with_own_score_and_count(
    site: ReviewSite,
) -> None:
    await add_phase(site)
    category = await add_category(site)
    me = await site.reviewer()
    colleague = await site.account()
    first, second = await add_submissions(site, "Rust <for> all", "Postgres tuning")
    async with site.database.transaction() as session:
        await make_submission(session, site.event_id, SubmissionState.DRAFT, title="Draft idea")
    await stored_review(site, first, me, {category: 2})
    await stored_review(site, first, colleague, {category: 0})

    page = await site.http.get(site.base)

    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "Draft idea" not in page.text
    assert "Other reviewers' scores are hidden in this phase." in page.text
    assert sorted(table_rows(page.text), key=lambda row: row["title"]) == [
        {"title": "Postgres tuning", "own-score": "not reviewed", "review-count": "0"},
        {"title": "Rust &lt;for&gt; all", "own-score": "2.00", "review-count": "2"},
    ]
    assert f'href="{site.base}{second.code}/"' in page.text
    assert "Jane Doe" in page.text
    assert "<td>Talk</td>" in page.text
    assert '<td class="state">submitted</td>' in page.text


async def test_the_aggregate_ranks_the_list_when_the_phase_shows_other_reviews(
    any_site: ReviewSite,
) -> None:
    site = any_site
    await add_phase(site, can_see_other_reviews=True)
    quality = await add_category(site, "2", max_score=4)
    fit = await add_category(site, "1", max_score=4)
    me = await site.reviewer()
    colleague = await site.account()
    low, high, _ = await add_submissions(site, "Low", "High", "Unscored")
    await stored_review(site, low, me, {quality: 1, fit: 1})
    await stored_review(site, low, colleague, {quality: 0, fit: 3})
    await stored_review(site, high, colleague, {quality: 4, fit: 1})

    page = await site.http.get(site.base)

    assert page.status_code == 200
    assert table_rows(page.text) == [
        {"title": "High", "own-score": "not reviewed", "review-count": "1", "score": "3.00"},
        {"title": "Low", "own-score": "1.00", "review-count": "2", "score": "1.00"},
        {"title": "Unscored", "own-score": "not reviewed", "review-count": "0", "score": "\u2013"},
    ]


async def test_filters_by_state_track_and_not_yet_reviewed_and_sorts(site: ReviewSite) -> None:
    await add_phase(site)
    category = await add_category(site)
    me = await site.reviewer()
    alpha, beta, gamma = await add_submissions(site, "Alpha", "Beta", "Gamma")
    async with site.database.transaction() as session:
        track = await make_track(session, site.event_id)
        await session.execute(
            update(talk_submissions)
            .where(talk_submissions.c.id == beta.id)
            .values(track_id=track, state=SubmissionState.ACCEPTED.value)
        )
    await stored_review(site, alpha, me, {category: 1})
    await stored_review(site, gamma, me, {category: 3})

    def titles(page: httpx.Response) -> list[str]:
        assert page.status_code == 200
        return [row["title"] for row in table_rows(page.text)]

    by_state = await site.http.get(site.base, params={"state": "accepted"})
    by_track = await site.http.get(site.base, params={"track": track})
    unreviewed = await site.http.get(site.base, params={"unreviewed": "1"})
    by_own_score = await site.http.get(site.base, params={"sort": "score"})
    by_title = await site.http.get(site.base, params={"sort": "title", "state": "submitted"})

    assert titles(by_state) == ["Beta"]
    assert titles(by_track) == ["Beta"]
    assert titles(unreviewed) == ["Beta"]
    assert titles(by_own_score) == ["Gamma", "Alpha", "Beta"]
    assert titles(by_title) == ["Alpha", "Gamma"]
    assert f'<option value="{track}" selected>Core</option>' in by_track.text


async def test_a_hidden_aggregate_does_not_order_the_list(site: ReviewSite) -> None:
    await add_phase(site, can_see_other_reviews=False)
    category = await add_category(site, max_score=4)
    await site.reviewer()
    colleague = await site.account()
    by_code = sorted(await add_submissions(site, *"ABCDE"), key=lambda s: s.code)
    for value, submission in enumerate(by_code):  # the aggregate ranks them by code, reversed
        await stored_review(site, submission, colleague, {category: value})

    page = await site.http.get(site.base, params={"sort": "score"})

    assert [row["title"] for row in table_rows(page.text)] == [s.title for s in by_code]


async def test_anonymous_visitors_are_sent_to_the_login_page(site: ReviewSite) -> None:
    [submission] = await add_submissions(site, "A talk")

    listing = await site.http.get(site.base, params={"state": "submitted"})
    one = await site.http.get(f"{site.base}{submission.code}/")

    assert listing.status_code == 303
    assert listing.headers["location"] == (f"/account/login?next={site.base}%3Fstate%3Dsubmitted")
    assert one.status_code == 303
    assert one.headers["location"].startswith("/account/login?next=")


async def ticket_event(site: ReviewSite, event: str) -> str:
    """A ticket event of the site's organizer; ``event`` is its slug within the organizer."""
    event_id = new_id()
    organizer = event_slug(site.event_id).split("/")[0]
    async with site.database.transaction() as session:
        await session.execute(
            insert(ticket_events).values(
                id=event_id, organizer_id=site.organizer_id, slug=f"{organizer}/{event}",
                name="Conf", currency="EUR", created_at=utc_now(),
            )
        )  # fmt: skip
    return event_id


async def test_only_teams_with_review_permission_on_the_event_see_the_pages(
    site: ReviewSite,
) -> None:
    await add_phase(site)
    [submission] = await add_submissions(site, "A talk")
    same_slug = await ticket_event(site, event_slug(site.event_id).split("/")[1])
    other_event = await ticket_event(site, "other")
    on_event = await site.account(REVIEWER, all_events=False, event_ids=[same_slug])
    elsewhere = await site.account(REVIEWER, all_events=False, event_ids=[other_event])
    viewers = await site.account([Permission.SUBMISSIONS_VIEW])
    async with site.database.transaction() as session:
        outsider = await create_account(session, "outsider@example.org", "Out", "correct horse")

    answers = {}
    for name, account_id in [
        ("on event", on_event),
        ("elsewhere", elsewhere),
        ("viewers", viewers),
        ("outsider", outsider),
    ]:
        await site.log_in(account_id)
        listing = await site.http.get(site.base)
        one = await site.http.get(f"{site.base}{submission.code}/")
        answers[name] = (listing.status_code, one.status_code, "A talk" in listing.text + one.text)
    unknown = await site.http.get("/nobody/nothing/reviews/")

    assert answers == {
        "on event": (200, 200, True),
        "elsewhere": (403, 403, False),
        "viewers": (403, 403, False),
        "outsider": (403, 403, False),
    }
    assert "Not a reviewer of this event" in listing.text
    assert unknown.status_code == 404


async def test_without_a_current_phase_the_list_says_reviewing_is_closed(
    site: ReviewSite,
) -> None:
    async with site.database.transaction() as session:
        await make_phase(session, site.event_id, ends_at=utc_now() - timedelta(days=1))
    [submission] = await add_submissions(site, "A talk")
    await site.reviewer()

    listing = await site.http.get(site.base)
    one = await site.http.get(f"{site.base}{submission.code}/")

    assert listing.status_code == 200
    assert "Reviewing is closed: no review phase is running." in listing.text
    assert one.status_code == 200
    assert "Reviewing is closed" in one.text
    assert "Save review" not in one.text


async def test_the_review_page_shows_the_submission_with_its_answers(site: ReviewSite) -> None:
    await add_phase(site)
    await site.reviewer()
    async with site.database.transaction() as session:
        speaker = await make_speaker(session, site.event_id)
        submission = await make_submission(
            session, site.event_id, speaker_id=speaker, title="Rust <in> the kernel"
        )
        await session.execute(
            update(talk_submissions)
            .where(talk_submissions.c.id == submission.id)
            .values(abstract="Why & how", description="Line one\nLine two")
        )
        for target, owner, text, value in [
            (QuestionTarget.SUBMISSION, submission.id, "Audience level?", "Beginners <all>"),
            (QuestionTarget.SPEAKER, speaker, "Where are you from?", "Lyon"),
        ]:
            question = await create_question(
                session, site.event_id, text=text, kind=QuestionKind.STRING, target=target
            )
            await save_answers(session, site.event_id, target, owner, {question.id: value})
        draft = await make_submission(session, site.event_id, SubmissionState.DRAFT)

    page = await site.http.get(f"{site.base}{submission.code}/")
    hidden = await site.http.get(f"{site.base}{draft.code}/")
    unknown = await site.http.get(f"{site.base}NOSUCH/")

    assert page.status_code == 200
    assert '<h1 id="submission-title">Rust &lt;in&gt; the kernel</h1>' in page.text
    assert '<p class="text">Why &amp; how</p>' in page.text
    assert '<p class="text">Line one\nLine two</p>' in page.text
    assert "<dt>Speakers</dt>\n<dd>Jane Doe</dd>" in page.text
    assert "<dd>Talk (30 minutes)</dd>" in page.text
    assert '<dt>Audience level?</dt>\n<dd class="text">Beginners &lt;all&gt;</dd>' in page.text
    assert '<dt>Where are you from?</dt>\n<dd class="text">Lyon</dd>' in page.text
    assert "Save review" in page.text
    assert hidden.status_code == 404
    assert unknown.status_code == 404


async def test_a_saved_review_shows_in_the_form_and_the_list(site: ReviewSite) -> None:
    await add_phase(site)
    quality = await add_category(site, "3")
    fit = await add_category(site, "1")
    await site.reviewer()
    [submission] = await add_submissions(site, "A talk")

    saved = await site.review(
        submission.code, **{f"score-{quality}": "3", f"score-{fit}": "1", "text": "Great <b>"}
    )
    again = await site.http.get(saved.headers["location"])
    listing = await site.http.get(site.base)

    assert saved.status_code == 303
    assert saved.headers["location"] == f"{site.base}{submission.code}/?saved=1"
    assert "Your review was saved." in again.text
    assert f'name="score-{quality}" min="0" max="3" step="1" value="3"' in again.text
    assert ">Great &lt;b&gt;</textarea>" in again.text
    assert '<strong id="own-score">2.50</strong>' in again.text
    assert table_rows(listing.text) == [
        {"title": "A talk", "own-score": "2.50", "review-count": "1"}
    ]


async def test_reviewing_ones_own_submission_is_refused(site: ReviewSite) -> None:
    await add_phase(site)
    category = await add_category(site)
    me = await site.reviewer()
    async with site.database.transaction() as session:
        speaker = await make_speaker(session, site.event_id, account_id=me)
        mine = await make_submission(session, site.event_id, speaker_id=speaker, title="Mine")

    page = await site.http.get(f"{site.base}{mine.code}/")
    refused = await site.review(mine.code, **{f"score-{category}": "2", "text": "Excellent"})

    assert "You are a speaker of this submission, so you cannot review it." in page.text
    assert "Save review" not in page.text
    assert refused.status_code == 403
    assert "You are a speaker of this submission: reviewers cannot review their own." in (
        refused.text
    )
    assert await site.review_count() == 0


async def test_scores_outside_the_range_or_not_numbers_are_shown_in_the_form(
    site: ReviewSite,
) -> None:
    await add_phase(site)
    category = await add_category(site, max_score=3)
    await site.reviewer()
    [submission] = await add_submissions(site, "A talk")

    too_high = await site.review(submission.code, **{f"score-{category}": "7", "text": "Hm"})
    not_a_number = await site.review(submission.code, **{f"score-{category}": "two"})

    assert too_high.status_code == 422
    assert f'<a href="#score-{category}">Choose a score from 0 to 3.</a>' in too_high.text
    assert f'value="7" aria-invalid="true" aria-describedby="score-{category}-error"' in (
        too_high.text
    )
    assert ">Hm</textarea>" in too_high.text
    assert not_a_number.status_code == 422
    assert "Enter a whole number." in not_a_number.text
    assert await site.review_count() == 0


async def test_a_phase_without_reviewing_refuses_reviews(site: ReviewSite) -> None:
    await add_phase(site, can_review=False)
    category = await add_category(site)
    await site.reviewer()
    [submission] = await add_submissions(site, "A talk")

    page = await site.http.get(f"{site.base}{submission.code}/")
    refused = await site.review(submission.code, **{f"score-{category}": "1"})

    assert "does not allow reviewing" in page.text
    assert "Save review" not in page.text
    assert refused.status_code == 403
    assert "The review phase “phase 0” does not allow reviewing." in refused.text
    assert await site.review_count() == 0


async def test_other_reviews_show_only_when_the_phase_allows(tmp_path: Path) -> None:
    shown = {}
    for allowed in (False, True):
        async with review_site(tmp_path / str(allowed)) as site:
            await add_phase(site, can_see_other_reviews=allowed)
            category = await add_category(site)
            await site.reviewer()
            colleague = await site.account()
            [submission] = await add_submissions(site, "A talk")
            async with site.database.transaction() as session:
                await submit_review(
                    session,
                    submission.id,
                    reviewer_id=colleague,
                    scores={category: 3},
                    text="Colleague's verdict",
                    now=utc_now(),
                )
            page = await site.http.get(f"{site.base}{submission.code}/")
            shown[allowed] = ("Colleague&#39;s verdict" in page.text, "Other reviews" in page.text)

    assert shown == {False: (False, False), True: (True, True)}


async def test_reviewers_with_submissions_change_accept_when_the_phase_allows(
    site: ReviewSite,
) -> None:
    await add_phase(site, can_change_submission_state=True)
    me = await site.reviewer(DECIDER)
    first, second = await add_submissions(site, "First", "Second")
    async with site.database.transaction() as session:
        speaker = await make_speaker(session, site.event_id, account_id=me)
        mine = await make_submission(session, site.event_id, speaker_id=speaker, title="Mine")

    page = await site.http.get(f"{site.base}{first.code}/")
    own_page = await site.http.get(f"{site.base}{mine.code}/")
    accepted = await site.decide(first.code, "accept")
    rejected = await site.decide(second.code, "reject")
    accepted_again = await site.decide(first.code, "accept")
    own_decision = await site.decide(mine.code, "accept")

    assert '<button type="submit" name="decision" value="accept">Accept</button>' in page.text
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"{site.base}{first.code}/?decided=1"
    assert rejected.status_code == 303
    assert await site.state_of(first) == "accepted"
    assert await site.state_of(second) == "rejected"
    assert accepted_again.status_code == 409
    assert "The submission is accepted and cannot become accepted." in accepted_again.text
    assert 'value="accept"' not in own_page.text
    assert own_decision.status_code == 403
    assert "You cannot decide on your own submission." in own_decision.text
    assert await site.state_of(mine) == "submitted"


async def test_state_changes_need_the_permission_and_the_phase(tmp_path: Path) -> None:
    outcomes = {}
    for case, permissions, phase_allows in [
        ("no permission", REVIEWER, True),
        ("phase denies", DECIDER, False),
    ]:
        async with review_site(tmp_path / case.replace(" ", "-")) as site:
            await add_phase(site, can_change_submission_state=phase_allows)
            await site.reviewer(permissions)
            [submission] = await add_submissions(site, "A talk")
            page = await site.http.get(f"{site.base}{submission.code}/")
            denied = await site.decide(submission.code, "accept")
            outcomes[case] = (
                'value="accept"' in page.text,
                denied.status_code,
                await site.state_of(submission),
            )

    assert outcomes == {
        "no permission": (False, 403, "submitted"),
        "phase denies": (False, 403, "submitted"),
    }


async def test_forms_without_a_good_csrf_token_are_refused(site: ReviewSite) -> None:
    await add_phase(site, can_change_submission_state=True)
    category = await add_category(site)
    await site.reviewer(DECIDER)
    [submission] = await add_submissions(site, "A talk")
    path = f"{site.base}{submission.code}/"
    await site.csrf(path)  # the browser has its cookie

    forged = await site.http.post(path, data={"csrf_token": "0" * 64, f"score-{category}": "1"})
    missing = await site.http.post(f"{path}decision", data={"decision": "accept"})

    assert forged.status_code == 403
    assert "Form expired" in forged.text
    assert missing.status_code == 403
    assert await site.review_count() == 0
    assert await site.state_of(submission) == "submitted"

"""The call for papers over HTTP: its page (open, closed, deadline in the event's timezone), the
submission form for logged-in accounts with custom questions, drafts, co-speakers invited by mail,
form errors that keep the entered values, closed CfPs and CSRF; stored data also on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from catalog.talk import QuestionKind, QuestionTarget, answers_of, create_question
from catalog.talk.cfp import set_type_deadline, update_call_for_papers
from catalog.talk.mail_tables import talk_emails
from catalog.talk.tables import (
    talk_cfps,
    talk_speakers,
    talk_submissions,
)
from core.clock import utc_now
from core.database import Database
from tests.catalog.talk.talk_rows import event_slug, make_event, make_track, make_type
from tests.web.test_shop_front import FormFields
from tests.web.test_talk_account_pages import TalkSite, talk_site

POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


@dataclass(frozen=True)
class CfpEvent:
    """A talk event with a CfP, a type, a track, a required submission question (choice), an
    optional number question and a required speaker question."""

    id: str
    slug: str
    type_id: str
    track_id: str
    level: str
    audience: str
    company: str

    @property
    def submit(self) -> str:
        return f"/{self.slug}/cfp/submit/"


async def cfp_event(
    database: Database, *, is_open: bool = True, deadline: datetime | None = None
) -> CfpEvent:
    async with database.transaction() as session:
        event_id = await make_event(session, "Europe/Berlin")
        await session.execute(
            insert(talk_cfps).values(event_id=event_id, is_open=is_open, deadline=deadline)
        )
        type_id = await make_type(session, event_id, minutes=45)
        track_id = await make_track(session, event_id)
        level = await create_question(
            session,
            event_id,
            text="Audience level",
            kind=QuestionKind.CHOICE,
            target=QuestionTarget.SUBMISSION,
            required=True,
            options=["Beginner", "Expert"],
        )
        audience = await create_question(
            session,
            event_id,
            text="Expected audience size",
            kind=QuestionKind.NUMBER,
            target=QuestionTarget.SUBMISSION,
        )
        company = await create_question(
            session,
            event_id,
            text="Company",
            kind=QuestionKind.STRING,
            target=QuestionTarget.SPEAKER,
            required=True,
        )
    return CfpEvent(
        event_id,
        event_slug(event_id),
        type_id,
        track_id,
        f"q:{level.id}",
        f"q:{audience.id}",
        f"q:{company.id}",
    )


def proposal(event: CfpEvent, **changes: str) -> dict[str, str]:
    """A complete proposal form."""
    data = {
        "title": "Actors all the way down",
        "submission_type": event.type_id,
        "track": event.track_id,
        "abstract": "Virtual actors on two databases.",
        "description": "Longer text.",
        "language": "en",
        "duration": "",
        "name": "Ada L.",
        "biography": "Writes programs.",
        event.level: "Expert",
        event.audience: "120",
        event.company: "Analytical Engines",
        "co_speakers": "",
        "action": "submit",
    }
    return {**data, **changes}


async def submission_count(database: Database, event_id: str) -> int:
    async with database.transaction() as session:
        count = await session.scalar(
            select(func.count()).where(talk_submissions.c.event_id == event_id)
        )
    return int(count or 0)


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[TalkSite]:
    async with talk_site(tmp_path) as made:
        yield made


@pytest.fixture(params=["sqlite", POSTGRES])
async def any_site(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[TalkSite]:
    db_url = "" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    async with talk_site(tmp_path, db_url) as made:
        yield made


async def test_an_open_cfp_shows_its_deadline_in_the_event_timezone(site: TalkSite) -> None:
    deadline = datetime.fromisoformat("2030-06-01T16:00:00+00:00")
    event = await cfp_event(site.services.database, deadline=deadline)
    page = await site.client.get(f"/{event.slug}/cfp/")
    assert page.status_code == 200
    assert "<h1>Call for papers: TalkCon</h1>" in page.text
    assert "The call for papers is open." in page.text
    assert "<strong>Saturday, 1 June 2030, 18:00 (Europe/Berlin)</strong>" in page.text
    assert f'href="{event.submit}"' in page.text
    assert "<li>Talk (45 minutes)</li>" in page.text
    assert "<li>Core</li>" in page.text


@pytest.mark.parametrize(("is_open", "past"), [(False, False), (True, True)])
async def test_a_closed_or_past_cfp_says_so_and_offers_no_form(
    site: TalkSite, is_open: bool, past: bool
) -> None:
    deadline = utc_now() - timedelta(hours=1) if past else None
    event = await cfp_event(site.services.database, is_open=is_open, deadline=deadline)
    page = await site.client.get(f"/{event.slug}/cfp/")
    assert page.status_code == 200
    assert "The call for papers is closed." in page.text
    assert event.submit not in page.text
    await site.log_in_as()
    refused = await site.client.get(event.submit)
    assert refused.status_code == 409
    assert "<h1>The call for papers is closed</h1>" in refused.text


async def test_an_unknown_event_has_no_cfp(site: TalkSite) -> None:
    assert (await site.client.get("/nobody/nothing/cfp/")).status_code == 404
    assert (await site.client.get("/nobody/nothing/cfp/submit/")).status_code == 404


async def test_the_form_needs_a_login_and_comes_back_after_it(site: TalkSite) -> None:
    event = await cfp_event(site.services.database)
    response = await site.client.get(event.submit)
    assert response.status_code == 303
    assert response.headers["location"] == f"/account/login?next={event.submit}"


async def test_the_form_asks_every_field_and_question_with_labels(site: TalkSite) -> None:
    event = await cfp_event(site.services.database)
    await site.log_in_as("Ada Lovelace")
    page = await site.client.get(event.submit)
    assert page.status_code == 200
    form = FormFields(page.text)
    for name in ("title", "submission_type", "track", "language", "duration", "name"):
        assert f'<label for="{name}">' in page.text
        assert name in form.names
    assert f'<label for="{event.level}">Audience level</label>' in page.text
    assert f'<label for="{event.audience}">Expected audience size (optional)</label>' in page.text
    assert form.options[event.level] == ["", "Beginner", "Expert"]
    assert form.values["name"] == "Ada Lovelace"


async def test_a_submitted_proposal_stores_submission_profile_and_answers(
    any_site: TalkSite,
) -> None:
    site = any_site
    database = site.services.database
    event = await cfp_event(database)
    account = await site.log_in_as()
    response = await site.post(event.submit, proposal(event))
    assert response.status_code == 303, response.text
    async with database.transaction() as session:
        row = (
            await session.execute(
                select(talk_submissions).where(talk_submissions.c.event_id == event.id)
            )
        ).one()
        speaker = (
            await session.execute(select(talk_speakers).where(talk_speakers.c.event_id == event.id))
        ).one()
        submission_answers = await answers_of(session, QuestionTarget.SUBMISSION, row.id)
        speaker_answers = await answers_of(session, QuestionTarget.SPEAKER, speaker.id)
    assert (
        response.headers["location"] == f"/{event.slug}/me/submissions/{row.code}/?saved=submitted"
    )
    assert (row.title, row.state, row.track_id, row.duration_minutes) == (
        "Actors all the way down",
        "submitted",
        event.track_id,
        None,
    )
    assert (speaker.name, speaker.biography, speaker.email, speaker.account_id) == (
        "Ada L.",
        "Writes programs.",
        account.email,
        account.id,
    )
    assert sorted(submission_answers.values()) == ["120", "Expert"]
    assert list(speaker_answers.values()) == ["Analytical Engines"]


async def test_a_second_proposal_reuses_the_profile_and_fills_it_in(site: TalkSite) -> None:
    database = site.services.database
    event = await cfp_event(database)
    await site.log_in_as()
    await site.post(event.submit, proposal(event))
    form = await site.form(event.submit)
    assert (form.values["name"], form.values[event.company]) == ("Ada L.", "Analytical Engines")
    await site.post(event.submit, proposal(event, title="Second", name="Ada Lovelace"))
    async with database.transaction() as session:
        names = (
            await session.scalars(
                select(talk_speakers.c.name).where(talk_speakers.c.event_id == event.id)
            )
        ).all()
    assert names == ["Ada Lovelace"]
    assert await submission_count(database, event.id) == 2


async def test_a_draft_may_leave_required_questions_open(site: TalkSite) -> None:
    database = site.services.database
    event = await cfp_event(database)
    await site.log_in_as()
    data = proposal(event, action="draft", abstract="", **{event.level: "", event.company: ""})
    response = await site.post(event.submit, data)
    assert response.status_code == 303
    assert response.headers["location"].endswith("?saved=draft")
    async with database.transaction() as session:
        state = await session.scalar(
            select(talk_submissions.c.state).where(talk_submissions.c.event_id == event.id)
        )
    assert state == "draft"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"level": ""}, "level", "This question must be answered."),
        ({"company": ""}, "company", "This question must be answered."),
        ({"level": "Wizard"}, "level", "The answer must be one of the options."),
        ({"audience": "lots"}, "audience", "The answer must be a number."),
        ({"title": ""}, "title", "Please fill in this field."),
        ({"abstract": ""}, "abstract", "Please fill in this field."),
        ({"submission_type": "elsewhere"}, "submission_type", "Please choose one of the options."),
        ({"track": "elsewhere"}, "track", "Please choose one of the options."),
        ({"language": "xx"}, "language", "Please choose one of the options."),
        ({"duration": "-5"}, "duration", "Please enter a number of minutes"),
        ({"name": ""}, "name", "Please fill in this field."),
        ({"co_speakers": "bob@example.org, nope"}, "co_speakers", "valid email addresses"),
        ({"co_speakers": "OWN"}, "co_speakers", "leave out your own address"),
    ],
)
async def test_a_faulty_proposal_is_shown_again_with_the_error_and_the_values(
    site: TalkSite, changes: dict[str, str], field: str, message: str
) -> None:
    database = site.services.database
    event = await cfp_event(database)
    account = await site.log_in_as()
    names = {"level": event.level, "company": event.company, "audience": event.audience}
    data = proposal(event, **{names.get(k, k): v for k, v in changes.items()})
    if data["co_speakers"] == "OWN":
        data["co_speakers"] = account.email.upper()
    name = names.get(field, field)
    response = await site.post(event.submit, data)
    assert response.status_code == 400
    assert f'<p class="error" id="{name}-error">' in response.text
    assert message in response.text
    assert 'id="form-errors"' in response.text
    values = FormFields(response.text).values
    assert values["title"] == data["title"]
    assert values["name"] == data["name"]
    assert f"{data['abstract']}</textarea>" in response.text
    assert await submission_count(database, event.id) == 0


async def test_a_proposal_without_the_csrf_token_is_refused(site: TalkSite) -> None:
    database = site.services.database
    event = await cfp_event(database)
    await site.log_in_as()
    await site.form(event.submit)
    response = await site.client.post(event.submit, data={**proposal(event), "csrf_token": "x"})
    assert response.status_code == 403
    assert await submission_count(database, event.id) == 0


async def test_a_cfp_that_closed_while_the_form_was_open_refuses_it(site: TalkSite) -> None:
    database = site.services.database
    event = await cfp_event(database)
    await site.log_in_as()
    token = (await site.form(event.submit)).values["csrf_token"]
    async with database.transaction() as session:
        await session.execute(
            talk_cfps.update().where(talk_cfps.c.event_id == event.id).values(is_open=False)
        )
    response = await site.client.post(event.submit, data={**proposal(event), "csrf_token": token})
    assert response.status_code == 409
    assert "The call for papers is closed" in response.text
    assert await submission_count(database, event.id) == 0


async def test_co_speakers_are_invited_by_mail(any_site: TalkSite) -> None:
    site = any_site
    database = site.services.database
    event = await cfp_event(database)
    await site.log_in_as()
    data = proposal(event, co_speakers="Bob@example.org\ncarol@example.org")
    response = await site.post(event.submit, data)
    assert response.status_code == 303
    shown = await site.client.get(response.headers["location"])
    assert '<dd id="invited">bob@example.org, carol@example.org</dd>' in shown.text
    assert "/invitation/" not in shown.text  # the link is the invitee's secret
    async with database.transaction() as session:
        code = await session.scalar(
            select(talk_submissions.c.code).where(talk_submissions.c.event_id == event.id)
        )
        mails = (
            await session.execute(
                select(talk_emails.c.recipient, talk_emails.c.kind, talk_emails.c.context)
                .where(talk_emails.c.event_id == event.id)
                .order_by(talk_emails.c.recipient)
            )
        ).all()
    assert [(mail.recipient, mail.kind) for mail in mails] == [
        ("bob@example.org", "cospeaker_invitation"),
        ("carol@example.org", "cospeaker_invitation"),
    ]
    for mail in mails:
        context = dict(mail.context)
        path = context.pop("invitation_path")
        assert path.startswith(f"/{event.slug}/invitation/{code}/")
        assert context == {
            "event_name": "TalkCon",
            "title": "Actors all the way down",
            "inviter_name": "Ada L.",
        }
    assert mails[0].context["invitation_path"] != mails[1].context["invitation_path"]


async def test_the_cfp_shows_its_headline_and_text_as_plain_paragraphs(site: TalkSite) -> None:
    database = site.services.database
    event = await cfp_event(database)
    async with database.transaction() as session:
        await update_call_for_papers(
            session,
            event.id,
            headline="Share what you built",
            text="First <b>paragraph</b>.\r\n\r\nSecond one.",
        )
    page = await site.client.get(f"/{event.slug}/cfp/")
    assert '<p class="headline" id="cfp-headline">Share what you built</p>' in page.text
    assert (
        '<div id="cfp-text">\n<p>First &lt;b&gt;paragraph&lt;/b&gt;.</p><p>Second one.</p>'
        in page.text
    )


async def test_a_type_past_its_own_deadline_is_not_offered(site: TalkSite) -> None:
    database = site.services.database
    event = await cfp_event(database)
    async with database.transaction() as session:
        workshop = await make_type(session, event.id, minutes=90)
        await set_type_deadline(session, event.id, event.type_id, utc_now() - timedelta(hours=1))
        await set_type_deadline(
            session, event.id, workshop, datetime.fromisoformat("2030-06-01T16:00:00+00:00")
        )
    cfp = await site.client.get(f"/{event.slug}/cfp/")
    assert "<li>Talk (90 minutes, until Saturday, 1 June 2030, 18:00 (Europe/Berlin))</li>" in (
        cfp.text
    )
    await site.log_in_as()
    form = await site.form(event.submit)
    assert form.options["submission_type"] == [workshop]
    refused = await site.post(event.submit, proposal(event))
    assert refused.status_code == 400
    assert '<p class="error" id="submission_type-error">' in refused.text
    taken = await site.post(event.submit, proposal(event, submission_type=workshop))
    assert taken.status_code == 303
    assert await submission_count(database, event.id) == 1


async def test_a_type_with_a_later_deadline_keeps_a_past_cfp_open(site: TalkSite) -> None:
    database = site.services.database
    event = await cfp_event(database, deadline=utc_now() - timedelta(days=1))
    async with database.transaction() as session:
        await set_type_deadline(session, event.id, event.type_id, utc_now() + timedelta(days=1))
    page = await site.client.get(f"/{event.slug}/cfp/")
    assert "The call for papers is open." in page.text
    await site.log_in_as()
    assert (await site.post(event.submit, proposal(event))).status_code == 303


async def test_a_required_yes_no_question_must_be_ticked(site: TalkSite) -> None:
    database = site.services.database
    event = await cfp_event(database)
    async with database.transaction() as session:
        agree = await create_question(
            session,
            event.id,
            text="I agree to the code of conduct",
            kind=QuestionKind.BOOLEAN,
            target=QuestionTarget.SUBMISSION,
            required=True,
        )
    await site.log_in_as()
    name = f"q:{agree.id}"
    page = await site.client.get(event.submit)
    assert f'<input type="checkbox" id="{name}" name="{name}" value="true">' in page.text
    assert f'<label for="{name}">I agree to the code of conduct</label>' in page.text
    refused = await site.post(event.submit, proposal(event))
    assert refused.status_code == 400
    assert f'<p class="error" id="{name}-error">This question must be answered.</p>' in (
        refused.text
    )
    taken = await site.post(event.submit, proposal(event, **{name: "true"}))
    assert taken.status_code == 303
    async with database.transaction() as session:
        submission_id = await session.scalar(
            select(talk_submissions.c.id).where(talk_submissions.c.event_id == event.id)
        )
        answers = await answers_of(session, QuestionTarget.SUBMISSION, str(submission_id))
    assert answers[agree.id] == "true"

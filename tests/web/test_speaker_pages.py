"""The speaker area over HTTP: the account's submissions, one submission shown and edited while
its state allows, state changes only along allowed transitions, co-speakers invited by mail and
joining through its link, the speaker profile; someone else's submission is a 404; CSRF checked
on every form."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from catalog.talk import (
    QuestionTarget,
    SubmissionState,
    answers_of,
    change_state,
    create_speaker,
    save_answers,
)
from catalog.talk.cfp import set_type_deadline
from catalog.talk.mail_tables import talk_emails
from catalog.talk.tables import talk_cfps, talk_speakers, talk_submissions
from core.clock import utc_now
from tests.catalog.talk.talk_rows import NOW, make_submission
from tests.web.test_cfp_pages import CfpEvent, cfp_event
from tests.web.test_shop_front import FormFields
from tests.web.test_talk_account_pages import LoggedIn, TalkSite, talk_site

S = SubmissionState
POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


@dataclass(frozen=True)
class Proposal:
    event: CfpEvent
    account: LoggedIn
    speaker_id: str
    submission_id: str
    code: str

    @property
    def path(self) -> str:
        return f"/{self.event.slug}/me/submissions/{self.code}/"


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[TalkSite]:
    async with talk_site(tmp_path) as made:
        yield made


@pytest.fixture(params=["sqlite", POSTGRES])
async def any_site(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[TalkSite]:
    db_url = "" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    async with talk_site(tmp_path, db_url) as made:
        yield made


async def own_proposal(
    site: TalkSite,
    state: SubmissionState = S.SUBMITTED,
    *,
    event: CfpEvent | None = None,
    title: str = "Actors",
) -> Proposal:
    """A logged-in account with a profile and a complete submission in ``state``."""
    database = site.services.database
    event = event or await cfp_event(database)
    account = await site.log_in_as()
    async with database.transaction() as session:
        speaker_id = await create_speaker(
            session, event.id, email=account.email, name="Ada", now=NOW, account_id=account.id
        )
        submission = await make_submission(
            session, event.id, state, type_id=event.type_id, speaker_id=speaker_id, title=title
        )
        await session.execute(
            update(talk_submissions)
            .where(talk_submissions.c.id == submission.id)
            .values(abstract="An abstract.")
        )
        await save_answers(
            session,
            event.id,
            QuestionTarget.SUBMISSION,
            submission.id,
            {event.level[2:]: "Beginner"},
        )
        await save_answers(
            session, event.id, QuestionTarget.SPEAKER, speaker_id, {event.company[2:]: "ACME"}
        )
    return Proposal(event, account, speaker_id, submission.id, submission.code)


async def state_of(site: TalkSite, submission_id: str) -> str:
    async with site.services.database.transaction() as session:
        state = await session.scalar(
            select(talk_submissions.c.state).where(talk_submissions.c.id == submission_id)
        )
    return str(state)


def edit_form(proposal: Proposal, **changes: str) -> dict[str, str]:
    event = proposal.event
    data = {
        "title": "Actors, revised",
        "submission_type": event.type_id,
        "track": "",
        "abstract": "A better abstract.",
        "description": "",
        "language": "de",
        "duration": "40",
        event.level: "Expert",
        event.audience: "",
    }
    return {**data, **changes}


@asynccontextmanager
async def other_browser(site: TalkSite) -> AsyncIterator[TalkSite]:
    """A second browser (cookies of its own) on the same node."""
    transport = httpx.ASGITransport(app=site.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://node.test") as client:
        yield TalkSite(client, site.app)


async def test_the_area_lists_only_the_accounts_submissions_with_their_state(
    any_site: TalkSite,
) -> None:
    site = any_site
    mine = await own_proposal(site, S.ACCEPTED, title="Mine")
    async with other_browser(site) as other:
        await own_proposal(other, event=mine.event, title="Theirs")
    page = await site.client.get(f"/{mine.event.slug}/me/")
    assert page.status_code == 200
    assert "<h1>My submissions</h1>" in page.text
    assert f'<a href="{mine.path}">Mine</a></td><td class="state">accepted</td>' in page.text
    assert "Theirs" not in page.text


async def test_the_area_needs_a_login_and_an_event(site: TalkSite) -> None:
    event = await cfp_event(site.services.database)
    for path in ("me/", "me/profile/", "me/submissions/ABCDEF/"):
        response = await site.client.get(f"/{event.slug}/{path}")
        assert response.status_code == 303
        assert response.headers["location"] == f"/account/login?next=/{event.slug}/{path}"
    await site.log_in_as()
    assert (await site.client.get("/nobody/nothing/me/")).status_code == 404
    empty = await site.client.get(f"/{event.slug}/me/")
    assert 'id="no-submissions"' in empty.text


async def test_someone_elses_submission_does_not_exist_here(site: TalkSite) -> None:
    theirs = await own_proposal(site)
    async with other_browser(site) as other:
        await other.log_in_as("Mallory")
        assert (await other.client.get(theirs.path)).status_code == 404
        token = (await other.form(f"/{theirs.event.slug}/me/")).values["csrf_token"]
        for suffix, data in (
            ("", edit_form(theirs)),
            ("state", {"action": "withdraw"}),
            ("invite", {"email": "mallory@example.org"}),
        ):
            response = await other.client.post(
                theirs.path + suffix, data={"csrf_token": token, **data}
            )
            assert response.status_code == 404
        unknown = await other.client.get(f"/{theirs.event.slug}/me/submissions/NOPE42/")
        assert unknown.status_code == 404
    assert await state_of(site, theirs.submission_id) == "submitted"


async def test_a_submitted_proposal_is_edited_while_the_cfp_is_open(any_site: TalkSite) -> None:
    site = any_site
    proposal = await own_proposal(site)
    page = await site.form(proposal.path)
    assert page.values["title"] == "Actors"
    assert (
        '<option value="Beginner" selected>Beginner</option>'
        in (await site.client.get(proposal.path)).text
    )
    response = await site.post(proposal.path, edit_form(proposal))
    assert response.status_code == 303
    assert response.headers["location"] == proposal.path + "?saved=changed"
    shown = await site.client.get(response.headers["location"])
    assert "Your changes are saved." in shown.text
    async with site.services.database.transaction() as session:
        row = (
            await session.execute(
                select(talk_submissions).where(talk_submissions.c.id == proposal.submission_id)
            )
        ).one()
        answers = await answers_of(session, QuestionTarget.SUBMISSION, proposal.submission_id)
    assert (row.title, row.abstract, row.language, row.duration_minutes, row.state) == (
        "Actors, revised",
        "A better abstract.",
        "de",
        40,
        "submitted",
    )
    assert list(answers.values()) == ["Expert"]


async def test_a_faulty_edit_keeps_the_values_and_changes_nothing(site: TalkSite) -> None:
    proposal = await own_proposal(site)
    data = edit_form(proposal, **{proposal.event.level: ""})
    response = await site.post(proposal.path, data)
    assert response.status_code == 400
    assert f'<p class="error" id="{proposal.event.level}-error">' in response.text
    assert "This question must be answered." in response.text
    assert FormFields(response.text).values["title"] == "Actors, revised"
    async with site.services.database.transaction() as session:
        title = await session.scalar(
            select(talk_submissions.c.title).where(talk_submissions.c.id == proposal.submission_id)
        )
    assert title == "Actors"


@pytest.mark.parametrize(
    ("state", "close", "phrase"),
    [(S.SUBMITTED, True, "A submitted"), (S.ACCEPTED, False, "An accepted")],
)
async def test_a_proposal_past_its_editing_time_is_read_only(
    site: TalkSite, state: SubmissionState, close: bool, phrase: str
) -> None:
    proposal = await own_proposal(site, state)
    if close:
        async with site.services.database.transaction() as session:
            await session.execute(
                update(talk_cfps)
                .where(talk_cfps.c.event_id == proposal.event.id)
                .values(is_open=False)
            )
    page = await site.client.get(proposal.path)
    assert page.status_code == 200
    assert "Save changes" not in page.text
    assert f"{phrase} proposal cannot be edited here." in page.text
    assert '<p id="abstract">An abstract.</p>' in page.text
    response = await site.post(proposal.path, edit_form(proposal))
    assert response.status_code == 409
    assert "This proposal cannot be changed" in response.text


async def test_forms_of_the_area_need_the_csrf_token(site: TalkSite) -> None:
    proposal = await own_proposal(site)
    await site.form(proposal.path)
    for suffix, data in (
        ("", edit_form(proposal)),
        ("state", {"action": "withdraw"}),
        ("invite", {"email": "bob@example.org"}),
    ):
        response = await site.client.post(
            proposal.path + suffix, data={"csrf_token": "forged", **data}
        )
        assert response.status_code == 403
    profile = await site.client.post(
        f"/{proposal.event.slug}/me/profile/", data={"csrf_token": "", "name": "X"}
    )
    assert profile.status_code == 403
    assert await state_of(site, proposal.submission_id) == "submitted"


@pytest.mark.parametrize(
    ("state", "action", "after", "notice"),
    [
        (S.SUBMITTED, "withdraw", "withdrawn", "Your proposal is withdrawn."),
        (S.ACCEPTED, "confirm", "confirmed", "Thank you for confirming your talk."),
        (S.DRAFT, "submit", "submitted", "Thank you, your proposal is submitted."),
    ],
)
async def test_the_speakers_state_changes(
    any_site: TalkSite, state: SubmissionState, action: str, after: str, notice: str
) -> None:
    site = any_site
    proposal = await own_proposal(site, state)
    page = await site.client.get(proposal.path)
    assert 'name="action" value="' + action + '"' in page.text
    response = await site.post(proposal.path + "state", {"action": action}, form=proposal.path)
    assert response.status_code == 303
    assert await state_of(site, proposal.submission_id) == after
    assert notice in (await site.client.get(response.headers["location"])).text


@pytest.mark.parametrize(
    ("state", "action", "message"),
    [
        (S.SUBMITTED, "confirm", "A submitted proposal cannot become confirmed."),
        (S.ACCEPTED, "withdraw", "An accepted proposal cannot become withdrawn."),
        (S.WITHDRAWN, "submit", "A withdrawn proposal cannot become submitted."),
    ],
)
async def test_a_transition_the_state_machine_refuses_changes_nothing(
    site: TalkSite, state: SubmissionState, action: str, message: str
) -> None:
    proposal = await own_proposal(site, state)
    response = await site.post(proposal.path + "state", {"action": action}, form=proposal.path)
    assert response.status_code == 409
    assert message in response.text
    assert await state_of(site, proposal.submission_id) == state.value


async def test_an_unknown_action_is_refused(site: TalkSite) -> None:
    proposal = await own_proposal(site)
    response = await site.post(proposal.path + "state", {"action": "accept"}, form=proposal.path)
    assert response.status_code == 400
    assert await state_of(site, proposal.submission_id) == "submitted"


async def test_an_incomplete_draft_is_not_submitted(site: TalkSite) -> None:
    proposal = await own_proposal(site, S.DRAFT)
    async with site.services.database.transaction() as session:
        for target, owner in (
            (QuestionTarget.SUBMISSION, proposal.submission_id),
            (QuestionTarget.SPEAKER, proposal.speaker_id),
        ):
            await save_answers(session, proposal.event.id, target, owner, {}, partial=True)
    response = await site.post(proposal.path + "state", {"action": "submit"}, form=proposal.path)
    assert response.status_code == 400
    assert "Please complete the proposal before submitting it: Audience level, Company." in (
        response.text
    )
    assert await state_of(site, proposal.submission_id) == "draft"


async def test_a_draft_is_not_submitted_after_the_deadline(site: TalkSite) -> None:
    proposal = await own_proposal(site, S.DRAFT)
    async with site.services.database.transaction() as session:
        await session.execute(
            update(talk_cfps).where(talk_cfps.c.event_id == proposal.event.id).values(deadline=NOW)
        )
    page = await site.client.get(proposal.path)
    assert "Save changes" in page.text  # a draft stays editable
    response = await site.post(proposal.path + "state", {"action": "submit"}, form=proposal.path)
    assert response.status_code == 409
    assert "The call for papers is closed" in response.text
    assert await state_of(site, proposal.submission_id) == "draft"


async def test_an_invited_co_speaker_joins_through_the_link(any_site: TalkSite) -> None:
    site = any_site
    proposal = await own_proposal(site)
    response = await site.post(
        proposal.path + "invite", {"email": "Bob@Example.org"}, form=proposal.path
    )
    assert response.status_code == 303
    assert response.headers["location"] == proposal.path + "?saved=invited"
    shown = await site.client.get(response.headers["location"])
    assert "The invitation is sent by email." in shown.text
    assert '<dd id="invited">bob@example.org</dd>' in shown.text
    async with site.services.database.transaction() as session:
        mail = (
            await session.execute(
                select(talk_emails.c.recipient, talk_emails.c.context).where(
                    talk_emails.c.event_id == proposal.event.id
                )
            )
        ).one()
    assert (mail.recipient, mail.context["inviter_name"]) == ("bob@example.org", "Ada")
    path = mail.context["invitation_path"]
    assert path.startswith(f"/{proposal.event.slug}/invitation/{proposal.code}/")

    async with other_browser(site) as bob:
        to_login = await bob.client.get(path)
        assert to_login.status_code == 303
        assert to_login.headers["location"] == f"/account/login?next={path}"
        await bob.log_in_as("Bob Builder")
        page = await bob.client.get(path)
        assert '<strong id="invited-title">Actors</strong>' in page.text
        assert page.headers["referrer-policy"] == "no-referrer"  # the token stays here
        assert FormFields(page.text).values["name"] == "Bob Builder"
        joined = await bob.post(path, {"name": "Bob B."})
        assert joined.status_code == 303
        assert joined.headers["location"] == proposal.path + "?saved=joined"
        shown = await bob.client.get(joined.headers["location"])
        assert shown.status_code == 200
        assert '<dd id="speakers">Ada, Bob B.</dd>' in shown.text
        again = await bob.post(path, {"name": "Bob B."})
        assert again.status_code == 404
        assert "Invitation not valid" in again.text


async def test_a_bad_invitation_is_refused_in_the_form(site: TalkSite) -> None:
    proposal = await own_proposal(site)
    for email, message in (
        ("not-an-address", "Please enter a valid email address."),
        (proposal.account.email, "This address is a speaker of the submission already."),
    ):
        response = await site.post(proposal.path + "invite", {"email": email}, form=proposal.path)
        assert response.status_code == 400
        assert message in response.text


async def test_an_invitation_to_an_unknown_submission_or_token(site: TalkSite) -> None:
    proposal = await own_proposal(site)
    base = f"/{proposal.event.slug}/invitation"
    assert (await site.client.get(f"{base}/NOPE42/token/")).status_code == 404
    response = await site.post(f"{base}/{proposal.code}/not-a-token/", {"name": "Ada"})
    assert response.status_code == 404
    assert "Invitation not valid" in response.text


async def test_the_profile_is_edited_with_its_answers(any_site: TalkSite) -> None:
    site = any_site
    proposal = await own_proposal(site, S.CONFIRMED)
    path = f"/{proposal.event.slug}/me/profile/"
    form = await site.form(path)
    assert (form.values["name"], form.values[proposal.event.company]) == ("Ada", "ACME")
    missing = await site.post(
        path, {"name": "Ada L.", "biography": "Bio", proposal.event.company: ""}
    )
    assert missing.status_code == 400
    assert f'<p class="error" id="{proposal.event.company}-error">' in missing.text
    assert FormFields(missing.text).values["name"] == "Ada L."
    saved = await site.post(
        path, {"name": "Ada L.", "biography": "Bio", proposal.event.company: "ACME Corp"}
    )
    assert saved.status_code == 303
    assert "Your profile is saved." in (await site.client.get(saved.headers["location"])).text
    async with site.services.database.transaction() as session:
        row = (
            await session.execute(
                select(talk_speakers).where(talk_speakers.c.id == proposal.speaker_id)
            )
        ).one()
        answers = await answers_of(session, QuestionTarget.SPEAKER, proposal.speaker_id)
    assert (row.name, row.biography) == ("Ada L.", "Bio")
    assert list(answers.values()) == ["ACME Corp"]


async def test_an_account_without_a_profile_is_told_how_to_get_one(site: TalkSite) -> None:
    event = await cfp_event(site.services.database)
    await site.log_in_as()
    page = await site.client.get(f"/{event.slug}/me/profile/")
    assert page.status_code == 404
    assert "it is made with your first proposal" in page.text


async def test_a_canceled_talk_takes_no_co_speakers(site: TalkSite) -> None:
    proposal = await own_proposal(site, S.ACCEPTED)
    async with site.services.database.transaction() as session:
        await change_state(session, proposal.submission_id, S.CANCELED, now=NOW)
    page = await site.client.get(proposal.path)
    assert "Invite a co-speaker" not in page.text
    response = await site.post(
        proposal.path + "invite", {"email": "bob@example.org"}, form=proposal.path
    )
    assert response.status_code == 400
    assert "A canceled proposal takes no more co-speakers." in response.text


async def test_a_submitted_proposal_is_read_only_after_its_types_deadline(site: TalkSite) -> None:
    proposal = await own_proposal(site)
    async with site.services.database.transaction() as session:
        await set_type_deadline(
            session, proposal.event.id, proposal.event.type_id, utc_now() - timedelta(minutes=1)
        )
    page = await site.client.get(proposal.path)
    assert "A submitted proposal cannot be edited here." in page.text
    response = await site.post(proposal.path, edit_form(proposal))
    assert response.status_code == 409

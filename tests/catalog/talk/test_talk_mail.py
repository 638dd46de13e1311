"""Talk mails: templates, queuing in the caller's transaction, speaker notices queued by a
schedule release, and sending them to a real aiosmtpd server with retries; SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import email
import email.policy
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import jinja2
import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.talk.mail import (
    TALK_MAIL_KINDS,
    enqueue_talk_mail,
    render_talk_mail,
    talk_mail_carrier,
)
from catalog.talk.mail_tables import talk_emails
from catalog.talk.schedules import release, schedule_talk
from catalog.talk.speakers import create_speaker
from catalog.talk.submissions import (
    SubmissionState,
    accept_invitation,
    change_state,
    invite_speaker,
)
from core.database import Database
from core.outbox import Deliverer, RunCounts
from tests.catalog.outbox_support import POSTGRES, MailHandler, free_port, running_smtp
from tests.catalog.talk.talk_rows import (
    NOW,
    event_slug,
    make_event,
    make_room,
    make_submission,
)
from tests.conftest import make_settings
from tests.live.conftest import running_node

BASE_URL = "https://events.example.org/"
CONTEXT: dict[str, Any] = {
    "event_name": "TalkCon",
    "speaker_name": "Jane Doe",
    "inviter_name": "John Roe",
    "title": "Fast queues",
    "when": "Monday, 1 June 2026, 11:00 (Europe/Berlin)",
    "room": "Hall 1",
    "old_when": "Monday, 1 June 2026, 10:00 (Europe/Berlin)",
    "old_room": "Hall 2",
    "schedule_path": "/org/talkcon/schedule/",
    "invitation_path": "/org/talkcon/cfp/invitation/t0ken/",
    "submission_path": "/org/talkcon/me/submissions/ABC/",
}


@pytest.fixture(params=["sqlite", POSTGRES])
def dialect_database(request: pytest.FixtureRequest) -> Database:
    found: Database = request.getfixturevalue(f"{request.param}_database")
    return found


async def empty_talk_outbox(database: Database) -> None:
    """Drop talk mails left by earlier tests (PostgreSQL is shared; a pass claims every due row)."""
    async with database.transaction() as session:
        await session.execute(delete(talk_emails))


@pytest.fixture
async def database(dialect_database: Database) -> AsyncIterator[Database]:
    """The database of each dialect, with an empty talk outbox before and after the test."""
    await empty_talk_outbox(dialect_database)
    yield dialect_database
    await empty_talk_outbox(dialect_database)


def mail_settings(**values: Any) -> Any:
    return make_settings(mail={"sender": "TalkCon <cfp@example.org>", **values}).mail


def make_deliverer(database: Database, **values: Any) -> Deliverer:
    carrier = talk_mail_carrier(mail_settings(**values), base_url=BASE_URL, data_dir=Path())
    return Deliverer(database, [carrier], interval_s=3600, rng=random.Random(3), name="talk")


async def talk_mails(database: Database) -> list[dict[str, Any]]:
    async with database.transaction() as session:
        rows = await session.execute(select(talk_emails).order_by(talk_emails.c.recipient))
        return [dict(row._mapping) for row in rows]


async def queue_in_new_event(session: AsyncSession, kind: str, recipient: str) -> tuple[str, str]:
    """A talk mail of ``kind`` with ``CONTEXT`` in a new event: the event's and the mail's ids."""
    event_id = await make_event(session)
    mail_id = await enqueue_talk_mail(
        session, event_id=event_id, kind=kind, recipient=recipient, context=CONTEXT, now=NOW
    )
    return event_id, mail_id


@pytest.fixture
async def smtp() -> AsyncIterator[tuple[MailHandler, int]]:
    handler = MailHandler()
    async with running_smtp(handler) as controller:
        yield handler, controller.port


def test_every_kind_renders_a_subject_and_a_body_with_absolute_links() -> None:
    for kind in TALK_MAIL_KINDS:
        rendered = render_talk_mail(kind, CONTEXT, base_url=BASE_URL)
        assert "Fast queues" in rendered.subject
        assert "TalkCon" in rendered.body
        assert "https://events.example.org/org/talkcon/" in rendered.body


def test_the_moved_notice_names_the_new_and_the_old_time_and_room() -> None:
    body = render_talk_mail("talk_moved", CONTEXT, base_url=BASE_URL).body

    assert "When:  Monday, 1 June 2026, 11:00 (Europe/Berlin)\n  Where: Hall 1\n" in body
    assert "It was: Monday, 1 June 2026, 10:00 (Europe/Berlin), Hall 2." in body
    assert "The whole schedule: https://events.example.org/org/talkcon/schedule/\n" in body


def test_the_invitation_carries_its_link() -> None:
    rendered = render_talk_mail("cospeaker_invitation", CONTEXT, base_url=BASE_URL)

    assert rendered.subject == 'TalkCon: John Roe invites you to speak on "Fast queues"'
    assert "  https://events.example.org/org/talkcon/cfp/invitation/t0ken/\n" in rendered.body


async def test_a_talk_mail_exists_only_when_the_transaction_commits(database: Database) -> None:
    async def failing_change() -> None:
        async with database.transaction() as session:
            await queue_in_new_event(session, "cospeaker_invitation", "ada@example.org")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        await failing_change()
    assert await talk_mails(database) == []

    async with database.transaction() as session:
        event_id, mail_id = await queue_in_new_event(
            session, "cospeaker_invitation", "ada@example.org"
        )
    [row] = await talk_mails(database)
    assert (row["id"], row["event_id"], row["kind"], row["recipient"], row["state"]) == (
        mail_id,
        event_id,
        "cospeaker_invitation",
        "ada@example.org",
        "pending",
    )
    assert row["context"] == CONTEXT
    assert (row["attempts"], row["next_attempt_at"], row["created_at"]) == (0, NOW, NOW)


async def test_a_bad_kind_recipient_or_context_is_refused_before_anything_is_queued(
    sqlite_database: Database,
) -> None:
    async with sqlite_database.transaction() as session:
        event_id = await make_event(session)
        values: dict[str, Any] = {"event_id": event_id, "now": NOW}
        with pytest.raises(ValueError, match="unknown mail kind"):
            await enqueue_talk_mail(
                session, kind="talk_exploded", recipient="a@example.org", context=CONTEXT, **values
            )
        with pytest.raises(ValueError, match="not an email address"):
            await enqueue_talk_mail(
                session,
                kind="talk_moved",
                recipient="a@example.org\nBcc: b@example.org",
                context=CONTEXT,
                **values,
            )
        with pytest.raises(jinja2.UndefinedError):
            await enqueue_talk_mail(
                session,
                kind="talk_moved",
                recipient="a@example.org",
                context={"title": "x"},
                **values,
            )
        with pytest.raises(ValueError, match="must be JSON"):
            await enqueue_talk_mail(
                session,
                kind="talk_moved",
                recipient="a@example.org",
                context=CONTEXT | {"when": NOW},
                **values,
            )
        rows = (await session.execute(select(talk_emails.c.id))).all()
    assert rows == []


async def test_a_queued_talk_mail_reaches_the_smtp_server_with_its_links(
    database: Database, smtp: tuple[MailHandler, int]
) -> None:
    handler, port = smtp
    async with database.transaction() as session:
        _, mail_id = await queue_in_new_event(session, "talk_moved", "jane@example.org")

    counts = await make_deliverer(database, smtp_host="127.0.0.1", smtp_port=port).run_once(NOW)

    assert counts["talk_mail"].delivered == 1
    [envelope] = handler.received
    assert envelope.rcpt_tos == ["jane@example.org"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == 'TalkCon: your talk "Fast queues" has moved'
    assert message["Message-ID"] == f"<{mail_id}@example.org>"
    body = message.get_content().replace("\r\n", "\n")
    assert body == render_talk_mail("talk_moved", CONTEXT, base_url=BASE_URL).body
    [row] = await talk_mails(database)
    assert row["state"] == "delivered"


T10 = NOW + timedelta(hours=1)  # 12:00 in Berlin
T11 = NOW + timedelta(hours=2)


@dataclass(frozen=True)
class ReleasedTalk:
    """An event whose first release has one confirmed talk in Hall 2 at ``T10``."""

    event_id: str
    submission_id: str
    speaker_email: str
    hall_1: str
    hall_2: str


async def released_talk(session: AsyncSession, email: str = "") -> ReleasedTalk:
    event_id = await make_event(session)
    hall_1 = await make_room(session, event_id, "Hall 1", sort_key=1)
    hall_2 = await make_room(session, event_id, "Hall 2", sort_key=2)
    email = email or f"jane-{event_id[:8]}@example.org"
    speaker_id = await create_speaker(session, event_id, email=email, name="Jane Doe", now=NOW)
    talk = await make_submission(
        session, event_id, SubmissionState.CONFIRMED, speaker_id=speaker_id, title="Fast queues"
    )
    await schedule_talk(session, talk.id, room_id=hall_2, starts_at=T10, now=NOW)
    await release(session, event_id, "1", comment="", now=NOW)
    return ReleasedTalk(event_id, talk.id, email, hall_1, hall_2)


async def test_the_first_release_tells_each_speaker_their_talk_is_scheduled(
    database: Database,
) -> None:
    async with database.transaction() as session:
        talk = await released_talk(session)

    [row] = await talk_mails(database)
    assert (row["kind"], row["recipient"], row["event_id"], row["state"]) == (
        "talk_scheduled",
        talk.speaker_email,
        talk.event_id,
        "pending",
    )
    assert row["context"] == {
        "event_name": "TalkCon",
        "schedule_path": f"/{event_slug(talk.event_id)}/schedule/",
        "speaker_name": "Jane Doe",
        "title": "Fast queues",
        "when": "Monday, 1 June 2026, 12:00 (Europe/Berlin)",
        "room": "Hall 2",
    }


async def test_a_release_that_moves_a_talk_mails_its_speaker_the_new_time_and_room(
    database: Database, smtp: tuple[MailHandler, int]
) -> None:
    handler, port = smtp
    deliverer = make_deliverer(database, smtp_host="127.0.0.1", smtp_port=port)
    async with database.transaction() as session:
        talk = await released_talk(session)
    assert (await deliverer.run_once(NOW))["talk_mail"].delivered == 1
    handler.received.clear()

    async with database.transaction() as session:
        await schedule_talk(
            session, talk.submission_id, room_id=talk.hall_1, starts_at=T11, now=NOW
        )
        await release(session, talk.event_id, "2", comment="", now=NOW)
    counts = await deliverer.run_once(NOW)

    assert counts["talk_mail"].delivered == 1
    [envelope] = handler.received
    assert envelope.rcpt_tos == [talk.speaker_email]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == 'TalkCon: your talk "Fast queues" has moved'
    body = message.get_content().replace("\r\n", "\n")
    assert "  When:  Monday, 1 June 2026, 13:00 (Europe/Berlin)\n  Where: Hall 1\n" in body
    assert "It was: Monday, 1 June 2026, 12:00 (Europe/Berlin), Hall 2." in body
    schedule_url = f"https://events.example.org/{event_slug(talk.event_id)}/schedule/"
    assert f"The whole schedule: {schedule_url}\n" in body


async def test_a_release_without_changes_mails_nobody(database: Database) -> None:
    async with database.transaction() as session:
        talk = await released_talk(session)
    async with database.transaction() as session:
        await release(session, talk.event_id, "2", comment="the same again", now=NOW)

    assert [row["kind"] for row in await talk_mails(database)] == ["talk_scheduled"]


async def test_a_rolled_back_release_mails_nobody(database: Database) -> None:
    async with database.transaction() as session:
        talk = await released_talk(session)
    before = await talk_mails(database)

    async def failing_release() -> None:
        async with database.transaction() as session:
            await schedule_talk(
                session, talk.submission_id, room_id=talk.hall_1, starts_at=T11, now=NOW
            )
            await release(session, talk.event_id, "2", comment="", now=NOW)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        await failing_release()
    assert await talk_mails(database) == before


async def test_every_joined_speaker_of_a_canceled_talk_is_told_once(database: Database) -> None:
    async with database.transaction() as session:
        talk = await released_talk(session)
        token = await invite_speaker(session, talk.submission_id, email="co@example.org", now=NOW)
        await accept_invitation(session, token, name="Co Speaker", now=NOW)
        await invite_speaker(session, talk.submission_id, email="late@example.org", now=NOW)
        await change_state(session, talk.submission_id, SubmissionState.CANCELED, now=NOW)
        await release(session, talk.event_id, "2", comment="", now=NOW)

    canceled = [row for row in await talk_mails(database) if row["kind"] == "talk_canceled"]
    assert [(row["recipient"], row["context"]["speaker_name"]) for row in canceled] == [
        ("co@example.org", "Co Speaker"),
        (talk.speaker_email, "Jane Doe"),
    ]
    assert {row["context"]["old_room"] for row in canceled} == {"Hall 2"}
    assert {row["context"]["old_when"] for row in canceled} == {
        "Monday, 1 June 2026, 12:00 (Europe/Berlin)"
    }


async def test_speakers_without_an_address_of_their_own_are_not_mailed(
    database: Database,
) -> None:
    async with database.transaction() as session:
        await released_talk(session, email="jane@speakers.invalid")

    assert await talk_mails(database) == []


async def test_a_notice_is_retried_after_the_back_off_while_smtp_is_down(
    database: Database, smtp: tuple[MailHandler, int]
) -> None:
    handler, port = smtp
    async with database.transaction() as session:
        talk = await released_talk(session)
    down = make_deliverer(database, smtp_host="127.0.0.1", smtp_port=free_port())

    failed = await down.run_once(NOW)

    assert failed["talk_mail"] == RunCounts(claimed=1, retried=1)
    [row] = await talk_mails(database)
    assert (row["state"], row["attempts"]) == ("pending", 1)
    assert "Connect call failed" in row["last_error"]
    assert row["next_attempt_at"] > NOW
    up = make_deliverer(database, smtp_host="127.0.0.1", smtp_port=port)
    assert (await up.run_once(NOW))["talk_mail"] == RunCounts()  # not due before the back-off

    later = await up.run_once(row["next_attempt_at"])

    assert later["talk_mail"] == RunCounts(claimed=1, delivered=1)
    assert [envelope.rcpt_tos for envelope in handler.received] == [[talk.speaker_email]]
    [row] = await talk_mails(database)
    assert (row["state"], row["attempts"], row["last_error"]) == ("delivered", 2, None)


async def test_a_node_delivers_talk_mails_with_links_to_its_public_address(
    tmp_path: Path, smtp: tuple[MailHandler, int]
) -> None:
    handler, port = smtp
    settings = make_settings(
        data_dir=tmp_path,
        live={"seed_demo": False},
        tickets={"public_url": "https://events.example.org"},
        mail={"smtp_host": "127.0.0.1", "smtp_port": port, "sender": "cfp@example.org"},
    )
    async with running_node(settings) as node:
        services = node.services
        async with services.database.transaction() as session:
            talk = await released_talk(session)
        assert services.talk_mail is not None
        services.talk_mail.wake()
        async with asyncio.timeout(5):
            while not handler.received:  # noqa: ASYNC110 - the SMTP handler offers no event
                await asyncio.sleep(0.02)

    [envelope] = handler.received
    assert envelope.rcpt_tos == [talk.speaker_email]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    schedule_url = f"https://events.example.org/{event_slug(talk.event_id)}/schedule/"
    assert f"The whole schedule: {schedule_url}\n" in message.get_content().replace("\r\n", "\n")


async def test_an_organizers_decision_is_mailed_to_each_joined_speaker(
    database: Database,
) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)

        async def proposal(title: str, email: str) -> Any:
            speaker = await create_speaker(session, event_id, email=email, name="Jane", now=NOW)
            return await make_submission(session, event_id, title=title, speaker_id=speaker)

        accepted = await proposal("Fast queues", "jane@example.org")
        token = await invite_speaker(session, accepted.id, email="co@example.org", now=NOW)
        await accept_invitation(session, token, name="Co Speaker", now=NOW)
        await invite_speaker(session, accepted.id, email="late@example.org", now=NOW)
        rejected = await proposal("Slow queues", "joe@example.org")
        quiet = await proposal("Not told", "quiet@example.org")
        placeholder = await proposal("No address", "nobody@speakers.invalid")
        await change_state(session, accepted.id, SubmissionState.ACCEPTED, now=NOW, notify=True)
        await change_state(session, rejected.id, SubmissionState.REJECTED, now=NOW, notify=True)
        await change_state(session, quiet.id, SubmissionState.ACCEPTED, now=NOW)
        await change_state(session, placeholder.id, SubmissionState.ACCEPTED, now=NOW, notify=True)

    slug = event_slug(event_id)
    assert [
        (row["kind"], row["recipient"], row["context"]["title"], row["context"]["submission_path"])
        for row in await talk_mails(database)
    ] == [
        ("submission_accepted", "co@example.org", "Fast queues",
         f"/{slug}/me/submissions/{accepted.code}/"),
        ("submission_accepted", "jane@example.org", "Fast queues",
         f"/{slug}/me/submissions/{accepted.code}/"),
        ("submission_rejected", "joe@example.org", "Slow queues",
         f"/{slug}/me/submissions/{rejected.code}/"),
    ]  # fmt: skip

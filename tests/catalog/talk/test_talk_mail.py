"""Talk mails: templates, queuing in the caller's transaction, speaker notices queued by a
schedule release, and sending them to a real aiosmtpd server with retries; SQLite and PostgreSQL."""

from __future__ import annotations

import email
import email.policy
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jinja2
import pytest
from sqlalchemy import delete, select

from catalog.talk.mail import (
    TALK_MAIL_KINDS,
    enqueue_talk_mail,
    render_talk_mail,
    talk_mail_carrier,
)
from catalog.talk.mail_tables import talk_emails
from core.database import Database
from core.outbox import Deliverer
from tests.catalog.outbox_support import POSTGRES, MailHandler, running_smtp
from tests.catalog.talk.talk_rows import NOW, make_event
from tests.conftest import make_settings

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
            event_id = await make_event(session)
            await enqueue_talk_mail(
                session,
                event_id=event_id,
                kind="cospeaker_invitation",
                recipient="ada@example.org",
                context=CONTEXT,
                now=NOW,
            )
            raise RuntimeError

    with pytest.raises(RuntimeError):
        await failing_change()
    assert await talk_mails(database) == []

    async with database.transaction() as session:
        event_id = await make_event(session)
        mail_id = await enqueue_talk_mail(
            session,
            event_id=event_id,
            kind="cospeaker_invitation",
            recipient="ada@example.org",
            context=CONTEXT,
            now=NOW,
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
        event_id = await make_event(session)
        mail_id = await enqueue_talk_mail(
            session,
            event_id=event_id,
            kind="talk_moved",
            recipient="jane@example.org",
            context=CONTEXT,
            now=NOW,
        )

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

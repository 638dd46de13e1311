"""Emails: templates, queuing with the order change, and sending to a real aiosmtpd server or
writing .eml files, with retries; SQLite and PostgreSQL."""

from __future__ import annotations

import email
import email.policy
import random
from collections.abc import AsyncIterator
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import jinja2
import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select

from catalog.tickets import (
    MAIL_KINDS,
    Deliverer,
    MailCarrier,
    RunCounts,
    delivery_tables,
    enqueue_mail,
    render_mail,
)
from core.clock import utc_now
from core.database import Database
from tests.catalog.outbox_support import POSTGRES, MailHandler, empty_outboxes, running_smtp
from tests.catalog.ticket_rows import make_event
from tests.conftest import make_settings

emails = delivery_tables.emails

ORDER: dict[str, Any] = {
    "event_name": "PyCon Test",
    "order_code": "ABC12",
    "order_url": "https://tickets.example.org/o/ABC12/s3cret",
    "total": "35.00",
    "currency": "EUR",
    "payment_provider": "Bank transfer",
    "payment_instructions": "IBAN DE02 1203 0000 0000 2020 51",
    "expires_at": "2030-05-01 12:00 UTC",
    "positions": [
        {
            "product": "Ticket",
            "variation": None,
            "price": "25.00",
            "attendee_name": "Ada Lovelace",
            "join_url": "https://live.example.org/join/t1",
            "ticket_url": "https://tickets.example.org/t/1",
        },
        {
            "product": "Shirt",
            "variation": "Red",
            "price": "10.00",
            "attendee_name": None,
            "join_url": None,
            "ticket_url": "https://tickets.example.org/t/2",
        },
    ],
}


@pytest.fixture(params=["sqlite", POSTGRES])
def dialect_database(request: pytest.FixtureRequest) -> Database:
    found: Database = request.getfixturevalue(f"{request.param}_database")
    return found


@pytest.fixture
async def database(dialect_database: Database) -> AsyncIterator[Database]:
    """The database of each dialect, with empty outboxes before and after the test."""
    await empty_outboxes(dialect_database)
    yield dialect_database
    await empty_outboxes(dialect_database)


def mail_settings(**values: Any) -> Any:
    return make_settings(mail={"sender": "Tickets <tickets@example.org>", **values}).mail


def make_deliverer(database: Database, carrier: MailCarrier) -> Deliverer:
    return Deliverer(database, [carrier], interval_s=3600, rng=random.Random(7))


async def queue_mail(database: Database, kind: str = "order_paid") -> str:
    async with database.transaction() as session:
        event_id = await make_event(session)
        return await enqueue_mail(
            session,
            event_id=event_id,
            order_id=None,
            kind=kind,
            recipient="ada@example.org",
            context=ORDER,
        )


async def mail_row(database: Database, mail_id: str) -> dict[str, Any]:
    async with database.transaction() as session:
        row = (await session.execute(select(emails).where(emails.c.id == mail_id))).one()
    return dict(row._mapping)


@pytest.fixture
async def smtp() -> AsyncIterator[tuple[MailHandler, int]]:
    handler = MailHandler()
    async with running_smtp(handler) as controller:
        yield handler, controller.port


def test_every_kind_renders_a_subject_and_a_body() -> None:
    for kind in MAIL_KINDS:
        rendered = render_mail(kind, ORDER)
        assert "ABC12" in rendered.subject
        assert "PyCon Test" in rendered.body
        assert ORDER["order_url"] in rendered.body
        assert not rendered.body.startswith("\n")


def test_the_paid_mail_lists_each_ticket_and_its_join_link() -> None:
    body = render_mail("order_paid", ORDER).body
    assert "- Ticket, Ada Lovelace\n  Ticket: https://tickets.example.org/t/1\n" in body
    assert "  Join online: https://live.example.org/join/t1\n" in body
    assert "- Shirt (Red)\n  Ticket: https://tickets.example.org/t/2\n" in body
    assert body.count("Join online") == 1


def test_the_placed_mail_shows_payment_instructions_only_when_there_are_some() -> None:
    assert "IBAN DE02" in render_mail("order_placed", ORDER).body
    plain = render_mail("order_placed", ORDER | {"payment_instructions": ""}).body
    assert "Payment: Bank transfer\n\nYour tickets are sent" in plain


def test_a_missing_value_or_kind_is_refused_and_markup_is_left_alone() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render_mail("order_canceled", {"event_name": "X", "order_code": "Y"})
    with pytest.raises(ValueError, match="unknown mail kind"):
        render_mail("order_exploded", ORDER)
    rendered = render_mail("order_expired", ORDER | {"event_name": "R&D <Days>\nBad: header"})
    assert rendered.subject == "Order ABC12 for R&D <Days> Bad: header expired"
    assert "R&D <Days>" in rendered.body


async def test_a_queued_mail_reaches_the_smtp_server(
    database: Database, smtp: tuple[MailHandler, int]
) -> None:
    handler, port = smtp
    mail_id = await queue_mail(database)
    carrier = MailCarrier(mail_settings(smtp_host="127.0.0.1", smtp_port=port), data_dir=Path())
    deliverer = make_deliverer(database, carrier)

    assert await deliverer.run_once() == {"mail": RunCounts(claimed=1, delivered=1)}

    [envelope] = handler.received
    assert envelope.mail_from == "tickets@example.org"
    assert envelope.rcpt_tos == ["ada@example.org"]
    assert isinstance(envelope.content, bytes)
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == "Your tickets for PyCon Test (order ABC12)"
    assert message["To"] == "ada@example.org"
    assert message["Message-ID"] == f"<{mail_id}@example.org>"
    assert message.get_content().replace("\r\n", "\n") == render_mail("order_paid", ORDER).body
    row = await mail_row(database, mail_id)
    assert (row["state"], row["attempts"], row["last_error"]) == ("delivered", 1, None)


async def test_a_temporary_smtp_refusal_is_retried_after_the_back_off(
    database: Database, smtp: tuple[MailHandler, int]
) -> None:
    handler, port = smtp
    handler.replies = ["451 Try again later"]
    mail_id = await queue_mail(database, "order_canceled")
    carrier = MailCarrier(mail_settings(smtp_host="127.0.0.1", smtp_port=port), data_dir=Path())
    deliverer = make_deliverer(database, carrier)
    start = utc_now()

    assert await deliverer.run_once(start) == {"mail": RunCounts(claimed=1, retried=1)}
    row = await mail_row(database, mail_id)
    assert (row["state"], row["attempts"]) == ("pending", 1)
    assert "451" in row["last_error"]
    assert handler.received == []
    assert await deliverer.run_once(start + timedelta(seconds=7)) == {"mail": RunCounts()}
    counts = await deliverer.run_once(start + timedelta(seconds=11))

    assert counts == {"mail": RunCounts(claimed=1, delivered=1)}
    assert [envelope.rcpt_tos for envelope in handler.received] == [["ada@example.org"]]
    assert (await mail_row(database, mail_id))["state"] == "delivered"


async def test_a_permanent_smtp_refusal_fails_at_once(
    database: Database, smtp: tuple[MailHandler, int]
) -> None:
    handler, port = smtp
    handler.replies = ["554 Transaction failed"]
    mail_id = await queue_mail(database)
    carrier = MailCarrier(mail_settings(smtp_host="127.0.0.1", smtp_port=port), data_dir=Path())

    assert await make_deliverer(database, carrier).run_once() == {
        "mail": RunCounts(claimed=1, failed=1)
    }
    row = await mail_row(database, mail_id)
    assert (row["state"], row["attempts"]) == ("failed", 1)
    assert "554" in row["last_error"]


async def test_mail_logs_in_when_a_user_is_set(sqlite_database: Database) -> None:
    seen: list[tuple[bytes, bytes]] = []

    def authenticate(*args: Any) -> AuthResult:
        login = args[4]  # server, session, envelope, mechanism, auth data
        assert isinstance(login, LoginPassword)
        seen.append((login.login, login.password))
        return AuthResult(success=login.password == b"pw")

    handler = MailHandler()
    options = {"authenticator": authenticate, "auth_require_tls": False}
    async with running_smtp(handler, **options) as controller:
        settings = mail_settings(
            smtp_host="127.0.0.1", smtp_port=controller.port, smtp_user="me", smtp_password="pw"
        )
        await queue_mail(sqlite_database)
        deliverer = make_deliverer(sqlite_database, MailCarrier(settings, data_dir=Path()))
        assert await deliverer.run_once() == {"mail": RunCounts(claimed=1, delivered=1)}
    assert seen == [(b"me", b"pw")]
    assert len(handler.received) == 1


async def test_an_unreachable_smtp_server_is_retried(sqlite_database: Database) -> None:
    mail_id = await queue_mail(sqlite_database)
    settings = mail_settings(smtp_host="127.0.0.1", smtp_port=9)
    deliverer = make_deliverer(sqlite_database, MailCarrier(settings, data_dir=Path()))

    assert await deliverer.run_once() == {"mail": RunCounts(claimed=1, retried=1)}
    assert (await mail_row(sqlite_database, mail_id))["last_error"].startswith("SMTP")


async def test_without_smtp_host_the_mail_becomes_an_eml_file(
    database: Database, tmp_path: Path
) -> None:
    mail_id = await queue_mail(database, "payment_reminder")
    carrier = MailCarrier(mail_settings(), data_dir=tmp_path)

    assert await make_deliverer(database, carrier).run_once() == {
        "mail": RunCounts(claimed=1, delivered=1)
    }

    [written] = (tmp_path / "outbox").iterdir()
    row = await mail_row(database, mail_id)
    created = row["created_at"].astimezone(UTC) if row["created_at"].tzinfo else row["created_at"]
    assert written.name == f"{created:%Y%m%dT%H%M%SZ}-{mail_id}.eml"
    message = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert message["From"] == "Tickets <tickets@example.org>"
    assert message["To"] == "ada@example.org"
    assert message["Subject"] == "Payment for order ABC12 (PyCon Test) still open"
    assert message["Message-ID"] == f"<{mail_id}@example.org>"
    assert message["Date"].datetime == created.replace(microsecond=0, tzinfo=UTC)
    assert "expires and its tickets" in message.get_content()
    assert row["state"] == "delivered"


async def test_an_explicit_outbox_dir_is_used(sqlite_database: Database, tmp_path: Path) -> None:
    await queue_mail(sqlite_database)
    carrier = MailCarrier(mail_settings(outbox_dir=tmp_path / "mails"), data_dir=tmp_path / "x")
    await make_deliverer(sqlite_database, carrier).run_once()
    assert [path.suffix for path in (tmp_path / "mails").iterdir()] == [".eml"]
    assert not (tmp_path / "x").exists()


async def test_a_mail_exists_only_when_the_transaction_commits(database: Database) -> None:
    async def failing_order_change() -> None:
        async with database.transaction() as session:
            await enqueue_mail(
                session,
                event_id=None,
                order_id=None,
                kind="order_expired",
                recipient="ada@example.org",
                context=ORDER,
            )
            raise RuntimeError("the order change failed")

    with pytest.raises(RuntimeError):
        await failing_order_change()
    async with database.transaction() as session:
        assert (await session.execute(select(emails.c.id))).all() == []


async def test_an_address_with_a_line_break_is_refused(sqlite_database: Database) -> None:
    async with sqlite_database.transaction() as session:
        with pytest.raises(ValueError, match="not an email address"):
            await enqueue_mail(
                session,
                event_id=None,
                order_id=None,
                kind="order_expired",
                recipient="ada@example.org\r\nBcc: all@example.org",
                context=ORDER,
            )

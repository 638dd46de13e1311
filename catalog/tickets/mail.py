"""The email outbox: queuing a rendered mail in the caller's transaction, and the carrier that
sends queued mails by SMTP or, without an SMTP host, writes them as ``.eml`` files.

It never decides when a mail is due to be written; the order service does.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any

import aiosmtplib
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets.delivery_tables import emails
from catalog.tickets.mail_templates import render_mail
from catalog.tickets.outbox import PENDING, Outcome, RetryPolicy
from core.clock import utc_now
from core.ids import new_id
from core.settings import MailSettings

SMTP_TIMEOUT_S = 30.0
SMTP_CONCURRENCY = 4


async def enqueue_mail(
    session: AsyncSession,
    *,
    event_id: str | None,
    order_id: str | None,
    kind: str,
    recipient: str,
    context: Mapping[str, Any],
    now: datetime | None = None,
) -> str:
    """Render the mail of ``kind`` for ``recipient`` and queue it in the caller's transaction
    (so it exists if and only if that transaction commits); its id.

    Raises:
        ValueError: unknown kind, or a recipient that is no email address.
        jinja2.UndefinedError: the context lacks a value the template uses.
    """
    if "@" not in recipient or any(char in recipient for char in "\r\n"):
        msg = f"not an email address: {recipient!r}"
        raise ValueError(msg)
    rendered = render_mail(kind, context)
    mail_id, moment = new_id(), now or utc_now()
    await session.execute(
        insert(emails).values(
            id=mail_id,
            event_id=event_id,
            order_id=order_id,
            kind=kind,
            recipient=recipient,
            subject=rendered.subject,
            body=rendered.body,
            state=PENDING,
            attempts=0,
            next_attempt_at=moment,
            last_error=None,
            created_at=moment,
            delivered_at=None,
        )
    )
    return mail_id


@dataclass(frozen=True, slots=True)
class QueuedMail:
    id: str
    recipient: str
    subject: str
    body: str
    created_at: datetime


class MailCarrier:
    """Sends queued mails: SMTP (``smtp_security`` none, starttls or tls; login when
    ``smtp_user`` is set) when ``smtp_host`` is set, else ``<outbox_dir>/<created>-<id>.eml``
    files, written whole or not at all. A mail keeps its Message-ID across attempts."""

    name = "mail"
    table = emails
    concurrency = SMTP_CONCURRENCY

    def __init__(
        self, settings: MailSettings, *, data_dir: Path, timeout_s: float = SMTP_TIMEOUT_S
    ) -> None:
        self.settings = settings
        self.outbox_dir = settings.outbox_dir or data_dir / "outbox"
        self.timeout_s = timeout_s
        self.policy = RetryPolicy(max_attempts=settings.max_attempts)

    async def load(self, session: AsyncSession, ids: list[str]) -> dict[str, Any]:
        query = select(
            emails.c.id, emails.c.recipient, emails.c.subject, emails.c.body, emails.c.created_at
        ).where(emails.c.id.in_(ids))
        return {
            row.id: QueuedMail(
                row.id,
                row.recipient,
                row.subject,
                row.body,
                row.created_at,
            )
            for row in await session.execute(query)
        }

    async def deliver(self, item: Any) -> Outcome:
        message = self.message(item)
        if not self.settings.smtp_host:
            try:
                await asyncio.to_thread(self._write_file, item, bytes(message))
            except OSError as exc:
                return Outcome(delivered=False, error=f"outbox folder: {exc}")
            return Outcome(delivered=True)
        return await self._send_smtp(message)

    def message(self, mail: QueuedMail) -> EmailMessage:
        """The RFC 5322 message of a queued mail."""
        domain = parseaddr(self.settings.sender)[1].rpartition("@")[2] or "localhost"
        message = EmailMessage()
        message["From"] = self.settings.sender
        message["To"] = mail.recipient
        message["Subject"] = mail.subject
        message["Date"] = format_datetime(mail.created_at)
        message["Message-ID"] = f"<{mail.id}@{domain}>"
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
        message.set_content(mail.body)
        return message

    async def _send_smtp(self, message: EmailMessage) -> Outcome:
        settings = self.settings
        login = bool(settings.smtp_user)
        try:
            await aiosmtplib.send(
                message,
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_user if login else None,
                password=settings.smtp_password.get_secret_value() if login else None,
                use_tls=settings.smtp_security == "tls",
                start_tls=settings.smtp_security == "starttls",
                timeout=self.timeout_s,
            )
        except aiosmtplib.SMTPException as exc:
            return Outcome(delivered=False, error=f"SMTP: {exc}", final=_permanent(exc))
        except (OSError, TimeoutError) as exc:
            return Outcome(delivered=False, error=f"SMTP connection: {exc!r}")
        return Outcome(delivered=True)

    def _write_file(self, mail: QueuedMail, data: bytes) -> None:
        self.outbox_dir.mkdir(parents=True, exist_ok=True)
        name = f"{mail.created_at.astimezone(UTC):%Y%m%dT%H%M%SZ}-{mail.id}.eml"
        partial = self.outbox_dir / f".{name}.tmp"
        with partial.open("wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        partial.replace(self.outbox_dir / name)  # readers never see half a mail

    async def aclose(self) -> None:
        return None


def _permanent(exc: aiosmtplib.SMTPException) -> bool:
    """A 5xx answer (e.g. unknown recipient) will not change on retry; 4xx and the rest may."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return all(refused.code >= 500 for refused in exc.recipients)
    return isinstance(exc, aiosmtplib.SMTPResponseException) and exc.code >= 500

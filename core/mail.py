"""Email outboxes of any package: plain-text Jinja2 templates with a ``Subject:`` first line,
queuing a mail row in the caller's transaction, and the carrier that sends the rows of one emails
table by SMTP or, without an SMTP host, writes them as ``.eml`` files.

The tables, the kinds of mail and when one is due are the owning package's, never this module's.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any

import aiosmtplib
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.ids import new_id
from core.outbox import PENDING, Outcome, RetryPolicy
from core.settings import MailSettings

SMTP_TIMEOUT_S = 30.0
SMTP_CONCURRENCY = 4
MAX_SUBJECT_CHARS = 300  # the subject columns' size


@dataclass(frozen=True, slots=True)
class RenderedMail:
    subject: str
    body: str


class MailTemplates:
    """The templates ``<directory>/<kind>.txt`` of ``kinds``; a template's first line is
    ``Subject: ...``, the rest its body."""

    def __init__(self, directory: Path, kinds: tuple[str, ...]) -> None:
        self.kinds = kinds
        # Plain text: nothing to escape; a missing context value is a bug, so it raises.
        self._environment = Environment(
            loader=FileSystemLoader(directory),
            autoescape=False,  # noqa: S701 -- text/plain mails, never HTML
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self._compiled: dict[str, tuple[Template, Template]] = {}

    def render(self, kind: str, context: Mapping[str, Any]) -> RenderedMail:
        """The subject and body of a mail of ``kind``.

        Raises:
            ValueError: unknown kind, or the template has no ``Subject:`` first line.
            jinja2.UndefinedError: the context lacks a value the template uses.
        """
        if kind not in self.kinds:
            msg = f"unknown mail kind {kind!r}"
            raise ValueError(msg)
        subject, body = self._templates(kind)
        # Header values are one line: a line break in an event name must not start a new header.
        text = " ".join(subject.render(**context).split())
        return RenderedMail(subject=text[:MAX_SUBJECT_CHARS], body=body.render(**context))

    def _templates(self, kind: str) -> tuple[Template, Template]:
        """The subject line and the body of a kind's template, compiled apart so that a value
        with a line break stays in its own part."""
        if kind not in self._compiled:
            loader = self._environment.loader
            assert loader is not None  # set above; narrows the type
            source, _, _ = loader.get_source(self._environment, f"{kind}.txt")
            first, _, rest = source.partition("\n")
            if not first.startswith("Subject:"):
                msg = f"mail template {kind}.txt must start with a 'Subject:' line"
                raise ValueError(msg)
            subject = self._environment.from_string(first.removeprefix("Subject:"))
            self._compiled[kind] = subject, self._environment.from_string(rest.lstrip("\n"))
        return self._compiled[kind]


def check_recipient(recipient: str) -> None:
    """Raises ``ValueError`` unless ``recipient`` is one line with an ``@``."""
    if "@" not in recipient or any(char in recipient for char in "\r\n"):
        msg = f"not an email address: {recipient!r}"
        raise ValueError(msg)


async def queue_mail(
    session: AsyncSession,
    table: Table,
    *,
    recipient: str,
    now: datetime,
    **columns: Any,
) -> str:
    """Insert a pending mail to ``recipient`` into the emails ``table`` in the caller's
    transaction (due at ``now``), with the table's own ``columns``; its id.

    Raises:
        ValueError: a recipient that is no email address.
    """
    check_recipient(recipient)
    mail_id = new_id()
    await session.execute(
        insert(table).values(
            id=mail_id,
            recipient=recipient,
            state=PENDING,
            attempts=0,
            next_attempt_at=now,
            last_error=None,
            created_at=now,
            delivered_at=None,
            **columns,
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


def stored_text(row: Any) -> RenderedMail:
    """The text of a row that was rendered when it was queued (``subject`` and ``body``)."""
    return RenderedMail(row.subject, row.body)


class MailCarrier:
    """Sends the queued mails of one emails ``table`` (``id``, ``recipient``, ``created_at`` and
    the outbox columns): SMTP (``smtp_security`` none, starttls or tls; login when ``smtp_user``
    is set) when ``smtp_host`` is set, else ``<outbox_dir>/<created>-<id>.eml`` files, written
    whole or not at all. A mail keeps its Message-ID across attempts.

    ``compose`` makes a row's subject and body (default: the stored ones); it runs for each
    attempt, so a row it cannot compose is retried and given up like a refused one.
    """

    concurrency = SMTP_CONCURRENCY

    def __init__(
        self,
        settings: MailSettings,
        *,
        table: Table,
        data_dir: Path,
        name: str = "mail",
        compose: Callable[[Any], RenderedMail] = stored_text,
        timeout_s: float = SMTP_TIMEOUT_S,
    ) -> None:
        self.settings = settings
        self.table = table
        self.name = name
        self.outbox_dir = settings.outbox_dir or data_dir / "outbox"
        self.timeout_s = timeout_s
        self.policy = RetryPolicy(max_attempts=settings.max_attempts)
        self._compose = compose

    async def load(self, session: AsyncSession, ids: list[str]) -> dict[str, Any]:
        rows = await session.execute(select(self.table).where(self.table.c.id.in_(ids)))
        return {row.id: row for row in rows}

    async def deliver(self, item: Any) -> Outcome:
        text = self._compose(item)
        mail = QueuedMail(item.id, item.recipient, text.subject, text.body, item.created_at)
        message = self.message(mail)
        if not self.settings.smtp_host:
            try:
                await asyncio.to_thread(self._write_file, mail, bytes(message))
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

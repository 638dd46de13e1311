"""The tickets catalog's email outbox: queuing a rendered mail in the caller's transaction into
``ticket_emails``, and the carrier of that table (``core.mail`` sends it).

It never decides when a mail is due to be written; the order service does.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets.delivery_tables import emails
from catalog.tickets.mail_templates import render_mail
from core import mail
from core.clock import utc_now
from core.settings import MailSettings


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
    rendered = render_mail(kind, context)
    return await mail.queue_mail(
        session,
        emails,
        recipient=recipient,
        now=now or utc_now(),
        event_id=event_id,
        order_id=order_id,
        kind=kind,
        subject=rendered.subject,
        body=rendered.body,
    )


class MailCarrier(mail.MailCarrier):
    """Sends the queued ``ticket_emails`` (see ``core.mail.MailCarrier``)."""

    def __init__(
        self, settings: MailSettings, *, data_dir: Path, timeout_s: float = mail.SMTP_TIMEOUT_S
    ) -> None:
        super().__init__(settings, table=emails, data_dir=data_dir, timeout_s=timeout_s)

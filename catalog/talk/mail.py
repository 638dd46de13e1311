"""The talk catalog's email outbox: queuing a talk mail (its kind and template values) in the
caller's transaction into ``talk_emails``, and the carrier that renders and sends those rows
(``core.mail`` sends them). Templates: ``templates/mail/<kind>.txt``, first line ``Subject:``.

Links in talk mails are paths in the context (``schedule_path``, ``invitation_path``, ...); the
carrier puts the platform's public address (``base_url``) in front when it renders the mail, so
the catalog never needs to know where it is served. Who is told what, and when, is the callers'.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, get_args

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.talk.mail_tables import talk_emails
from core import mail
from core.settings import MailSettings

TalkMailKind = Literal[
    "talk_scheduled",  # a release put the talk into the schedule
    "talk_moved",  # a release gave it another time or room
    "talk_canceled",  # a release took it out
    "cospeaker_invitation",
    "submission_accepted",
    "submission_rejected",
]
TALK_MAIL_KINDS: tuple[str, ...] = get_args(TalkMailKind)
TEMPLATES = mail.MailTemplates(Path(__file__).parent / "templates" / "mail", TALK_MAIL_KINDS)
# What ``base_url`` is while a mail is checked at queuing time: any address renders the same.
CHECK_BASE_URL = "https://example.invalid"


def render_talk_mail(kind: str, context: Mapping[str, Any], *, base_url: str) -> mail.RenderedMail:
    """The subject and body of a talk mail, its link paths under ``base_url``.

    Raises:
        ValueError: unknown kind.
        jinja2.UndefinedError: the context lacks a value the template uses.
    """
    return TEMPLATES.render(kind, {**context, "base_url": base_url.rstrip("/")})


async def enqueue_talk_mail(
    session: AsyncSession,
    *,
    event_id: str,
    kind: str,
    recipient: str,
    context: Mapping[str, Any],
    now: datetime,
) -> str:
    """Queue the talk mail of ``kind`` to ``recipient`` in the caller's transaction, so it exists
    if and only if that transaction commits; its id. ``context`` holds the template's values,
    JSON-safe (format times before), with links as paths from the platform's root::

        talk_scheduled / talk_moved / talk_canceled:
            event_name, speaker_name, title, schedule_path, when and room (scheduled, moved),
            old_when and old_room (moved, canceled)
        cospeaker_invitation: event_name, title, inviter_name, invitation_path
        submission_accepted / submission_rejected:
            event_name, speaker_name, title, submission_path

    The mail is rendered once here to check it, and again when it is sent.

    Raises:
        ValueError: unknown kind, a recipient that is no email address, or a context that is
            not JSON.
        jinja2.UndefinedError: the context lacks a value the template uses.
    """
    mail.check_recipient(recipient)
    render_talk_mail(kind, context, base_url=CHECK_BASE_URL)
    try:
        stored = json.loads(json.dumps(dict(context)))
    except TypeError as exc:
        msg = f"the context of a talk mail must be JSON: {exc}"
        raise ValueError(msg) from exc
    return await mail.queue_mail(
        session,
        talk_emails,
        recipient=recipient,
        now=now,
        event_id=event_id,
        kind=kind,
        context=stored,
    )


def talk_mail_carrier(settings: MailSettings, *, base_url: str, data_dir: Path) -> mail.MailCarrier:
    """The carrier of ``talk_emails``: renders each row with links under ``base_url`` (the
    platform's public address) and sends it as ``settings`` say."""

    def compose(row: Any) -> mail.RenderedMail:
        return render_talk_mail(row.kind, row.context, base_url=base_url)

    return mail.MailCarrier(
        settings, table=talk_emails, data_dir=data_dir, name="talk_mail", compose=compose
    )

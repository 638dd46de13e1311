"""Texts of the tickets catalog's emails: Jinja2 templates ``templates/mail/<kind>.txt`` whose
first line is ``Subject: ...``. Pure rendering; what is sent, and when, is ``mail``'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, get_args

from core.mail import MailTemplates, RenderedMail

MailKind = Literal[
    "order_placed", "order_paid", "payment_reminder", "order_canceled", "order_expired"
]
MAIL_KINDS: tuple[str, ...] = get_args(MailKind)
TEMPLATES = MailTemplates(Path(__file__).parent / "templates" / "mail", MAIL_KINDS)


def render_mail(kind: str, context: Mapping[str, Any]) -> RenderedMail:
    """The subject and body of a mail of ``kind`` (one of ``MAIL_KINDS``).

    Raises:
        ValueError: unknown kind, or the template has no ``Subject:`` first line.
        jinja2.UndefinedError: the context lacks a value the template uses.
    """
    return TEMPLATES.render(kind, context)

"""Texts of the tickets catalog's emails: Jinja2 templates ``templates/mail/<kind>.txt`` whose
first line is ``Subject: ...``. Pure rendering; what is sent, and when, is ``mail``'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, get_args

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

MailKind = Literal[
    "order_placed", "order_paid", "payment_reminder", "order_canceled", "order_expired"
]
MAIL_KINDS: tuple[str, ...] = get_args(MailKind)
MAX_SUBJECT_CHARS = 300  # the column's size
TEMPLATE_DIR = Path(__file__).parent / "templates" / "mail"


@dataclass(frozen=True, slots=True)
class RenderedMail:
    subject: str
    body: str


@cache
def _environment() -> Environment:
    # Plain text: nothing to escape; a missing context value is a bug, so it raises.
    return Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=False,  # noqa: S701 -- text/plain mails, never HTML
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_mail(kind: str, context: Mapping[str, Any]) -> RenderedMail:
    """The subject and body of a mail of ``kind`` (one of ``MAIL_KINDS``).

    Raises:
        ValueError: unknown kind, or the template has no ``Subject:`` first line.
        jinja2.UndefinedError: the context lacks a value the template uses.
    """
    if kind not in MAIL_KINDS:
        msg = f"unknown mail kind {kind!r}"
        raise ValueError(msg)
    subject, body = _templates(kind)
    # Header values are one line: a line break in an event name must not start a new header.
    text = " ".join(subject.render(**context).split())
    return RenderedMail(subject=text[:MAX_SUBJECT_CHARS], body=body.render(**context))


@cache
def _templates(kind: str) -> tuple[Template, Template]:
    """The subject line and the body of a kind's template, compiled apart so that a value with
    a line break stays in its own part."""
    environment = _environment()
    assert environment.loader is not None  # set above; narrows the type
    source, _, _ = environment.loader.get_source(environment, f"{kind}.txt")
    first, _, rest = source.partition("\n")
    if not first.startswith("Subject:"):
        msg = f"mail template {kind}.txt must start with a 'Subject:' line"
        raise ValueError(msg)
    subject = environment.from_string(first.removeprefix("Subject:"))
    return subject, environment.from_string(rest.lstrip("\n"))

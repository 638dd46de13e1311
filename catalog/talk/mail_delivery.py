"""Start-up and shutdown of the talk catalog's email delivery as one async context manager for
the app's lifespan; every node runs one (claims keep two nodes off one mail). Nothing is queued
here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from catalog.talk.mail import talk_mail_carrier
from core.database import Database
from core.outbox import Deliverer
from core.settings import MailSettings

# How soon a mail queued without a ``wake()`` (e.g. by a release through the API) goes out.
TALK_MAIL_INTERVAL_S = 5.0


def talk_deliverer(
    database: Database,
    mail: MailSettings,
    *,
    base_url: str,
    data_dir: Path,
    interval_s: float = TALK_MAIL_INTERVAL_S,
) -> Deliverer:
    """A deliverer of ``talk_emails`` with links under ``base_url``, the platform's public
    address, passing every ``interval_s`` (not started)."""
    carrier = talk_mail_carrier(mail, base_url=base_url, data_dir=data_dir)
    return Deliverer(database, [carrier], interval_s=interval_s, name="talk")


@asynccontextmanager
async def running_talk_delivery(
    database: Database,
    mail: MailSettings,
    *,
    base_url: str,
    data_dir: Path,
    interval_s: float = TALK_MAIL_INTERVAL_S,
) -> AsyncIterator[Deliverer]:
    """Deliver talk mails in the background for the lifetime of the block; ``wake()`` the
    deliverer after committing something that queued talk mail."""
    deliverer = talk_deliverer(
        database, mail, base_url=base_url, data_dir=data_dir, interval_s=interval_s
    )
    async with deliverer.running():
        yield deliverer

"""Start-up and shutdown of the tickets catalog's outbox delivery (emails and webhook calls) as
one async context manager for the app's lifespan. Nothing is queued here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from catalog.tickets.mail import MailCarrier
from catalog.tickets.webhook_delivery import WebhookCarrier
from core.database import Database
from core.outbox import Carrier, Deliverer
from core.settings import MailSettings, TicketSettings


def ticket_deliverer(
    database: Database, tickets: TicketSettings, mail: MailSettings, *, data_dir: Path
) -> Deliverer:
    """A deliverer of both outboxes, passing every ``tickets.jobs_interval_s`` (not started)."""
    carriers: list[Carrier] = [MailCarrier(mail, data_dir=data_dir), WebhookCarrier(tickets)]
    return Deliverer(database, carriers, interval_s=tickets.jobs_interval_s, name="tickets")


@asynccontextmanager
async def running_ticket_delivery(
    database: Database, tickets: TicketSettings, mail: MailSettings, *, data_dir: Path
) -> AsyncIterator[Deliverer]:
    """Deliver both outboxes in the background for the lifetime of the block; ``wake()`` the
    deliverer after committing something that queued mail or webhook calls."""
    async with ticket_deliverer(database, tickets, mail, data_dir=data_dir).running() as deliverer:
        yield deliverer

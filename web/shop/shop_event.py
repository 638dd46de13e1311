"""The event a shop URL names (``/shop/<organizer>/<event>/``), read from the tickets catalog."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from starlette.requests import Request

from catalog.tickets.tables import ticket_events
from web.services import Services

_MAX_SLUG_CHARS = 50


@dataclass(frozen=True, slots=True)
class ShopEvent:
    id: str
    slug: str  # "<organizer>/<event>"
    name: str
    currency: str

    @property
    def path(self) -> str:
        """The shop's base path; its cookies are scoped to it."""
        return f"/shop/{self.slug}/"


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def shop_event(request: Request) -> ShopEvent | None:
    """The event of the request's path, or None if there is no such event."""
    organizer = str(request.path_params["organizer"])
    event = str(request.path_params["event"])
    if not (0 < len(organizer) <= _MAX_SLUG_CHARS and 0 < len(event) <= _MAX_SLUG_CHARS):
        return None
    async with services_of(request).database.transaction() as session:
        row = (
            await session.execute(
                select(
                    ticket_events.c.id,
                    ticket_events.c.slug,
                    ticket_events.c.name,
                    ticket_events.c.currency,
                ).where(ticket_events.c.slug == f"{organizer}/{event}")
            )
        ).first()
    return None if row is None else ShopEvent(*row)

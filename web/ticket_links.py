"""The links a ticket buyer gets: the order page, each ticket's page and the live join link,
whose access token the live core signs. Implements the catalog's ``TicketLinks``."""

from __future__ import annotations

from typing import Any

from catalog.tickets import Entitlement
from live.ticket_access import ticket_token
from web import pages


class ShopLinks:
    """Absolute links under ``base_url`` (the platform's public address)."""

    def __init__(self, base_url: str, secret_key: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._secret_key = secret_key

    def order_url(self, order: dict[str, Any]) -> str:
        return f"{self.base_url}{order_path(order['event'], order['code'], order['secret'])}"

    def ticket_url(self, order: dict[str, Any], position_id: str) -> str:
        return f"{self.order_url(order)}tickets/{position_id}/"

    def join_url(self, order: dict[str, Any], entitlement: Entitlement) -> str | None:
        token = ticket_token(self._secret_key, order["event"], entitlement)
        return pages.join_link(self.base_url, order["event"], token)


def order_path(event_slug: str, code: str, secret: str) -> str:
    """The path of an order's page in the shop (``/shop/<org>/<event>/order/<code>/<secret>/``)."""
    return f"/shop/{event_slug}/order/{code}/{secret}/"

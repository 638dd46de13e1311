"""An event selling one product under one quota, made through the API, for the order, voucher,
check-in and webhook endpoint tests (fresh organizer slugs: PostgreSQL is shared)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalog.tickets.permissions import ALL_PERMISSIONS, Permission
from tests.web.api.api_client import ApiClient, fresh_slug

V1 = "/api/v1"


@dataclass
class Shop:
    api: ApiClient
    org: str
    headers: dict[str, str]
    product: str = ""
    quota: str = ""
    event: str = "conf"

    @property
    def url(self) -> str:
        return f"{V1}/organizers/{self.org}/events/{self.event}/"

    @classmethod
    async def make(
        cls,
        api: ApiClient,
        size: int | None = 5,
        price: str = "25.00",
        *,
        org: str | None = None,
        event: str = "conf",
    ) -> Shop:
        """A new event ``event`` (of a new organizer unless ``org``) selling ``T`` at ``price``."""
        org = org or fresh_slug()
        headers = await api.token(org)
        made = await api.http.post(
            f"{V1}/organizers/{org}/events/", headers=headers, json={"slug": event, "name": "C"}
        )
        assert made.status_code == 201, made.text
        shop = cls(api, org, headers, event=event)
        product = await shop.call("POST", "products/", 201, json={"name": "T", "price": price})
        quota = await shop.call(
            "POST", "quotas/", 201, json={"name": "Q", "size": size, "products": [product["id"]]}
        )
        shop.product, shop.quota = product["id"], quota["id"]
        return shop

    async def token(self, permissions: set[Permission]) -> dict[str, str]:
        """Headers of a new team of the organizer with only ``permissions``."""
        return await self.api.token(self.org, permissions)

    async def call(
        self,
        method: str,
        path: str,
        status: int,
        *,
        headers: dict[str, str] | None = None,
        root: bool = False,
        **kwargs: Any,
    ) -> Any:
        """``path`` below the event (below ``/api/v1`` when ``root``); asserts the status."""
        url = V1 + path if root else self.url + path
        response = await self.api.http.request(
            method, url, headers=headers or self.headers, **kwargs
        )
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    async def order(self, count: int = 1, status: int = 201, **body: Any) -> Any:
        """Place an order of ``count`` tickets (extra ``body`` fields as given)."""
        positions = [{"product": self.product} for _ in range(count)]
        return await self.call("POST", "orders/", status, json={"positions": positions, **body})

    async def paid_order(self, count: int = 1) -> Any:
        placed = await self.order(count, email="buyer@example.com")
        return await self.call("POST", f"orders/{placed['code']}/mark_paid/", 200)


__all__ = ["ALL_PERMISSIONS", "V1", "Shop"]

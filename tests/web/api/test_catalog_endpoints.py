"""Every catalog endpoint of /api/v1 on SQLite and the real PostgreSQL: organizers, events,
categories, products with variations and add-ons, quotas with availability, and vouchers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from catalog.tickets import OrderStatus
from catalog.tickets.tables import ticket_events
from core.clock import utc_now
from tests.catalog.ticket_rows import make_cart, make_order, make_voucher
from tests.web.api.api_client import ApiClient, fresh_slug

V1 = "/api/v1"


class Event:
    """An event made through the API, with a token of its organizer's all-powerful team."""

    def __init__(self, api: ApiClient, org: str, headers: dict[str, str]) -> None:
        self.api, self.org, self.headers = api, org, headers
        self.url = f"{V1}/organizers/{org}/events/conf/"

    @classmethod
    async def make(cls, api: ApiClient) -> Event:
        org = fresh_slug()
        headers = await api.token(org)
        made = await api.http.post(
            f"{V1}/organizers/{org}/events/",
            headers=headers,
            json={"slug": "conf", "name": "Conf", "currency": "EUR"},
        )
        assert made.status_code == 201, made.text
        return cls(api, org, headers)

    async def id(self) -> str:
        async with self.api.database.transaction() as session:
            found = await session.execute(
                select(ticket_events.c.id).where(ticket_events.c.slug == f"{self.org}/conf")
            )
            return str(found.scalar_one())

    async def call(self, method: str, path: str, status: int, **kwargs: Any) -> Any:
        response = await self.api.http.request(
            method, self.url + path, headers=self.headers, **kwargs
        )
        assert response.status_code == status, response.text
        return response.json() if response.content else None


async def test_organizer_list_and_detail(any_api: ApiClient) -> None:
    org = fresh_slug()
    headers = await any_api.token(org)

    listed = await any_api.http.get(f"{V1}/organizers/", headers=headers)
    detail = await any_api.http.get(f"{V1}/organizers/{org}/", headers=headers)

    assert listed.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [{"slug": org, "name": f"Org {org}"}],
    }
    assert detail.json() == {"slug": org, "name": f"Org {org}"}


async def test_events_create_list_show_patch(any_api: ApiClient) -> None:
    event = await Event.make(any_api)
    events = f"{V1}/organizers/{event.org}/events/"

    patched = await any_api.http.patch(
        event.url, headers=event.headers, json={"name": "Conf 2026", "payment_term_days": 7}
    )
    shown = await any_api.http.get(event.url, headers=event.headers)
    found = await any_api.http.get(events, headers=event.headers, params={"search": "2026"})
    missing = await any_api.http.get(events, headers=event.headers, params={"search": "zzz"})
    unknown = await any_api.http.get(events + "nope/", headers=event.headers)
    duplicate = await any_api.http.post(
        events, headers=event.headers, json={"slug": "conf", "name": "Again"}
    )

    assert patched.status_code == 200
    body = shown.json()
    assert body.pop("created_at").endswith("Z")
    assert body == {
        "slug": "conf",
        "name": "Conf 2026",
        "currency": "EUR",
        "reservation_minutes": 30,
        "payment_term_days": 7,
        "accept_late_payments": True,
        "timezone": "UTC",
    }
    assert found.json()["count"] == 1
    assert missing.json()["count"] == 0
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "protocol.not_found"
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "api.conflict"
    async with any_api.database.transaction() as session:
        stored = await session.execute(
            select(ticket_events.c.slug).where(ticket_events.c.slug == f"{event.org}/conf")
        )
        assert stored.scalar_one() == f"{event.org}/conf"


async def test_categories_crud(any_api: ApiClient) -> None:
    event = await Event.make(any_api)

    made = await event.call("POST", "categories/", 201, json={"name": "Tickets", "sort_key": 1})
    addon = await event.call("POST", "categories/", 201, json={"name": "Extras", "is_addon": True})
    changed = await event.call("PATCH", f"categories/{made['id']}/", 200, json={"name": "Entry"})
    addons_only = await event.call("GET", "categories/", 200, params={"is_addon": "true"})
    await event.call("DELETE", f"categories/{addon['id']}/", 204)
    gone = await event.call("GET", f"categories/{addon['id']}/", 404)

    assert changed == {"id": made["id"], "name": "Entry", "sort_key": 1, "is_addon": False}
    assert [c["name"] for c in addons_only["results"]] == ["Extras"]
    assert gone["error"] == {
        "code": "tickets.not_found",
        "message": "No such category in this event",
        "details": {"category": addon["id"]},
    }
    assert (await event.call("GET", "categories/", 200))["count"] == 1


async def test_products_show_variations_and_addons_nested(any_api: ApiClient) -> None:
    event = await Event.make(any_api)
    tickets = await event.call("POST", "categories/", 201, json={"name": "Tickets"})
    extras = await event.call("POST", "categories/", 201, json={"name": "Extras", "is_addon": True})

    product = await event.call(
        "POST",
        "products/",
        201,
        json={
            "name": "Conference ticket",
            "price": "199",
            "category": tickets["id"],
            "variations": [{"name": "Online", "price": "49.9"}, {"name": "On-site"}],
            "addons": [{"category": extras["id"], "max_count": 2}],
        },
    )

    assert product["price"] == "199.00"
    assert product["category"] == tickets["id"]
    assert [(v["name"], v["price"]) for v in product["variations"]] == [
        ("Online", "49.90"),
        ("On-site", None),
    ]
    assert product["addons"] == [
        {"category": extras["id"], "min_count": 0, "max_count": 2, "price_included": False}
    ]
    assert await event.call("GET", f"products/{product['id']}/", 200) == product


async def test_products_filter_patch_and_delete(any_api: ApiClient) -> None:
    event = await Event.make(any_api)
    category = await event.call("POST", "categories/", 201, json={"name": "Tickets"})
    ticket = await event.call(
        "POST",
        "products/",
        201,
        json={"name": "Ticket", "price": "10.00", "category": category["id"]},
    )
    shirt = await event.call(
        "POST", "products/", 201, json={"name": "Shirt", "price": "15.00", "admission": False}
    )

    patched = await event.call(
        "PATCH", f"products/{shirt['id']}/", 200, json={"price": "12.5", "active": False}
    )
    admission = await event.call("GET", "products/", 200, params={"admission": "true"})
    inactive = await event.call("GET", "products/", 200, params={"active": "false"})
    in_category = await event.call("GET", "products/", 200, params={"category": category["id"]})
    searched = await event.call("GET", "products/", 200, params={"search": "shi"})
    bad_category = await event.call(
        "PATCH", f"products/{shirt['id']}/", 422, json={"category": "nope"}
    )
    await event.call("DELETE", f"products/{shirt['id']}/", 204)

    assert (patched["price"], patched["active"]) == ("12.50", False)
    assert [p["id"] for p in admission["results"]] == [ticket["id"]]
    assert [p["id"] for p in inactive["results"]] == [shirt["id"]]
    assert [p["id"] for p in in_category["results"]] == [ticket["id"]]
    assert [p["id"] for p in searched["results"]] == [shirt["id"]]
    assert bad_category["error"]["details"]["errors"][0]["field"] == "category"
    assert (await event.call("GET", "products/", 200))["count"] == 1


async def test_a_product_with_orders_cannot_be_deleted(any_api: ApiClient) -> None:
    event = await Event.make(any_api)
    product = await event.call("POST", "products/", 201, json={"name": "T", "price": "1.00"})
    async with any_api.database.transaction() as session:
        await make_order(session, await event.id(), OrderStatus.PAID, [(product["id"], None)])

    refused = await event.call("DELETE", f"products/{product['id']}/", 409)

    assert refused["error"]["code"] == "api.conflict"
    assert (await event.call("GET", f"products/{product['id']}/", 200))["id"] == product["id"]


async def test_variations_crud(any_api: ApiClient) -> None:
    event = await Event.make(any_api)
    product = await event.call("POST", "products/", 201, json={"name": "T", "price": "20.00"})
    base = f"products/{product['id']}/variations/"

    red = await event.call("POST", base, 201, json={"name": "Red", "price": "22.00"})
    blue = await event.call("POST", base, 201, json={"name": "Blue", "sort_key": 1})
    reset = await event.call("PATCH", f"{base}{red['id']}/", 200, json={"price": None})
    await event.call("DELETE", f"{base}{blue['id']}/", 204)
    listed = await event.call("GET", base, 200)
    other_product = await event.call("POST", "products/", 201, json={"name": "U", "price": "1.00"})
    wrong_parent = await event.call(
        "GET", f"products/{other_product['id']}/variations/{red['id']}/", 404
    )

    assert reset == {"id": red["id"], "name": "Red", "price": None, "active": True, "sort_key": 0}
    assert [v["name"] for v in listed["results"]] == ["Red"]
    assert wrong_parent["error"]["code"] == "tickets.not_found"
    shown = await event.call("GET", f"products/{product['id']}/", 200)
    assert [v["id"] for v in shown["variations"]] == [red["id"]]


async def test_quotas_crud_with_members(any_api: ApiClient) -> None:
    event = await Event.make(any_api)
    plain = await event.call("POST", "products/", 201, json={"name": "T", "price": "1.00"})
    shirt = await event.call(
        "POST",
        "products/",
        201,
        json={"name": "Shirt", "price": "9.00", "variations": [{"name": "S"}, {"name": "M"}]},
    )
    small, medium = (v["id"] for v in shirt["variations"])

    quota = await event.call(
        "POST",
        "quotas/",
        201,
        json={"name": "All", "size": 100, "products": [plain["id"]], "variations": [small]},
    )
    unlisted = await event.call(
        "POST", "quotas/", 422, json={"name": "X", "size": 1, "products": [shirt["id"]]}
    )
    patched = await event.call(
        "PATCH", f"quotas/{quota['id']}/", 200, json={"size": None, "variations": [medium]}
    )
    holding_plain = await event.call("GET", "quotas/", 200, params={"product": plain["id"]})
    holding_small = await event.call("GET", "quotas/", 200, params={"variation": small})

    assert quota["products"] == sorted([plain["id"], shirt["id"]])
    assert quota["variations"] == [small]
    assert unlisted["error"]["details"]["errors"][0]["field"] == "variations"
    assert patched == {
        "id": quota["id"],
        "name": "All",
        "size": None,
        "closed": False,
        "products": sorted([plain["id"], shirt["id"]]),
        "variations": [medium],
    }
    assert holding_plain["count"] == 1
    assert holding_small["count"] == 0
    await event.call("DELETE", f"quotas/{quota['id']}/", 204)
    assert (await event.call("GET", "quotas/", 200))["count"] == 0


async def test_quota_availability_counts_orders_vouchers_and_carts(any_api: ApiClient) -> None:
    event = await Event.make(any_api)
    product = await event.call("POST", "products/", 201, json={"name": "T", "price": "1.00"})
    quota = await event.call(
        "POST", "quotas/", 201, json={"name": "Q", "size": 10, "products": [product["id"]]}
    )
    item = (product["id"], None)
    async with any_api.database.transaction() as session:
        event_id = await event.id()
        await make_order(session, event_id, OrderStatus.PAID, [item] * 3)
        await make_order(session, event_id, OrderStatus.PENDING, [item] * 2)
        await make_voucher(session, event_id, max_usages=2, quota_id=quota["id"])
        await make_cart(session, event_id, utc_now() + timedelta(minutes=30), [item])

    availability = await event.call("GET", f"quotas/{quota['id']}/availability/", 200)
    await event.call("PATCH", f"quotas/{quota['id']}/", 200, json={"size": 8})
    full = await event.call("GET", f"quotas/{quota['id']}/availability/", 200)

    assert availability == {
        "available": True,
        "available_number": 2,
        "total_size": 10,
        "paid_orders": 3,
        "pending_orders": 2,
        "blocking_vouchers": 2,
        "cart_positions": 1,
        "state": "ok",
    }
    assert (full["available"], full["available_number"], full["state"]) == (False, 0, "reserved")


async def test_vouchers_list_with_filters_and_detail(any_api: ApiClient) -> None:
    event = await Event.make(any_api)
    product = await event.call("POST", "products/", 201, json={"name": "T", "price": "1.00"})
    async with any_api.database.transaction() as session:
        event_id = await event.id()
        for_product = await make_voucher(session, event_id, product_id=product["id"])
        used_up = await make_voucher(session, event_id, max_usages=1, redeemed=1, block_quota=False)
        expired = await make_voucher(
            session, event_id, valid_until=utc_now() - timedelta(days=1), block_quota=False
        )

    everything = await event.call("GET", "vouchers/", 200)
    by_product = await event.call("GET", "vouchers/", 200, params={"product": product["id"]})
    active = await event.call("GET", "vouchers/", 200, params={"active": "true"})
    inactive = await event.call("GET", "vouchers/", 200, params={"active": "false"})
    blocking = await event.call("GET", "vouchers/", 200, params={"block_quota": "true"})
    detail = await event.call("GET", f"vouchers/{for_product}/", 200)
    by_code = await event.call("GET", "vouchers/", 200, params={"code": detail["code"]})
    unknown = await event.call("GET", "vouchers/nope/", 404)

    assert everything["count"] == 3
    assert [v["id"] for v in by_product["results"]] == [for_product]
    assert [v["id"] for v in active["results"]] == [for_product]
    assert {v["id"] for v in inactive["results"]} == {used_up, expired}
    assert [v["id"] for v in blocking["results"]] == [for_product]
    assert [v["id"] for v in by_code["results"]] == [for_product]
    assert detail.pop("created_at").endswith("Z")
    assert detail == {
        "id": for_product,
        "code": for_product[:12].upper(),
        "max_usages": 1,
        "redeemed": 0,
        "valid_until": None,
        "price_mode": "none",
        "value": None,
        "block_quota": True,
        "allow_ignore_quota": False,
        "product": product["id"],
        "variation": None,
        "quota": None,
    }
    assert unknown["error"]["code"] == "tickets.not_found"

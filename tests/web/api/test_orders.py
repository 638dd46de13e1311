"""Orders over /api/v1: placing (sold out, idempotent retries), showing with join links, lists and
filters, mark paid, cancel, refunds and payments; catalog changes honoured by the next order."""

from __future__ import annotations

from sqlalchemy import delete, select

from catalog.tickets.account_tables import idempotency_keys
from catalog.tickets.permissions import Permission
from live.tables import events as live_events
from tests.web.api.api_client import ApiClient
from tests.web.api.ticket_shop import Shop


async def test_an_order_is_placed_shown_and_listed(any_api: ApiClient) -> None:
    shop = await Shop.make(any_api)
    positions = [
        {"product": shop.product, "attendee_name": "Ada Lovelace"},
        {"product": shop.product, "attendee_email": "bob@example.com"},
    ]

    placed = await shop.call(
        "POST",
        "orders/",
        201,
        json={"positions": positions, "email": "Buyer@Example.com", "payment_provider": "test"},
    )
    shown = await shop.call("GET", f"orders/{placed['code']}/", 200)

    assert shown == placed
    assert (placed["status"], placed["total"], placed["currency"]) == ("pending", "50.00", "EUR")
    assert placed["payment_provider"] == "test"
    assert placed["url"].endswith(
        f"/shop/{shop.org}/conf/order/{placed['code']}/{placed['secret']}/"
    )
    assert [p["positionid"] for p in placed["positions"]] == [1, 2]
    assert [p["attendee_name"] for p in placed["positions"]] == ["Ada Lovelace", None]
    assert all(p["secret"] and p["pseudonymization_id"] for p in placed["positions"])
    assert all(p["join_url"] is None for p in placed["positions"])  # pending: no live access
    assert (placed["payments"], placed["refunds"]) == ([], [])
    for query, expected in (
        ({}, 1),
        ({"status": "pending"}, 1),
        ({"status": "paid"}, 0),
        ({"code": placed["code"]}, 1),
        ({"email": "buyer@example.com"}, 1),
        ({"product": shop.product}, 1),
        ({"product": "nope"}, 0),
        ({"search": "lovelace"}, 1),
        ({"search": "zzz_%"}, 0),
        ({"modified_since": "2000-01-01T00:00:00Z"}, 1),
        ({"modified_since": "2999-01-01T00:00:00Z"}, 0),
    ):
        listed = await shop.call("GET", "orders/", 200, params=query)
        assert listed["count"] == expected, query
    assert (await shop.call("GET", "orders/", 200))["results"] == [placed]


async def test_a_paid_order_gives_each_ticket_a_join_link(any_api: ApiClient) -> None:
    shop = await Shop.make(any_api)
    placed = await shop.order(2, email="buyer@example.com")

    paid = await shop.call("POST", f"orders/{placed['code']}/mark_paid/", 200)
    again = await shop.call("POST", f"orders/{placed['code']}/mark_paid/", 409)
    payments = await shop.call("GET", f"orders/{placed['code']}/payments/", 200)

    assert paid["status"] == "paid"
    assert all("/join#" in p["join_url"] for p in paid["positions"])
    assert f"event={shop.org}/conf" in paid["positions"][0]["join_url"]
    assert [(p["provider"], p["state"], p["amount"]) for p in paid["payments"]] == [
        ("manual", "confirmed", "50.00")
    ]
    assert payments["count"] == 1
    assert payments["results"] == paid["payments"]
    assert again["error"]["code"] == "tickets.order_state"
    assert again["error"]["details"]["status"] == "paid"


async def test_a_pending_order_valid_if_pending_has_join_links(api: ApiClient) -> None:
    shop = await Shop.make(api)

    placed = await shop.order(1, valid_if_pending=True)

    assert placed["status"] == "pending"
    assert "/join#" in placed["positions"][0]["join_url"]


async def test_sold_out_is_409_naming_the_items(any_api: ApiClient) -> None:
    shop = await Shop.make(any_api, size=1)

    refused = await shop.order(2, status=409)

    assert refused["error"]["code"] == "tickets.sold_out"
    assert refused["error"]["details"]["items"]
    assert (await shop.call("GET", "orders/", 200))["count"] == 0


async def test_bad_positions_and_providers_are_422_naming_the_field(api: ApiClient) -> None:
    shop = await Shop.make(api)

    refused = await shop.call(
        "POST",
        "orders/",
        422,
        json={
            "positions": [
                {"product": "nope"},
                {"product": shop.product, "variation": "nope", "addon_to": 1},
            ],
        },
    )
    provider = await shop.call(
        "POST",
        "orders/",
        422,
        json={"positions": [{"product": shop.product}], "payment_provider": "gold"},
    )
    empty = await shop.call("POST", "orders/", 422, json={"positions": []})
    unknown = await shop.call("GET", "orders/NOPE1/", 404)

    assert [e["field"] for e in refused["error"]["details"]["errors"]] == [
        "positions.0.product",
        "positions.1.variation",
        "positions.1.addon_to",
    ]
    assert provider["error"]["details"]["errors"][0]["field"] == "payment_provider"
    assert empty["error"]["details"]["errors"][0]["field"] == "positions"
    assert unknown["error"] == {
        "code": "tickets.not_found",
        "message": "No such order in this event",
        "details": {"order": "NOPE1"},
    }


async def test_a_retry_with_the_idempotency_key_finds_the_order(any_api: ApiClient) -> None:
    shop = await Shop.make(any_api)
    headers = {**shop.headers, "Idempotency-Key": "k" * 150}
    body = {"positions": [{"product": shop.product}]}

    first = await shop.call("POST", "orders/", 201, headers=headers, json=body)
    replayed = await any_api.http.post(shop.url + "orders/", headers=headers, json=body)
    async with any_api.database.transaction() as session:  # the API's record is lost
        await session.execute(delete(idempotency_keys).where(idempotency_keys.c.key == "k" * 150))
    retried = await shop.call("POST", "orders/", 201, headers=headers, json=body)
    other_token = {**await shop.token({Permission.ORDERS_CHANGE}), "Idempotency-Key": "k" * 150}
    someone_else = await shop.call("POST", "orders/", 201, headers=other_token, json=body)

    assert replayed.headers["Idempotency-Replayed"] == "true"
    assert replayed.json() == first
    assert retried["code"] == first["code"]
    assert someone_else["code"] != first["code"]
    assert (await shop.call("GET", "orders/", 200))["count"] == 2


async def test_cancel_and_refunds(any_api: ApiClient) -> None:
    shop = await Shop.make(any_api)
    pending = await shop.order(1)
    paid = await shop.paid_order(2)
    code = paid["code"]

    canceled = await shop.call(
        "POST", f"orders/{pending['code']}/mark_canceled/", 200, json={"comment": "no show"}
    )
    twice = await shop.call("POST", f"orders/{pending['code']}/mark_canceled/", 409, json={})
    partial = await shop.call(
        "POST", f"orders/{code}/refunds/", 201, json={"amount": "10.00", "comment": "late"}
    )
    too_much = await shop.call("POST", f"orders/{code}/refunds/", 422, json={"amount": "999.00"})
    full = await shop.call("POST", f"orders/{code}/refunds/", 201, json={})
    not_paid = await shop.call("POST", f"orders/{code}/refunds/", 409, json={})

    assert canceled["status"] == "canceled"
    assert twice["error"]["code"] == "tickets.order_state"
    assert partial["order"]["status"] == "paid"
    assert [(r["amount"], r["comment"], r["source"]) for r in partial["refunds"]] == [
        ("10.00", "late", "admin")
    ]
    assert too_much["error"]["code"] == "protocol.invalid_payload"
    assert full["order"]["status"] == "canceled"
    assert full["order"]["refunds"] == full["refunds"]
    assert [r["amount"] for r in full["refunds"]] == ["10.00", "50.00"]
    assert all(p["join_url"] is None for p in full["order"]["positions"])
    assert not_paid["error"]["details"]["status"] == "canceled"


async def test_cancel_without_refund_keeps_the_payment(api: ApiClient) -> None:
    shop = await Shop.make(api)
    paid = await shop.paid_order(1)

    canceled = await shop.call(
        "POST", f"orders/{paid['code']}/mark_canceled/", 200, json={"send_refund": False}
    )

    assert canceled["refunds"] == []
    assert [p["state"] for p in canceled["payments"]] == ["confirmed"]


async def test_orders_need_their_permissions(api: ApiClient) -> None:
    shop = await Shop.make(api)
    placed = await shop.order(1)
    viewer = await shop.token({Permission.ORDERS_VIEW})
    outsider = await shop.token({Permission.PRODUCTS_CHANGE})

    await shop.call("GET", f"orders/{placed['code']}/", 200, headers=viewer)
    write = await shop.call("POST", f"orders/{placed['code']}/mark_paid/", 403, headers=viewer)
    place = await shop.call(
        "POST", "orders/", 403, headers=viewer, json={"positions": [{"product": shop.product}]}
    )
    read = await shop.call("GET", "orders/", 403, headers=outsider)

    assert write["error"]["details"] == {"permission": "orders.change"}
    assert place["error"]["details"] == {"permission": "orders.change"}
    assert read["error"]["details"] == {"permission": "orders.view"}


async def test_a_quota_size_change_is_honoured_by_the_next_order(any_api: ApiClient) -> None:
    shop = await Shop.make(any_api, size=1)
    await shop.order(1)
    await shop.order(1, status=409)

    await shop.call("PATCH", f"quotas/{shop.quota}/", 200, json={"size": 3})
    grown = await shop.order(1)
    await shop.call("PATCH", f"quotas/{shop.quota}/", 200, json={"size": 2})
    shrunk = await shop.order(1, status=409)

    assert grown["status"] == "pending"
    assert shrunk["error"]["code"] == "tickets.sold_out"


async def test_a_canceled_order_gives_its_ticket_back(api: ApiClient) -> None:
    shop = await Shop.make(api, size=1)
    first = await shop.order(1)

    await shop.call("POST", f"orders/{first['code']}/mark_canceled/", 200, json={})
    second = await shop.order(1)

    assert second["status"] == "pending"


async def test_a_deactivated_product_is_not_sold_any_more(any_api: ApiClient) -> None:
    shop = await Shop.make(any_api, size=5)
    await shop.order(1)

    await shop.call("PATCH", f"products/{shop.product}/", 200, json={"active": False})
    inactive = await shop.order(1, status=409)
    await shop.call("PATCH", f"products/{shop.product}/", 200, json={"active": True})
    active = await shop.order(1)

    assert inactive["error"]["code"] == "tickets.sold_out"
    assert active["status"] == "pending"


async def test_a_new_ticket_event_opens_its_live_event(any_api: ApiClient) -> None:
    shop = await Shop.make(any_api)

    async with any_api.database.transaction() as session:
        found = await session.execute(
            select(live_events.c.title).where(live_events.c.slug == f"{shop.org}/conf")
        )
        assert found.scalar_one() == "C"


async def test_deleting_an_add_on_category_ends_its_add_ons_at_once(api: ApiClient) -> None:
    shop = await Shop.make(api, size=5)
    extras = await shop.call("POST", "categories/", 201, json={"name": "Extras", "is_addon": True})
    workshop = await shop.call(
        "POST",
        "products/",
        201,
        json={"name": "Workshop", "price": "10.00", "category": extras["id"], "admission": False},
    )
    await shop.call(
        "POST", "quotas/", 201, json={"name": "W", "size": 9, "products": [workshop["id"]]}
    )
    await shop.call(
        "PATCH", f"products/{shop.product}/", 200, json={"addons": [{"category": extras["id"]}]}
    )
    positions = [{"product": shop.product}, {"product": workshop["id"], "addon_to": 0}]
    with_addon = await shop.call("POST", "orders/", 201, json={"positions": positions})

    await shop.call("DELETE", f"categories/{extras['id']}/", 204)
    refused = await shop.call("POST", "orders/", 422, json={"positions": positions})

    assert with_addon["total"] == "35.00"
    assert refused["error"]["code"] == "tickets.invalid_addons"

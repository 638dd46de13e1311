"""Voucher writes over /api/v1: created by the inventory (blocking ones need room, batches all or
none), changes that would take capacity refused, deletes of unused vouchers giving it back."""

from __future__ import annotations

from catalog.tickets.permissions import Permission
from tests.web.api.api_client import ApiClient
from tests.web.api.ticket_shop import Shop


async def test_a_voucher_is_created_and_its_code_is_unique(any_api: ApiClient) -> None:
    shop = await Shop.make(any_api)

    made = await shop.call(
        "POST",
        "vouchers/",
        201,
        json={
            "code": "HALF-OFF",
            "price_mode": "percent",
            "value": "50",
            "max_usages": 3,
            "valid_until": "2999-01-01T00:00:00+02:00",
            "product": shop.product,
        },
    )
    random_code = await shop.call("POST", "vouchers/", 201, json={})
    taken = await shop.call("POST", "vouchers/", 409, json={"code": "half-off"})
    shown = await shop.call("GET", f"vouchers/{made['id']}/", 200)

    assert made.pop("created_at").endswith("Z")
    assert made == {
        "id": made["id"],
        "code": "HALF-OFF",
        "max_usages": 3,
        "redeemed": 0,
        "valid_until": "2998-12-31T22:00:00Z",
        "price_mode": "percent",
        "value": "50.00",
        "block_quota": False,
        "allow_ignore_quota": False,
        "product": shop.product,
        "variation": None,
        "quota": None,
    }
    assert random_code["code"]
    assert taken["error"]["code"] == "tickets.invalid_voucher"
    assert taken["error"]["details"]["reason"] == "duplicate"
    assert shown == {**made, "created_at": shown["created_at"]}


async def test_a_blocking_voucher_holds_capacity_until_deleted(any_api: ApiClient) -> None:
    shop = await Shop.make(any_api, size=2)

    held = await shop.call(
        "POST",
        "vouchers/",
        201,
        json={"code": "VIP", "block_quota": True, "max_usages": 2, "quota": shop.quota},
    )
    too_many = await shop.call(
        "POST", "vouchers/", 409, json={"block_quota": True, "product": shop.product}
    )
    no_scope = await shop.call("POST", "vouchers/", 409, json={"block_quota": True})
    sold_out = await shop.order(1, status=409)
    await shop.call("DELETE", f"vouchers/{held['id']}/", 204)
    freed = await shop.order(2)

    assert too_many["error"]["code"] == "tickets.sold_out"
    assert no_scope["error"]["details"]["reason"] == "scope"
    assert sold_out["error"]["code"] == "tickets.sold_out"
    assert freed["status"] == "pending"
    await shop.call("GET", f"vouchers/{held['id']}/", 404)


async def test_a_batch_is_created_all_or_none(any_api: ApiClient) -> None:
    shop = await Shop.make(any_api, size=1)

    made = await shop.call(
        "POST", "vouchers/batch_create/", 201, json=[{"code": "A1"}, {"code": "A2"}]
    )
    refused = await shop.call(
        "POST",
        "vouchers/batch_create/",
        409,
        json=[
            {"code": "B1"},
            {"code": "B2", "block_quota": True, "max_usages": 2, "quota": shop.quota},
        ],
    )
    bad = await shop.call(
        "POST", "vouchers/batch_create/", 422, json=[{"code": "C1"}, {"product": "nope"}]
    )
    empty = await shop.call("POST", "vouchers/batch_create/", 422, json=[])

    assert [v["code"] for v in made] == ["A1", "A2"]
    assert refused["error"]["code"] == "tickets.sold_out"
    assert bad["error"]["details"]["errors"] == [
        {"field": "1.product", "message": "not a product of this event", "in": "body"}
    ]
    assert empty["error"]["code"] == "protocol.invalid_payload"
    listed = await shop.call("GET", "vouchers/", 200)
    assert sorted(v["code"] for v in listed["results"]) == ["A1", "A2"]


async def test_changes_that_take_no_capacity_are_made(any_api: ApiClient) -> None:
    shop = await Shop.make(any_api)
    voucher = await shop.call("POST", "vouchers/", 201, json={"code": "PLAIN"})

    changed = await shop.call(
        "PATCH",
        f"vouchers/{voucher['id']}/",
        200,
        json={
            "max_usages": 5,
            "valid_until": "2999-01-01T00:00:00Z",
            "price_mode": "set",
            "value": "5.00",
            "allow_ignore_quota": True,
            "product": shop.product,
        },
    )
    blocking = await shop.call(
        "PATCH", f"vouchers/{voucher['id']}/", 409, json={"block_quota": True}
    )
    null_mode = await shop.call(
        "PATCH", f"vouchers/{voucher['id']}/", 422, json={"price_mode": None}
    )
    bad_product = await shop.call("PATCH", f"vouchers/{voucher['id']}/", 422, json={"product": "x"})
    used = await shop.order(1, positions=[{"product": shop.product, "voucher": "PLAIN"}])

    assert (changed["max_usages"], changed["price_mode"], changed["value"]) == (5, "set", "5.00")
    assert (changed["valid_until"], changed["product"]) == ("2999-01-01T00:00:00Z", shop.product)
    assert changed["allow_ignore_quota"] is True
    assert blocking["error"]["code"] == "api.conflict"
    assert blocking["error"]["details"]["fields"] == ["block_quota"]
    assert null_mode["error"]["details"]["errors"][0]["field"] == "price_mode"
    assert bad_product["error"]["details"]["errors"][0]["field"] == "product"
    assert used["total"] == "5.00"


async def test_a_blocking_voucher_may_only_hold_less(any_api: ApiClient) -> None:
    shop = await Shop.make(any_api, size=3)
    other = await shop.call("POST", "quotas/", 201, json={"name": "Other", "size": 10})
    held = await shop.call(
        "POST",
        "vouchers/",
        201,
        json={"block_quota": True, "max_usages": 3, "quota": shop.quota, "valid_until": None},
    )
    url = f"vouchers/{held['id']}/"

    more = await shop.call("PATCH", url, 409, json={"max_usages": 4})
    moved = await shop.call("PATCH", url, 409, json={"quota": other["id"]})
    await shop.order(1, status=409)
    fewer = await shop.call("PATCH", url, 200, json={"max_usages": 2, "price_mode": "set"})
    one_freed = await shop.order(1)
    unblocked = await shop.call("PATCH", url, 200, json={"block_quota": False})
    two_freed = await shop.order(2)

    assert more["error"] == {
        "code": "api.conflict",
        "message": "These changes would make a quota-blocking voucher hold more; create a new one",
        "details": {"fields": ["max_usages"]},
    }
    assert moved["error"]["details"]["fields"] == ["quota"]
    assert fewer["max_usages"] == 2
    assert one_freed["status"] == two_freed["status"] == "pending"
    assert unblocked["block_quota"] is False


async def test_an_expired_blocking_voucher_is_not_revived(api: ApiClient) -> None:
    shop = await Shop.make(api, size=3)
    held = await shop.call(
        "POST",
        "vouchers/",
        201,
        json={"block_quota": True, "quota": shop.quota, "valid_until": "2999-01-01T00:00:00Z"},
    )
    url = f"vouchers/{held['id']}/"

    earlier = await shop.call("PATCH", url, 200, json={"valid_until": "2001-01-01T00:00:00Z"})
    revived = await shop.call("PATCH", url, 409, json={"valid_until": None})

    assert earlier["valid_until"] == "2001-01-01T00:00:00Z"
    assert revived["error"]["details"]["fields"] == ["valid_until"]


async def test_a_redeemed_voucher_is_not_deleted(any_api: ApiClient) -> None:
    shop = await Shop.make(any_api)
    voucher = await shop.call("POST", "vouchers/", 201, json={"code": "ONCE", "max_usages": 3})
    await shop.order(2, positions=[{"product": shop.product, "voucher": "ONCE"}] * 2)

    refused = await shop.call("DELETE", f"vouchers/{voucher['id']}/", 409)
    below = await shop.call("PATCH", f"vouchers/{voucher['id']}/", 422, json={"max_usages": 1})
    unknown = await shop.call("DELETE", "vouchers/nope/", 404)

    assert refused["error"]["code"] == "api.conflict"
    assert refused["error"]["details"] == {"redeemed": 2}
    assert below["error"]["code"] == "protocol.invalid_payload"
    assert unknown["error"]["code"] == "tickets.not_found"
    assert (await shop.call("GET", f"vouchers/{voucher['id']}/", 200))["redeemed"] == 2


async def test_voucher_writes_need_vouchers_change(api: ApiClient) -> None:
    shop = await Shop.make(api)
    viewer = await shop.token({Permission.VOUCHERS_VIEW})

    refused = await shop.call("POST", "vouchers/", 403, headers=viewer, json={})

    assert refused["error"]["details"] == {"permission": "vouchers.change"}

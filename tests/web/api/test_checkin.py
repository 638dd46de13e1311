"""Check-in over /api/v1: lists and their status, and pretix's redeem answers (201 ok, 400 with a
reason, 404 invalid) with a ``checkin.created`` webhook call for each new check-in."""

from __future__ import annotations

from typing import Any

from catalog.tickets.permissions import Permission
from tests.web.api.api_client import ApiClient
from tests.web.api.ticket_shop import Shop

HOOK = {"target_url": "https://example.com/hook", "action_types": ["checkin.created"]}


async def redeem(shop: Shop, status: int, **body: Any) -> Any:
    return await shop.call(
        "POST", f"/organizers/{shop.org}/checkinrpc/redeem/", status, root=True, json=body
    )


async def test_lists_are_created_shown_changed_and_listed(any_api: ApiClient) -> None:
    shop = await Shop.make(any_api)

    made = await shop.call(
        "POST",
        "checkinlists/",
        201,
        json={"name": "Door", "all_products": False, "limit_products": [shop.product]},
    )
    changed = await shop.call(
        "PATCH",
        f"checkinlists/{made['id']}/",
        200,
        json={"name": "Main door", "allow_multiple_entries": True},
    )
    shown = await shop.call("GET", f"checkinlists/{made['id']}/", 200)
    listed = await shop.call("GET", "checkinlists/", 200)
    unknown = await shop.call("GET", "checkinlists/nope/", 404)
    bad_product = await shop.call(
        "POST", "checkinlists/", 422, json={"name": "X", "limit_products": ["nope"]}
    )

    assert made.pop("created_at").endswith("Z")
    assert made == {
        "id": made["id"],
        "name": "Door",
        "all_products": False,
        "limit_products": [shop.product],
        "include_pending": False,
        "allow_multiple_entries": False,
        "allow_entry_after_exit": True,
        "online": False,
    }
    assert changed["name"] == "Main door"
    assert changed["allow_multiple_entries"] is True
    assert shown == changed
    assert listed["count"] == 1
    assert listed["results"] == [changed]
    assert unknown["error"]["code"] == "tickets.unknown_list"
    assert bad_product["error"]["code"] == "protocol.invalid_payload"


async def test_redeem_answers_like_pretix(any_api: ApiClient) -> None:
    shop = await Shop.make(any_api)
    door = await shop.call("POST", "checkinlists/", 201, json={"name": "Door"})
    hook = await shop.call("POST", f"/organizers/{shop.org}/webhooks/", 201, root=True, json=HOOK)
    paid = await shop.paid_order(1)
    pending = await shop.order(1)
    secret = paid["positions"][0]["secret"]

    entered = await redeem(shop, 201, secret=secret, lists=[door["id"]], nonce="n1")
    replayed = await redeem(shop, 201, secret=secret, lists=[door["id"]], nonce="n1")
    twice = await redeem(shop, 400, secret=secret, lists=[door["id"]])
    unpaid = await redeem(shop, 400, secret=pending["positions"][0]["secret"], lists=[door["id"]])
    unknown = await redeem(shop, 404, secret="no-such-ticket", lists=[door["id"]])
    left = await redeem(shop, 201, secret=secret, lists=[door["id"]], type="exit")
    status = await shop.call("GET", f"checkinlists/{door['id']}/status/", 200)
    calls = await shop.call(
        "GET", f"/organizers/{shop.org}/webhooks/{hook['id']}/calls/", 200, root=True
    )

    position = {
        "id": paid["positions"][0]["id"],
        "order": paid["code"],
        "product": shop.product,
        "attendee_name": None,
        "secret": secret,
    }
    the_list = {"id": door["id"], "name": "Door", "event": "conf"}
    assert entered == {
        "status": "ok",
        "reason": None,
        "reason_explanation": None,
        "position": position,
        "list": the_list,
    }
    assert replayed == entered
    assert twice == {
        "status": "error",
        "reason": "already_redeemed",
        "reason_explanation": "This ticket has already been used to enter here",
        "position": position,
        "list": the_list,
    }
    assert unpaid["reason"] == "unpaid"
    assert unknown == {
        "status": "error",
        "reason": "invalid",
        "reason_explanation": "This ticket is not known",
        "position": None,
        "list": the_list,
    }
    assert left["status"] == "ok"
    assert status == {
        "position_count": 1,
        "checkin_count": 1,
        "inside_count": 0,
        "products": [
            {
                "id": shop.product,
                "name": "T",
                "position_count": 1,
                "checkin_count": 1,
                "inside_count": 0,
            }
        ],
    }
    # One call per new check-in (entry, exit); the replayed scan made none.
    assert calls["count"] == 2
    payloads = [call["payload"] for call in reversed(calls["results"])]
    assert [p["action"] for p in payloads] == ["checkin.created", "checkin.created"]
    assert {k: payloads[0][k] for k in ("code", "orderposition_id", "checkin_list", "event")} == {
        "code": paid["code"],
        "orderposition_id": position["id"],
        "checkin_list": door["id"],
        "event": "conf",
    }


async def test_redeem_refuses_lists_it_does_not_know(api: ApiClient) -> None:
    shop = await Shop.make(api)
    elsewhere = await Shop.make(api)
    theirs = await elsewhere.call("POST", "checkinlists/", 201, json={"name": "Theirs"})

    unknown = await redeem(shop, 404, secret="x", lists=["nope", theirs["id"]])
    none = await redeem(shop, 422, secret="x", lists=[])

    assert unknown["error"] == {
        "code": "tickets.unknown_list",
        "message": "No such check-in list in this event",
        "details": {"list_ids": ["nope", theirs["id"]]},
    }
    assert none["error"]["code"] == "protocol.invalid_payload"


async def test_redeem_takes_lists_of_several_events(any_api: ApiClient) -> None:
    first = await Shop.make(any_api)
    second = await Shop.make(any_api, org=first.org, event="conf2")
    door_one = await first.call("POST", "checkinlists/", 201, json={"name": "One"})
    door_two = await second.call("POST", "checkinlists/", 201, json={"name": "Two"})
    paid = await second.paid_order(1)

    entered = await redeem(
        first, 201, secret=paid["positions"][0]["secret"], lists=[door_one["id"], door_two["id"]]
    )

    assert entered["list"] == {"id": door_two["id"], "name": "Two", "event": "conf2"}
    assert entered["position"]["order"] == paid["code"]


async def test_checkin_needs_the_checkin_permission(api: ApiClient) -> None:
    shop = await Shop.make(api)
    door = await shop.call("POST", "checkinlists/", 201, json={"name": "Door"})
    orders_only = await shop.token({Permission.ORDERS_VIEW})
    scanner = await shop.token({Permission.CHECKIN})

    lists = await shop.call("GET", "checkinlists/", 403, headers=orders_only)
    scan = await shop.call(
        "POST",
        f"/organizers/{shop.org}/checkinrpc/redeem/",
        403,
        root=True,
        headers=orders_only,
        json={"secret": "x", "lists": [door["id"]]},
    )
    allowed = await shop.call(
        "POST",
        f"/organizers/{shop.org}/checkinrpc/redeem/",
        404,
        root=True,
        headers=scanner,
        json={"secret": "x", "lists": [door["id"]]},
    )

    assert lists["error"]["details"] == {"permission": "checkin"}
    assert scan["error"]["details"] == {"permission": "checkin"}
    assert allowed["reason"] == "invalid"

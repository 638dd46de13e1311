"""Webhooks over /api/v1: an organizer's hooks (create, show, change, delete) and their delivery
log, filled by order changes made through the API."""

from __future__ import annotations

from catalog.tickets.permissions import Permission
from tests.web.api.api_client import ApiClient
from tests.web.api.ticket_shop import Shop


async def test_webhooks_are_managed_and_log_their_calls(any_api: ApiClient) -> None:
    shop = await Shop.make(any_api)
    hooks = f"/organizers/{shop.org}/webhooks/"

    made = await shop.call(
        "POST",
        hooks,
        201,
        root=True,
        json={
            "target_url": "https://example.com/hook",
            "action_types": ["order.placed", "order.paid"],
        },
    )
    hook = f"{hooks}{made['id']}/"
    paid = await shop.paid_order(1)
    calls = await shop.call("GET", hook + "calls/", 200, root=True, params={"page_size": 1})
    changed = await shop.call(
        "PATCH",
        hook,
        200,
        root=True,
        json={"enabled": False, "all_events": False, "events": ["conf"]},
    )
    listed = await shop.call("GET", hooks, 200, root=True)
    await shop.call("DELETE", hook, 204, root=True)
    gone = await shop.call("GET", hook, 404, root=True)

    assert made.pop("created_at").endswith("Z")
    assert len(made.pop("secret")) == 64
    assert made == {
        "id": made["id"],
        "target_url": "https://example.com/hook",
        "enabled": True,
        "all_events": True,
        "events": [],
        "action_types": ["order.placed", "order.paid"],
    }
    assert calls["count"] == 2
    assert calls["next"] is not None
    newest = calls["results"][0]
    assert (newest["action_type"], newest["state"], newest["attempts"]) == (
        "order.paid",
        "pending",
        0,
    )
    assert newest["payload"]["code"] == paid["code"]
    assert (changed["enabled"], changed["all_events"], changed["events"]) == (
        False,
        False,
        ["conf"],
    )
    assert listed["results"] == [changed]
    assert gone["error"]["code"] == "tickets.webhook_not_found"


async def test_invalid_webhooks_are_refused(api: ApiClient) -> None:
    shop = await Shop.make(api)
    hooks = f"/organizers/{shop.org}/webhooks/"

    bad_url = await shop.call(
        "POST", hooks, 422, root=True, json={"target_url": "ftp://x", "action_types": ["*"]}
    )
    bad_action = await shop.call(
        "POST", hooks, 422, root=True, json={"target_url": "https://x.org", "action_types": ["no"]}
    )
    no_events = await shop.call(
        "POST",
        hooks,
        422,
        root=True,
        json={"target_url": "https://x.org", "action_types": ["*"], "all_events": False},
    )
    unknown = await shop.call("PATCH", hooks + "nope/", 404, root=True, json={"enabled": True})

    assert bad_url["error"]["code"] == "tickets.invalid_webhook"
    assert bad_url["error"]["details"]["field"] == "target_url"
    assert bad_action["error"]["details"]["field"] == "action_types"
    assert no_events["error"]["details"]["field"] == "events"
    assert unknown["error"]["code"] == "tickets.webhook_not_found"


async def test_webhooks_need_organizer_settings(api: ApiClient) -> None:
    shop = await Shop.make(api)
    orders_only = await shop.token({Permission.ORDERS_CHANGE})

    refused = await shop.call(
        "GET", f"/organizers/{shop.org}/webhooks/", 403, root=True, headers=orders_only
    )

    assert refused["error"]["details"] == {"permission": "organizer.settings"}

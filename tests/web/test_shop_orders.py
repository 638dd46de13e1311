"""Checkout, the order page, paying and ticket pages over HTTP (embedded node, demo shop)."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import func, select

from catalog.tickets.tables import orders, ticket_events
from tests.web.test_shop_front import DEMO, FormFields, Shop, shop

__all__ = ["shop"]

ORDER_PATH = re.compile(r"^/shop/demo/democon/order/([A-Z0-9]+)/([0-9a-zA-Z]+)/$")


async def checkout_form(shop: Shop, **fields: str) -> dict[str, str]:
    """A filled checkout form for the cart (one ticket with its add-on unless already filled)."""
    page = await shop.page(f"{DEMO}cart/")
    front = await shop.page(DEMO)  # an empty cart's page has no form
    data = {
        "csrf_token": front.values["csrf_token"],
        "request_nonce": page.values.get("request_nonce", "0123456789abcdef"),
        "email": "ada@example.org",
        "provider": "test",
    }
    for number, name in enumerate(page.named("attendee:"), start=1):
        data[name] = f"Ada {number}"
    return {**data, **fields}


async def place_order(shop: Shop, **fields: str) -> str:
    """Add a ticket with its add-on and check out; answers the order page's path."""
    assert (await shop.add()).status_code == 303
    response = await shop.client.post(f"{DEMO}checkout/", data=await checkout_form(shop, **fields))
    assert response.status_code == 303, response.text
    path = response.headers["location"]
    assert ORDER_PATH.match(path), path
    return path


async def pay(shop: Shop, order_path: str, outcome: str) -> httpx.Response:
    token = (await shop.page(DEMO)).values["csrf_token"]  # one per browser
    return await shop.client.post(
        f"{order_path}pay/",
        data={"csrf_token": token, "provider": "test", "outcome": outcome},
    )


async def demo_orders(shop: Shop) -> int:
    async with shop.services.database.transaction() as session:
        count = await session.scalar(
            select(func.count(orders.c.id))
            .join(ticket_events, ticket_events.c.id == orders.c.event_id)
            .where(ticket_events.c.slug == "demo/democon")
        )
    return int(count or 0)


async def test_checkout_places_a_pending_order_and_shows_its_page(shop: Shop) -> None:
    path = await place_order(shop)

    response = await shop.client.get(path)
    assert response.status_code == 200
    page = response.text
    assert '<dd id="order-status" class="status pending">Awaiting payment</dd>' in page
    assert '<dd id="order-total"><span class="money">40.00 EUR</span></dd>' in page
    assert "No payment yet." in page
    assert ">Pay (succeeds)</button>" in page
    assert ">Pay (fails)</button>" in page
    assert 'Online ticket</strong> for <span class="attendee">Ada 1</span>' in page
    assert "with Workshop seat" in page
    assert "join-link" not in page
    assert "ticket-link" not in page
    cart = await shop.client.get(f"{DEMO}cart/")
    assert "Your cart is empty." in cart.text


async def test_an_unpaid_ticket_page_has_no_qr_code(shop: Shop) -> None:
    path = await place_order(shop)
    code = ORDER_PATH.match(path).group(1)  # type: ignore[union-attr]
    async with shop.services.database.transaction() as session:
        event_id = await session.scalar(
            select(ticket_events.c.id).where(ticket_events.c.slug == "demo/democon")
        )
    order = await shop.services.tickets.orders.find(str(event_id), code)
    ticket = next(p for p in order["positions"] if p["addon_to"] is None)
    addon = next(p for p in order["positions"] if p["addon_to"] is not None)

    page = await shop.client.get(f"{path}tickets/{ticket['id']}/")
    addon_page = await shop.client.get(f"{path}tickets/{addon['id']}/")

    assert page.status_code == 200
    assert "This ticket becomes valid once the order is paid." in page.text
    assert "<svg" not in page.text
    assert ticket["secret"] not in page.text
    assert addon_page.status_code == 404


async def test_sending_the_checkout_form_twice_makes_one_order(shop: Shop) -> None:
    assert (await shop.add()).status_code == 303
    form = await checkout_form(shop)

    first = await shop.client.post(f"{DEMO}checkout/", data=form)
    second = await shop.client.post(f"{DEMO}checkout/", data=form)

    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert await demo_orders(shop) == 1


async def test_checking_out_an_empty_cart_says_so(shop: Shop) -> None:
    never_filled = await shop.client.post(f"{DEMO}checkout/", data=await checkout_form(shop))
    assert (await shop.add()).status_code == 303
    cart = await shop.page(f"{DEMO}cart/")
    for position in cart.named("position")[:1]:  # the ticket; its add-on goes with it
        await shop.client.post(
            f"{DEMO}cart/remove/",
            data={"csrf_token": cart.values["csrf_token"], "position": cart.values[position]},
        )
    emptied = await shop.client.post(f"{DEMO}checkout/", data=await checkout_form(shop))

    for response in (never_filled, emptied):
        assert response.status_code == 404
        assert "Your cart is empty or has expired." in response.text
    assert await demo_orders(shop) == 0


async def test_checkout_asks_for_what_is_missing(shop: Shop) -> None:
    assert (await shop.add()).status_code == 303
    form = await checkout_form(shop, email="not-an-address", provider="cash")
    attendee = next(name for name in form if name.startswith("attendee:"))
    form[attendee] = " "

    response = await shop.client.post(f"{DEMO}checkout/", data=form)

    assert response.status_code == 422
    for problem in (
        "Please enter a valid email address.",
        "Please choose a payment method.",
        "Please enter the name of attendee 1 (Online ticket).",
    ):
        assert problem in response.text
    assert FormFields(response.text).values["email"] == "not-an-address"
    assert await demo_orders(shop) == 0


async def test_checkout_without_csrf_token_is_refused(shop: Shop) -> None:
    assert (await shop.add()).status_code == 303
    form = await checkout_form(shop)
    del form["csrf_token"]

    response = await shop.client.post(f"{DEMO}checkout/", data=form)

    assert response.status_code == 403
    assert await demo_orders(shop) == 0


async def test_paying_with_the_test_provider_shows_tickets_and_join_links(shop: Shop) -> None:
    path = await place_order(shop)

    response = await pay(shop, path, "succeed")

    assert response.status_code == 303
    assert response.headers["location"] == path
    page = (await shop.client.get(path)).text
    assert '<dd id="order-status" class="status paid">Paid</dd>' in page
    assert "Payment 1 by Test payment (no money moves): " in page
    assert "received" in page
    assert ">Pay (succeeds)</button>" not in page
    [join] = re.findall(r'class="join-link" href="([^"]+)"', page)
    assert join.startswith("/join#event=demo/democon&amp;token=ey")
    [ticket] = re.findall(r'class="ticket-link" href="([^"]+)"', page)
    assert ticket.startswith(f"{path}tickets/")

    ticket_page = await shop.client.get(ticket)
    assert ticket_page.status_code == 200
    assert '<dd id="attendee">Ada 1</dd>' in ticket_page.text
    assert '<svg width="' in ticket_page.text
    assert "<title>Ticket QR code for Ada 1</title>" in ticket_page.text

    again = await pay(shop, path, "succeed")  # a second click lands on the paid order
    assert again.headers["location"] == path


async def test_a_failed_payment_shows_a_message_and_the_order_stays_payable(shop: Shop) -> None:
    path = await place_order(shop)

    response = await pay(shop, path, "fail")

    assert response.status_code == 303
    assert response.headers["location"] == f"{path}?payment=failed"
    page = (await shop.client.get(response.headers["location"])).text
    assert "The payment did not go through and nothing was charged." in page
    assert "Awaiting payment" in page
    assert "failed (nothing was charged)" in page
    assert ">Pay (succeeds)</button>" in page
    assert (await pay(shop, path, "succeed")).headers["location"] == path
    assert "status paid" in (await shop.client.get(path)).text


async def test_bank_transfer_shows_the_instructions_and_a_pending_payment(shop: Shop) -> None:
    path = await place_order(shop, provider="bank_transfer")
    code = ORDER_PATH.match(path).group(1)  # type: ignore[union-attr]

    page = (await shop.client.get(path)).text

    assert f"Please transfer 40.00 EUR with the reference {code}" in page
    assert "Payment 1 by Bank transfer: " in page
    assert "waiting for the money to arrive" in page


async def test_a_wrong_secret_or_unknown_ticket_is_a_404(shop: Shop) -> None:
    path = await place_order(shop)
    code, secret = ORDER_PATH.match(path).groups()  # type: ignore[union-attr]
    wrong = f"{DEMO}order/{code}/{'x' * len(secret)}/"
    page = await shop.page(path)

    responses = [
        await shop.client.get(wrong),
        await shop.client.get(f"{wrong}tickets/whatever/"),
        await shop.client.get(f"{DEMO}order/NOSUCH/{secret}/"),
        await shop.client.get(f"{path}tickets/{'0' * 32}/"),
        await shop.client.post(
            f"{wrong}pay/",
            data={
                "csrf_token": page.values["csrf_token"],
                "provider": "test",
                "outcome": "succeed",
            },
        ),
    ]

    for response in responses:
        assert response.status_code == 404
        assert "does not exist" in response.text
    assert "Awaiting payment" in (await shop.client.get(path)).text

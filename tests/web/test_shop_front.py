"""The shop front and the cart over HTTP (embedded node, demo shop and small shops of the
tests' own): availability, adding with add-ons and vouchers, CSRF, errors as pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from catalog.tickets import OrderStatus
from catalog.tickets.tables import ticket_events
from core.clock import utc_now
from tests.catalog.ticket_rows import make_cart, make_event, make_order, make_product, make_quota
from tests.web.test_app import embedded_settings, running_client
from web.app import create_app
from web.services import Services

DEMO = "/shop/demo/democon/"


class FormFields(HTMLParser):
    """The inputs, selects and options of a page, by name (first value wins)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.names: list[str] = []
        self.options: dict[str, list[str]] = {}
        self._select: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag in ("input", "select") and "name" in found:
            self.names.append(found["name"])
            self.values.setdefault(found["name"], found.get("value", ""))
        if tag == "select":
            self._select = found.get("name")
            self.options[found.get("name", "")] = []
        if tag == "option" and self._select is not None:
            self.options[self._select].append(found.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None

    def named(self, prefix: str) -> list[str]:
        return [name for name in self.names if name.startswith(prefix)]


@dataclass
class Shop:
    """A running node with the demo shop, and an HTTP client with its own cookies."""

    client: httpx.AsyncClient
    app: Starlette
    pages: dict[str, str] = field(default_factory=dict)

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services

    async def page(self, path: str) -> FormFields:
        response = await self.client.get(path)
        assert response.status_code == 200, response.text
        return FormFields(response.text)

    async def add(self, path: str = DEMO, *, addon: bool = True, **extra: str) -> httpx.Response:
        """Add one of the first listed ticket (with its first add-on) to the cart."""
        form = await self.page(path)
        data = {"csrf_token": form.values["csrf_token"], form.named("qty:")[0]: "1", **extra}
        if addon:
            [addon_field] = form.named("addon:")
            data[addon_field] = next(v for v in form.options[addon_field] if v)
        return await self.client.post(path, data=data)


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[Shop]:
    app = create_app(embedded_settings(tmp_path))
    async with running_client(app) as client:
        yield Shop(client, app)


async def small_shop(shop: Shop, size: int, *, sold: int = 0, in_carts: int = 0) -> str:
    """A shop of one 25.00 ticket in a quota of ``size``; answers its path."""
    async with shop.services.database.transaction() as session:
        event_id = await make_event(session)
        product_id = await make_product(session, event_id)
        await make_quota(session, event_id, size, [(product_id, None)])
        for _ in range(sold):
            await make_order(session, event_id, OrderStatus.PAID, [(product_id, None)])
        if in_carts:
            later = utc_now() + timedelta(minutes=20)
            await make_cart(session, event_id, later, [(product_id, None)] * in_carts)
        slug = await session.scalar(
            select(ticket_events.c.slug).where(ticket_events.c.id == event_id)
        )
    return f"/shop/{slug}/"


async def test_front_lists_products_with_prices_addons_and_availability(shop: Shop) -> None:
    response = await shop.client.get(DEMO)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    page = response.text
    for text in (
        "<h1>Tickets for DemoCon</h1>",
        "Online ticket",
        "25.00 EUR",
        "Workshop seat (+15.00 EUR)",
        "Supporter ticket",
        '<th scope="row">Standard</th>',
        '<th scope="row">Patron</th>',
        "100.00 EUR",
        'name="voucher"',
    ):
        assert text in page
    assert page.count('<td class="availability">Available</td>') == 3
    fields = FormFields(page)
    assert len(fields.named("qty:")) == 3
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("csrf=")
    assert "HttpOnly" in cookie
    assert "Path=/;" in cookie  # one CSRF cookie for the shop and the talk pages
    assert "SameSite=lax" in cookie


async def test_unknown_event_is_a_404_page(shop: Shop) -> None:
    for path in ("/shop/nobody/nothing/", "/shop/nobody/nothing/cart/"):
        response = await shop.client.get(path)
        assert response.status_code == 404
        assert "This shop does not exist" in response.text


async def test_adding_a_ticket_with_addon_and_voucher_fills_the_cart(shop: Shop) -> None:
    response = await shop.add(voucher=" demo50 ")

    assert response.status_code == 303
    assert response.headers["location"] == f"{DEMO}cart/"
    cart_cookie = response.headers["set-cookie"]
    assert cart_cookie.startswith("shop_cart=")
    assert "HttpOnly" in cart_cookie
    assert "Path=/shop/demo/democon/" in cart_cookie
    assert "SameSite=lax" in cart_cookie
    cart = await shop.client.get(f"{DEMO}cart/")
    assert cart.status_code == 200
    assert "Online ticket <small>(voucher DEMO50)</small>" in cart.text
    assert "12.50 EUR" in cart.text
    assert "Workshop seat" in cart.text
    assert '<td id="cart-total"><span class="money">27.50 EUR</span></td>' in cart.text
    assert "Reserved for you until" in cart.text
    fields = FormFields(cart.text)
    assert len(fields.named("attendee:")) == 1  # the add-on needs no attendee
    assert len(fields.named("position")) == 2


async def test_removing_a_ticket_removes_its_addon(shop: Shop) -> None:
    await shop.add()
    fields = await shop.page(f"{DEMO}cart/")

    response = await shop.client.post(
        f"{DEMO}cart/remove/",
        data={"csrf_token": fields.values["csrf_token"], "position": fields.values["position"]},
    )

    assert response.status_code == 303
    cart = await shop.client.get(f"{DEMO}cart/")
    assert "Your cart is empty." in cart.text


async def test_a_form_without_its_csrf_token_is_refused(shop: Shop) -> None:
    fields = await shop.page(DEMO)
    quantity = fields.named("qty:")[0]

    missing = await shop.client.post(DEMO, data={quantity: "1"})
    forged = await shop.client.post(DEMO, data={quantity: "1", "csrf_token": "0" * 64})
    shop.client.cookies.clear()
    without_cookie = await shop.client.post(
        DEMO, data={quantity: "1", "csrf_token": fields.values["csrf_token"]}
    )

    for response in (missing, forged, without_cookie):
        assert response.status_code == 403
        assert "This form could not be accepted" in response.text
        assert "shop_cart" not in response.headers.get("set-cookie", "")
    cart = await shop.client.get(f"{DEMO}cart/")
    assert "Your cart is empty." in cart.text


async def test_a_bad_voucher_shows_why_and_keeps_the_choice(shop: Shop) -> None:
    response = await shop.add(voucher="NOPE")

    assert response.status_code == 409
    assert "This voucher code is not valid for this event." in response.text
    fields = FormFields(response.text)
    assert fields.values[fields.named("qty:")[0]] == "1"
    assert fields.values["voucher"] == "NOPE"


async def test_choosing_nothing_asks_for_a_ticket(shop: Shop) -> None:
    fields = await shop.page(DEMO)

    response = await shop.client.post(DEMO, data={"csrf_token": fields.values["csrf_token"]})

    assert response.status_code == 422
    assert "Please choose at least one ticket." in response.text


async def test_a_sold_out_ticket_says_so_and_cannot_be_added(shop: Shop) -> None:
    path = await small_shop(shop, 1, sold=1)
    page = await shop.client.get(path)
    assert '<td class="availability">Sold out</td>' in page.text
    assert 'name="qty:' not in page.text

    fields = FormFields(page.text)
    product_key = page.text.split('id="product-', 1)[1].split('"', 1)[0]
    response = await shop.client.post(
        path, data={"csrf_token": fields.values["csrf_token"], f"qty:{product_key}:": "1"}
    )

    assert response.status_code == 409
    assert "Not enough tickets left: Ticket (sold out)." in response.text


async def test_few_left_and_reserved_tickets_are_labelled(shop: Shop) -> None:
    few = await small_shop(shop, 5, sold=1, in_carts=1)
    reserved = await small_shop(shop, 2, sold=1, in_carts=1)

    few_page = (await shop.client.get(few)).text
    reserved_page = (await shop.client.get(reserved)).text

    assert '<td class="availability">3 left</td>' in few_page
    assert 'max="3"' in few_page
    assert '<td class="availability">Reserved, may come back</td>' in reserved_page

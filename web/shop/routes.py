"""The shop's routes; ``web.app`` adds them to the node's."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from web.shop import cart, front, order

_EVENT = "/shop/{organizer}/{event}"
_ORDER = f"{_EVENT}/order/{{code}}/{{secret}}"

routes: list[BaseRoute] = [
    Route(f"{_EVENT}/", front.front_page, methods=["GET"]),
    Route(f"{_EVENT}/", front.add_to_cart, methods=["POST"]),
    Route(f"{_EVENT}/cart/", cart.cart_page, methods=["GET"]),
    Route(f"{_EVENT}/cart/remove/", cart.remove_from_cart, methods=["POST"]),
    Route(f"{_EVENT}/checkout/", cart.checkout, methods=["POST"]),
    Route(f"{_ORDER}/", order.order_page, methods=["GET"]),
    Route(f"{_ORDER}/pay/", order.pay, methods=["POST"]),
    Route(f"{_ORDER}/tickets/{{position}}/", order.ticket_page, methods=["GET"]),
]

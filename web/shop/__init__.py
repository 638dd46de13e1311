"""The server-rendered ticket shop under ``/shop/<organizer>/<event>/``: products, cart, checkout,
order and ticket pages. It reads the catalog and changes it only through the ticket services."""

from web.shop.routes import routes

__all__ = ["routes"]

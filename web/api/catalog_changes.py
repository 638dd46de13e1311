"""Telling an event's inventory, once the API's transaction committed, that the catalog or its
capacity changed, so that its actor reads the catalog again before its next decision."""

from __future__ import annotations

from web.api.call import ApiCall
from web.services import Services


def tell_inventory_after_commit(call: ApiCall) -> None:
    """Queue the tell on ``call``; nothing is told when the transaction rolls back."""
    services: Services = call.request.app.state.services
    event_id = call.event.id
    call.after_commit(lambda: services.tickets.inventory.capacity_freed(event_id))

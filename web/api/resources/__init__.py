"""The REST resources; importing this package registers every endpoint with ``web.api.registry``."""

from web.api.resources import (
    categories,
    events,
    organizers,
    products,
    quotas,
    variations,
    vouchers,
)

__all__ = ["categories", "events", "organizers", "products", "quotas", "variations", "vouchers"]

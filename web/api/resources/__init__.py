"""The REST resources; importing this package registers every endpoint with ``web.api.registry``."""

from web.api.resources import (
    categories,
    checkin,
    events,
    order_actions,
    orders,
    organizers,
    products,
    quotas,
    talk_reviews,
    talk_rooms,
    talk_schedules,
    talk_submissions,
    variations,
    vouchers,
    webhooks,
)

__all__ = [
    "categories",
    "checkin",
    "events",
    "order_actions",
    "orders",
    "organizers",
    "products",
    "quotas",
    "talk_reviews",
    "talk_rooms",
    "talk_schedules",
    "talk_submissions",
    "variations",
    "vouchers",
    "webhooks",
]

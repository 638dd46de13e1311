"""Tables of what the tickets catalog sends out: webhooks with their delivery log, and emails.
Both are outboxes written in the transaction that caused them and delivered afterwards with
retries; they mirror migration 0006.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from core.database import Base, UtcDateTime
from core.outbox import delivery_state_columns

metadata = Base.metadata


# ``action_types`` lists what the hook receives (``order.placed``, ``order.paid``, ...);
# ``events`` the event slugs when not ``all_events``.
webhooks = Table(
    "ticket_webhooks",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("organizer_id", String(32), ForeignKey("ticket_organizers.id"), nullable=False),
    Column("target_url", String(1000), nullable=False),
    Column("secret", String(64), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("all_events", Boolean, nullable=False),
    Column("events", JSON, nullable=False),
    Column("action_types", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# One call of a webhook and the log of its attempts (``last_status``: the HTTP status seen).
webhook_calls = Table(
    "ticket_webhook_calls",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("webhook_id", String(32), ForeignKey("ticket_webhooks.id"), nullable=False, index=True),
    Column("action_type", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("last_status", Integer, nullable=True),
    Column("last_response", Text, nullable=True),
    *delivery_state_columns(),
    Index("ix_ticket_webhook_calls_due", "state", "next_attempt_at"),
)

# ``kind``: order_placed, order_paid, payment_reminder, order_canceled, ...
emails = Table(
    "ticket_emails",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("event_id", String(32), ForeignKey("ticket_events.id"), nullable=True),
    Column("order_id", String(32), ForeignKey("ticket_orders.id"), nullable=True, index=True),
    Column("kind", String(32), nullable=False),
    Column("recipient", String(254), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("body", Text, nullable=False),
    *delivery_state_columns(),
    Index("ix_ticket_emails_due", "state", "next_attempt_at"),
)

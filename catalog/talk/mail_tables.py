"""The talk catalog's email outbox table; it mirrors migration 0009. Queuing and sending are
``catalog.talk.mail``'s.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table

from core.database import Base
from core.outbox import delivery_state_columns

# ``kind``: talk_scheduled, talk_moved, talk_canceled, cospeaker_invitation, ...; ``context``:
# the template's values (JSON), rendered when sent, with the platform's address for links.
talk_emails = Table(
    "talk_emails",
    Base.metadata,
    Column("id", String(32), primary_key=True),
    Column("event_id", String(32), ForeignKey("talk_events.id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("recipient", String(254), nullable=False),
    Column("context", JSON, nullable=False),
    *delivery_state_columns(),
    Index("ix_talk_emails_due", "state", "next_attempt_at"),
)

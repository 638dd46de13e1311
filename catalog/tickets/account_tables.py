"""Tables of who may manage the tickets catalog: organizer accounts, their sessions, teams with
permissions, API tokens and the idempotency keys of API writes; they mirror migration 0006.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
)

from core.database import Base, UtcDateTime

metadata = Base.metadata

# ``password_hash`` is an argon2 hash; the password itself is never stored.
accounts = Table(
    "ticket_accounts",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# A browser login; the cookie carries the token, the table only its SHA-256.
account_sessions = Table(
    "ticket_account_sessions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("account_id", String(32), ForeignKey("ticket_accounts.id"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
)

# ``permissions``: a list of permission names; ``all_events`` or the events in ``team_events``.
teams = Table(
    "ticket_teams",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("organizer_id", String(32), ForeignKey("ticket_organizers.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("all_events", Boolean, nullable=False),
    Column("permissions", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

team_events = Table(
    "ticket_team_events",
    metadata,
    Column("team_id", String(32), ForeignKey("ticket_teams.id"), primary_key=True),
    Column("event_id", String(32), ForeignKey("ticket_events.id"), primary_key=True),
)

team_members = Table(
    "ticket_team_members",
    metadata,
    Column("team_id", String(32), ForeignKey("ticket_teams.id"), primary_key=True),
    Column("account_id", String(32), ForeignKey("ticket_accounts.id"), primary_key=True),
)

# An API token acts with its team's permissions; only the SHA-256 of the token is stored.
api_tokens = Table(
    "ticket_api_tokens",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("team_id", String(32), ForeignKey("ticket_teams.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# The answer to an API write sent with an ``Idempotency-Key``: a repeat gets the same answer.
# ``status`` is None while the first request is still running.
idempotency_keys = Table(
    "ticket_idempotency_keys",
    metadata,
    Column("scope", String(64), primary_key=True),  # who sent it (token or session id)
    Column("key", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status", Integer, nullable=True),
    Column("body", Text, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

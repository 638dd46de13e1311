"""Tables of the live core (events, rooms, users, chat, announcements, invites, audit log); they
mirror migrations 0002 to 0004. Queries live in the services that own each table.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from core.database import Base, UtcDateTime

metadata = Base.metadata


def _created() -> Column[object]:
    return Column("created_at", DateTime(timezone=True), nullable=False)


events = Table(
    "events",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("slug", String(101), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("config", JSON, nullable=False),
    Column("roles", JSON, nullable=True),
    Column("trait_grants", JSON, nullable=True),
    Column("version", Integer, nullable=False),
    _created(),
)

rooms = Table(
    "rooms",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("event_id", String(32), ForeignKey("events.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("sort_key", Integer, nullable=False),
    Column("modules", JSON, nullable=False),
    Column("trait_grants", JSON, nullable=False),
    Column("deleted", Boolean, nullable=False),
    _created(),
)

users = Table(
    "users",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("event_id", String(32), ForeignKey("events.id"), nullable=False),
    Column("token_uid", String(200), nullable=True),
    Column("client_id", String(64), nullable=True),
    Column("kind", String(16), nullable=False),
    Column("display_name", String(100), nullable=False),
    Column("profile", JSON, nullable=False),
    Column("traits", JSON, nullable=False),
    Column("moderation", String(16), nullable=False),
    _created(),
    Column("last_login", DateTime(timezone=True), nullable=True),
    UniqueConstraint("event_id", "token_uid", name="uq_users_event_token_uid"),
    UniqueConstraint("event_id", "client_id", name="uq_users_event_client_id"),
)

grants = Table(
    "grants",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(32), ForeignKey("events.id"), nullable=False),
    Column("user_id", String(32), ForeignKey("users.id"), nullable=False, index=True),
    Column("room_id", String(32), ForeignKey("rooms.id"), nullable=True),
    Column("role", String(64), nullable=False),
)

channels = Table(
    "channels",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("event_id", String(32), ForeignKey("events.id"), nullable=False),
    Column("room_id", String(32), ForeignKey("rooms.id"), nullable=True, unique=True),
    _created(),
    # Direct channels only: a digest of the sorted member ids, one channel per member set.
    Column("direct_key", String(64), nullable=True),
    Index("ix_channels_event_direct_key", "event_id", "direct_key", unique=True),
)

channel_members = Table(
    "channel_members",
    metadata,
    Column("channel_id", String(32), ForeignKey("channels.id"), primary_key=True),
    Column("user_id", String(32), ForeignKey("users.id"), primary_key=True, index=True),
    Column("hidden", Boolean, nullable=False),
)

chat_events = Table(
    "chat_events",
    metadata,
    Column("channel_id", String(32), ForeignKey("channels.id"), primary_key=True),
    Column("event_id", BigInteger, primary_key=True, autoincrement=False),
    Column("sender_id", String(32), nullable=True),
    Column("timestamp", DateTime(timezone=True), nullable=False),
    Column("type", String(32), nullable=False),
    Column("content", JSON, nullable=False),
    Column("replaces", BigInteger, nullable=True),
    Column("edited", DateTime(timezone=True), nullable=True),
)

chat_reactions = Table(
    "chat_reactions",
    metadata,
    Column("channel_id", String(32), ForeignKey("channels.id"), primary_key=True),
    Column("event_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user_id", String(32), ForeignKey("users.id"), primary_key=True),
    Column("reaction", String(32), primary_key=True),
)

# Mentions of joined members and direct messages; rows up to the read pointer are deleted.
chat_notifications = Table(
    "chat_notifications",
    metadata,
    Column("user_id", String(32), ForeignKey("users.id"), primary_key=True),
    Column("channel_id", String(32), ForeignKey("channels.id"), primary_key=True),
    Column("event_id", BigInteger, primary_key=True, autoincrement=False),
)

# ``user_id`` does not want to hear from ``blocked_id``: no direct channel holds both.
user_blocks = Table(
    "user_blocks",
    metadata,
    Column("user_id", String(32), ForeignKey("users.id"), primary_key=True),
    Column("blocked_id", String(32), ForeignKey("users.id"), primary_key=True),
)

read_pointers = Table(
    "read_pointers",
    metadata,
    Column("user_id", String(32), ForeignKey("users.id"), primary_key=True),
    Column("channel_id", String(32), ForeignKey("channels.id"), primary_key=True),
    Column("event_id", BigInteger, nullable=False),
)

announcements = Table(
    "announcements",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("event_id", String(32), ForeignKey("events.id"), nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("show_until", DateTime(timezone=True), nullable=True),
    _created(),
)

# Anonymous invites to one room; ``code`` is what invitees connect with.
invites = Table(
    "invites",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("event_id", String(32), ForeignKey("events.id"), nullable=False),
    Column("room_id", String(32), ForeignKey("rooms.id"), nullable=False, index=True),
    Column("created_by", String(32), nullable=True),
    _created(),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(32), ForeignKey("events.id"), nullable=False, index=True),
    Column("timestamp", DateTime(timezone=True), nullable=False),
    Column("user_id", String(32), nullable=True),
    Column("type", String(64), nullable=False),
    Column("data", JSON, nullable=False),
)

# A room's timeline as the schedule last published it (``slots``: TimelineSlot wire forms);
# ``version`` names the schedule version it came from.
room_timelines = Table(
    "room_timelines",
    metadata,
    Column("room_id", String(32), ForeignKey("rooms.id"), primary_key=True),
    Column("slots", JSON, nullable=False),
    Column("version", String(200), nullable=True),
    Column("updated_at", UtcDateTime(), nullable=False),
)

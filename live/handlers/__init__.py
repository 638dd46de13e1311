"""One module per protocol namespace; importing this package registers every command."""

from live.handlers import (
    announcement,
    blocks,
    chat,
    chat_direct,
    chat_messages,
    grants,
    invite,
    moderation,
    room,
    room_config,
    user,
)

__all__ = [
    "announcement",
    "blocks",
    "chat",
    "chat_direct",
    "chat_messages",
    "grants",
    "invite",
    "moderation",
    "room",
    "room_config",
    "user",
]

"""One module per protocol namespace; importing this package registers every command."""

from live.handlers import (
    announcement,
    chat,
    chat_direct,
    chat_messages,
    grants,
    moderation,
    room,
    room_config,
    user,
)

__all__ = [
    "announcement",
    "chat",
    "chat_direct",
    "chat_messages",
    "grants",
    "moderation",
    "room",
    "room_config",
    "user",
]

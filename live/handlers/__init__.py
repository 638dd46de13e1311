"""One module per protocol namespace; importing this package registers every command."""

from live.handlers import announcement, moderation, room, room_config, user

__all__ = ["announcement", "moderation", "room", "room_config", "user"]

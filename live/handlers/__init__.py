"""One module per protocol namespace; importing this package registers every command."""

from live.handlers import room, room_config, user

__all__ = ["room", "room_config", "user"]

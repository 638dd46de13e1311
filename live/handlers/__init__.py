"""One module per protocol namespace; importing this package registers every command."""

from live.handlers import room, user

__all__ = ["room", "user"]

"""Names of the fan-out topics of the live core, built in one place."""

from __future__ import annotations


def room(room_id: str) -> str:
    """Everyone in the room."""
    return f"room:{room_id}"


def room_moderators(room_id: str) -> str:
    """Sockets in the room whose user may see the viewer list."""
    return f"room:{room_id}:moderators"


def user(user_id: str) -> str:
    """Every socket of one user."""
    return f"user:{user_id}"


def event(event_id: str) -> str:
    """Every socket connected to the event."""
    return f"event:{event_id}"


def channel(channel_id: str) -> str:
    """Every socket subscribed to one chat channel."""
    return f"channel:{channel_id}"

"""What one socket is shown of its event: the ``authenticated`` greeting and ``event.updated``."""

from __future__ import annotations

from typing import Any

from live.permissions import is_room_permission
from live.session import Session

PROTOCOL_VERSION = 1


def event_view(session: Session) -> dict[str, Any]:
    """The event as this user may see it: rooms they may enter and their permissions."""
    access, event = session.access, session.event
    return {
        "event": {
            "id": event.id,
            "slug": event.slug,
            "title": event.title,
            "timezone": event.timezone,
        },
        "rooms": [access.room_config(room) for room in access.visible_rooms()],
        "permissions": sorted(
            p.value for p in access.event_permissions if not is_room_permission(p)
        ),
    }

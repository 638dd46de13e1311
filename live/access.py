"""What a user may see and do in an event: binds the pure permission rules to events and users."""

from __future__ import annotations

from typing import Any

from live.models import Event, Room, User
from live.permissions import (
    AccessPolicy,
    Permission,
    RoomAccess,
    Subject,
    default_roles,
    default_trait_grants,
    event_permissions,
    room_permissions,
)


def policy_of(event: Event) -> AccessPolicy:
    """The event's roles and trait grants, the defaults where the event sets none."""
    roles = default_roles()
    if event.roles is not None:
        known = {p.value for p in Permission}
        roles = {
            name: frozenset(Permission(p) for p in perms if p in known)
            for name, perms in event.roles.items()
        }
    grants = event.trait_grants if event.trait_grants is not None else default_trait_grants()
    return AccessPolicy(roles=roles, trait_grants=grants)


def subject_of(user: User) -> Subject:
    return Subject(
        traits=user.traits,
        moderation=user.moderation,
        kind=user.kind,
        event_roles=user.event_roles,
        room_roles=user.room_roles,
    )


class Access:
    """One user's permissions in one event, computed once per event version."""

    def __init__(self, event: Event, user: User) -> None:
        self.event = event
        self.user = user
        self._policy = policy_of(event)
        self._subject = subject_of(user)
        self.event_permissions = event_permissions(self._policy, self._subject)
        self._rooms: dict[str, frozenset[Permission]] = {}

    def in_room(self, room: Room) -> frozenset[Permission]:
        found = self._rooms.get(room.id)
        if found is None:
            found = room_permissions(
                self._policy, room.id, RoomAccess(room.trait_grants), self._subject
            )
            self._rooms[room.id] = found
        return found

    def may(self, permission: Permission, room: Room | None = None) -> bool:
        if room is None:
            return permission in self.event_permissions
        return permission in self.in_room(room)

    def visible_rooms(self) -> list[Room]:
        return [room for room in self.event.rooms if Permission.ROOM_VIEW in self.in_room(room)]

    def room_config(self, room: Room) -> dict[str, Any]:
        """The room as this user sees it: modules without secrets, and their room permissions."""
        return {
            "id": room.id,
            "name": room.name,
            "description": room.description,
            "modules": [
                {"type": m.type, "config": _public_config(m.config), "channel": m.channel}
                if m.channel
                else {"type": m.type, "config": _public_config(m.config)}
                for m in room.modules
            ],
            "permissions": sorted(p.value for p in self.in_room(room)),
        }


_SECRET_KEYS = ("secret", "password", "key", "token")


def _public_config(config: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in config.items() if not any(s in k.lower() for s in _SECRET_KEYS)}

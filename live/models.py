"""Frozen views of the live domain that cross module and node boundaries: events, rooms, users."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ModuleType = Literal[
    "livestream.native",
    "chat.native",
    "call.bigbluebutton",
    "call.janus",
    "call.sfu",
    "question",
    "poll",
    "networking.roulette",
    "page.static",
    "page.iframe",
]
Requirement = str | list[str]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Module(Frozen):
    """One module of a room, in display order; ``channel`` is set for ``chat.native``."""

    type: ModuleType
    config: dict[str, Any] = Field(default_factory=dict)
    channel: str | None = None


class Room(Frozen):
    """A room as stored; ``trait_grants`` map role → requirements."""

    id: str
    name: str
    description: str = ""
    sort_key: int = 0
    modules: tuple[Module, ...] = ()
    trait_grants: dict[str, list[Requirement]] = Field(default_factory=dict)


class Event(Frozen):
    """An event with its rooms; ``config`` holds access settings such as guest access."""

    id: str
    slug: str
    title: str
    timezone: str = "UTC"
    config: dict[str, Any] = Field(default_factory=dict)
    roles: dict[str, list[str]] | None = None
    trait_grants: dict[str, list[Requirement]] | None = None
    rooms: tuple[Room, ...] = ()
    version: int = 1

    def room(self, room_id: str) -> Room | None:
        return next((room for room in self.rooms if room.id == room_id), None)

    @property
    def guests_allowed(self) -> bool:
        return bool(self.config.get("guests_allowed", False))

    @property
    def connection_limit(self) -> int:
        return int(self.config.get("connection_limit", 0))


class User(Frozen):
    """A user of one event as the live core sees it."""

    id: str
    event_id: str
    kind: Literal["person", "guest", "anonymous"]
    display_name: str
    profile: dict[str, Any] = Field(default_factory=dict)
    traits: frozenset[str] = frozenset()
    moderation: Literal["", "silenced", "banned"] = ""
    event_roles: frozenset[str] = frozenset()
    room_roles: dict[str, frozenset[str]] = Field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        """What other users may see of this user."""
        return {"id": self.id, "display_name": self.display_name, "profile": self.profile}

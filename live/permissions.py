"""Who may do what: permissions, roles and trait grants, evaluated as a pure function of data.

Holds no state and does no I/O; callers load the policy, room and subject and ask.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

Requirement = str | Sequence[str]
TraitGrants = Mapping[str, Sequence[Requirement]]


class Permission(StrEnum):
    """Every permission; ``event:*`` apply to the whole event, ``room:*`` to one room."""

    EVENT_VIEW = "event:view"
    EVENT_UPDATE = "event:update"
    EVENT_ANNOUNCE = "event:announce"
    EVENT_USERS_LIST = "event:users.list"
    EVENT_USERS_MANAGE = "event:users.manage"
    EVENT_CHAT_DIRECT = "event:chat.direct"
    EVENT_CONNECTIONS_UNLIMITED = "event:connections.unlimited"
    EVENT_ROOMS_CREATE = "event:rooms.create"

    ROOM_VIEW = "room:view"
    ROOM_UPDATE = "room:update"
    ROOM_DELETE = "room:delete"
    ROOM_ANNOUNCE = "room:announce"
    ROOM_VIEWERS = "room:viewers"
    ROOM_CHAT_READ = "room:chat.read"
    ROOM_CHAT_JOIN = "room:chat.join"
    ROOM_CHAT_SEND = "room:chat.send"
    ROOM_CHAT_MODERATE = "room:chat.moderate"
    ROOM_QUESTION_READ = "room:question.read"
    ROOM_QUESTION_ASK = "room:question.ask"
    ROOM_QUESTION_VOTE = "room:question.vote"
    ROOM_QUESTION_MODERATE = "room:question.moderate"
    ROOM_POLL_READ = "room:poll.read"
    ROOM_POLL_VOTE = "room:poll.vote"
    ROOM_POLL_MANAGE = "room:poll.manage"
    ROOM_POLL_EARLY_RESULTS = "room:poll.early_results"
    ROOM_ROULETTE_JOIN = "room:roulette.join"
    ROOM_REACT = "room:react"
    ROOM_MEDIA_JOIN = "room:media.join"
    ROOM_MEDIA_MODERATE = "room:media.moderate"


def is_room_permission(permission: Permission) -> bool:
    """True for permissions that apply to one room (``room:*``)."""
    return permission.value.startswith("room:")


ALL_PERMISSIONS: frozenset[Permission] = frozenset(Permission)
ROOM_PERMISSIONS: frozenset[Permission] = frozenset(p for p in Permission if is_room_permission(p))
EVENT_PERMISSIONS: frozenset[Permission] = ALL_PERMISSIONS - ROOM_PERMISSIONS

# A silenced user keeps read access so they can still follow the event, nothing more.
SILENCED_MAX: frozenset[Permission] = frozenset(
    {
        Permission.EVENT_VIEW,
        Permission.ROOM_VIEW,
        Permission.ROOM_CHAT_READ,
        Permission.ROOM_QUESTION_READ,
        Permission.ROOM_POLL_READ,
    }
)

_VIEWER = SILENCED_MAX
_PARTICIPANT = _VIEWER | {
    Permission.ROOM_CHAT_JOIN,
    Permission.ROOM_CHAT_SEND,
    Permission.ROOM_QUESTION_ASK,
    Permission.ROOM_QUESTION_VOTE,
    Permission.ROOM_POLL_VOTE,
    Permission.ROOM_ROULETTE_JOIN,
    Permission.ROOM_MEDIA_JOIN,
    Permission.ROOM_REACT,
    Permission.EVENT_CHAT_DIRECT,
}
_SPEAKER = _PARTICIPANT | {Permission.ROOM_VIEWERS}
_MODERATOR = _SPEAKER | {
    Permission.ROOM_CHAT_MODERATE,
    Permission.ROOM_QUESTION_MODERATE,
    Permission.ROOM_POLL_MANAGE,
    Permission.ROOM_POLL_EARLY_RESULTS,
    Permission.ROOM_ANNOUNCE,
    Permission.ROOM_MEDIA_MODERATE,
    Permission.EVENT_ANNOUNCE,
    Permission.EVENT_USERS_LIST,
    Permission.EVENT_USERS_MANAGE,
}


_ATTENDEE = frozenset({Permission.EVENT_VIEW, Permission.EVENT_CHAT_DIRECT})

# Anonymous invitees: ``anonymous`` (granted for the event) opens it without any room or direct
# chat; ``invitee`` (granted in the invited room) lets them watch, react, read the chat, and ask
# and vote in Q&A and polls. They never chat.
_ANONYMOUS = frozenset({Permission.EVENT_VIEW})
_INVITEE = (SILENCED_MAX - {Permission.EVENT_VIEW}) | {
    Permission.ROOM_REACT,
    Permission.ROOM_QUESTION_ASK,
    Permission.ROOM_QUESTION_VOTE,
    Permission.ROOM_POLL_VOTE,
}


def default_roles() -> dict[str, frozenset[Permission]]:
    """The roles a new event starts with.

    ``attendee`` opens the event but no room: rooms say who may enter them (by default every
    person, as ``participant``). From ``viewer`` to ``admin`` each role includes the one before;
    roles granted at event level (moderators, admins) apply in every room. ``anonymous`` (for
    the event) and ``invitee`` (for one room) are what an anonymous invite grants.
    """
    return {
        "attendee": _ATTENDEE,
        "viewer": _VIEWER,
        "participant": _PARTICIPANT,
        "speaker": _SPEAKER,
        "moderator": _MODERATOR,
        "admin": ALL_PERMISSIONS,
        "anonymous": _ANONYMOUS,
        "invitee": _INVITEE,
    }


def default_trait_grants() -> dict[str, list[Requirement]]:
    """The trait grants a new event starts with (role → requirements)."""
    return {"attendee": ["attendee"], "moderator": ["moderator"], "admin": ["admin"]}


def default_room_grants() -> dict[str, list[Requirement]]:
    """The trait grants a new room starts with: every person takes part."""
    return {"participant": []}


@dataclass(frozen=True, slots=True)
class AccessPolicy:
    """An event's role definitions and the trait grants that apply in every room."""

    roles: Mapping[str, frozenset[Permission]]
    trait_grants: TraitGrants


def default_policy() -> AccessPolicy:
    """An access policy made of the default roles and trait grants."""
    return AccessPolicy(roles=default_roles(), trait_grants=default_trait_grants())


@dataclass(frozen=True, slots=True)
class RoomAccess:
    """The trait grants of one room, added to the event's."""

    trait_grants: TraitGrants


@dataclass(frozen=True, slots=True)
class Subject:
    """What permissions depend on about a user: traits, moderation, kind and explicit roles."""

    traits: frozenset[str]
    moderation: Literal["", "silenced", "banned"] = ""
    kind: Literal["person", "guest", "anonymous"] = "person"
    event_roles: frozenset[str] = frozenset()
    # room id → roles granted explicitly in that room
    room_roles: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))


def _requirement_met(requirement: Requirement, traits: frozenset[str]) -> bool:
    if isinstance(requirement, str):
        return requirement in traits
    return any(alternative in traits for alternative in requirement)


def grant_matches(requirements: Sequence[Requirement], subject: Subject) -> bool:
    """Whether a subject meets every requirement of one trait grant.

    A requirement is a trait or a list of alternative traits. An empty grant admits people and
    guests but not anonymous users.
    """
    if isinstance(requirements, str):
        # A bare string in stored config means one required trait, not one per character.
        requirements = (requirements,)
    if not requirements:
        return subject.kind != "anonymous"
    return all(_requirement_met(req, subject.traits) for req in requirements)


def granted_roles(trait_grants: TraitGrants, subject: Subject) -> frozenset[str]:
    """The roles a subject receives from a set of trait grants."""
    return frozenset(
        role for role, requirements in trait_grants.items() if grant_matches(requirements, subject)
    )


def role_permissions(policy: AccessPolicy, roles: Iterable[str]) -> frozenset[Permission]:
    """The union of the permissions of the named roles; unknown role names grant nothing."""
    permissions: set[Permission] = set()
    for role in roles:
        permissions.update(policy.roles.get(role, frozenset()))
    return frozenset(permissions)


def _moderated(permissions: frozenset[Permission], subject: Subject) -> frozenset[Permission]:
    if subject.moderation == "banned":
        return frozenset()
    if subject.moderation == "silenced":
        return permissions & SILENCED_MAX
    return permissions


def event_permissions(policy: AccessPolicy, subject: Subject) -> frozenset[Permission]:
    """Everything granted at event level, including room-level permissions (valid in every room)."""
    roles = granted_roles(policy.trait_grants, subject) | subject.event_roles
    return _moderated(role_permissions(policy, roles), subject)


def room_permissions(
    policy: AccessPolicy, room_id: str, room: RoomAccess, subject: Subject
) -> frozenset[Permission]:
    """The room-level permissions a subject holds in one room.

    Event-level grants, the room's trait grants and the subject's roles in this room add up.
    """
    roles = (
        granted_roles(policy.trait_grants, subject)
        | subject.event_roles
        | granted_roles(room.trait_grants, subject)
        | subject.room_roles.get(room_id, frozenset())
    )
    return _moderated(role_permissions(policy, roles) & ROOM_PERMISSIONS, subject)


def can_see_room(policy: AccessPolicy, room_id: str, room: RoomAccess, subject: Subject) -> bool:
    """Whether the room is listed for the subject and may be entered."""
    return Permission.ROOM_VIEW in room_permissions(policy, room_id, room, subject)

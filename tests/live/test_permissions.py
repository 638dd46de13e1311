"""Permissions: role definitions, trait grants, moderation and room-level evaluation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import pytest

from live.permissions import (
    ALL_PERMISSIONS,
    EVENT_PERMISSIONS,
    ROOM_PERMISSIONS,
    SILENCED_MAX,
    AccessPolicy,
    Permission,
    RoomAccess,
    Subject,
    can_see_room,
    default_policy,
    default_roles,
    default_room_grants,
    default_trait_grants,
    event_permissions,
    grant_matches,
    is_room_permission,
    role_permissions,
    room_permissions,
)

P = Permission
ROLES = default_roles()
ROLE_ORDER = ["viewer", "participant", "speaker", "moderator", "admin"]


def make_subject(
    *traits: str,
    moderation: Literal["", "silenced", "banned"] = "",
    kind: Literal["person", "guest", "anonymous"] = "person",
    event_roles: frozenset[str] = frozenset(),
    room_roles: Mapping[str, frozenset[str]] | None = None,
) -> Subject:
    return Subject(
        traits=frozenset(traits),
        moderation=moderation,
        kind=kind,
        event_roles=event_roles,
        room_roles=room_roles or {},
    )


def make_policy(**trait_grants: Sequence[str | Sequence[str]]) -> AccessPolicy:
    return AccessPolicy(roles=default_roles(), trait_grants=trait_grants)


def room_only(permissions: frozenset[Permission]) -> frozenset[Permission]:
    return frozenset(p for p in permissions if is_room_permission(p))


NO_ROOM_GRANTS = RoomAccess(trait_grants={})


# Roles


def test_permissions_split_into_event_and_room_by_prefix() -> None:
    assert {p.value.split(":")[0] for p in EVENT_PERMISSIONS} == {"event"}
    assert {p.value.split(":")[0] for p in ROOM_PERMISSIONS} == {"room"}
    assert EVENT_PERMISSIONS | ROOM_PERMISSIONS == ALL_PERMISSIONS
    assert len(ALL_PERMISSIONS) == 29


def test_viewers_can_only_read() -> None:
    assert ROLES["viewer"] == {
        P.EVENT_VIEW,
        P.ROOM_VIEW,
        P.ROOM_CHAT_READ,
        P.ROOM_QUESTION_READ,
        P.ROOM_POLL_READ,
    }


@pytest.mark.parametrize(
    ("role", "previous", "added"),
    [
        (
            "participant",
            "viewer",
            {
                P.ROOM_CHAT_JOIN,
                P.ROOM_CHAT_SEND,
                P.ROOM_QUESTION_ASK,
                P.ROOM_QUESTION_VOTE,
                P.ROOM_POLL_VOTE,
                P.ROOM_ROULETTE_JOIN,
                P.ROOM_REACT,
                P.ROOM_MEDIA_JOIN,
                P.EVENT_CHAT_DIRECT,
            },
        ),
        ("speaker", "participant", {P.ROOM_VIEWERS}),
        (
            "moderator",
            "speaker",
            {
                P.ROOM_CHAT_MODERATE,
                P.ROOM_QUESTION_MODERATE,
                P.ROOM_POLL_MANAGE,
                P.ROOM_POLL_EARLY_RESULTS,
                P.ROOM_ANNOUNCE,
                P.ROOM_MEDIA_MODERATE,
                P.EVENT_ANNOUNCE,
                P.EVENT_USERS_LIST,
                P.EVENT_USERS_MANAGE,
            },
        ),
    ],
)
def test_each_default_role_adds_to_the_previous_one(
    role: str, previous: str, added: set[Permission]
) -> None:
    assert ROLES[role] == ROLES[previous] | added


def test_default_roles_are_attendee_then_viewer_to_admin() -> None:
    assert list(ROLES) == ["attendee", *ROLE_ORDER, "anonymous", "invitee"]
    assert ROLES["attendee"] == {P.EVENT_VIEW, P.EVENT_CHAT_DIRECT}


def test_admin_has_every_permission() -> None:
    assert ROLES["admin"] == ALL_PERMISSIONS == frozenset(Permission)


def test_default_trait_grants() -> None:
    assert default_trait_grants() == {
        "attendee": ["attendee"],
        "moderator": ["moderator"],
        "admin": ["admin"],
    }


def test_role_permissions_are_the_union_of_the_roles() -> None:
    policy = AccessPolicy(
        roles={"a": frozenset({P.EVENT_VIEW}), "b": frozenset({P.ROOM_VIEW})}, trait_grants={}
    )
    assert role_permissions(policy, ["a", "b"]) == {P.EVENT_VIEW, P.ROOM_VIEW}
    assert role_permissions(policy, []) == frozenset()


# Trait grants


@pytest.mark.parametrize(
    ("traits", "matches"),
    [
        ((), False),
        (("attendee",), False),
        (("vip",), False),
        (("attendee", "vip"), True),
        (("attendee", "vip", "other"), True),
    ],
)
def test_every_requirement_of_a_grant_must_match(traits: tuple[str, ...], matches: bool) -> None:
    assert grant_matches(["attendee", "vip"], make_subject(*traits)) is matches


@pytest.mark.parametrize(
    ("traits", "matches"),
    [
        ((), False),
        (("ticket-1",), True),
        (("ticket-2",), True),
        (("ticket-1", "ticket-2"), True),
        (("ticket-3",), False),
    ],
)
def test_a_list_requirement_accepts_any_alternative(traits: tuple[str, ...], matches: bool) -> None:
    assert grant_matches([["ticket-1", "ticket-2"]], make_subject(*traits)) is matches


def test_list_and_string_requirements_combine() -> None:
    grant = ["attendee", ["ticket-1", "ticket-2"]]
    assert grant_matches(grant, make_subject("attendee", "ticket-2")) is True
    assert grant_matches(grant, make_subject("ticket-2")) is False
    assert grant_matches(grant, make_subject("attendee")) is False


def test_an_empty_list_of_alternatives_matches_nobody() -> None:
    assert grant_matches([[]], make_subject("attendee")) is False


@pytest.mark.parametrize(
    ("kind", "matches"), [("person", True), ("guest", True), ("anonymous", False)]
)
def test_an_empty_grant_admits_people_but_not_anonymous_users(
    kind: Literal["person", "guest", "anonymous"], matches: bool
) -> None:
    assert grant_matches([], make_subject(kind=kind)) is matches
    expected = ROLES["viewer"] if matches else frozenset()
    assert event_permissions(make_policy(viewer=[]), make_subject(kind=kind)) == expected


def test_a_bare_string_grant_means_one_trait() -> None:
    assert grant_matches("attendee", make_subject("attendee")) is True
    assert grant_matches("attendee", make_subject("a", "t", "e", "n", "d")) is False


# Event permissions


def test_default_policy_opens_the_event_to_attendees_and_rooms_say_the_rest() -> None:
    attendee = make_subject("attendee")
    assert event_permissions(default_policy(), attendee) == ROLES["attendee"]
    assert event_permissions(default_policy(), make_subject()) == frozenset()
    open_room = RoomAccess(trait_grants=default_room_grants())
    assert room_permissions(default_policy(), "r1", open_room, attendee) == room_only(
        ROLES["participant"]
    )
    assert room_permissions(default_policy(), "r1", NO_ROOM_GRANTS, attendee) == frozenset()


def test_several_matching_grants_add_up() -> None:
    policy = AccessPolicy(
        roles={"chat": frozenset({P.ROOM_CHAT_SEND}), "ask": frozenset({P.ROOM_QUESTION_ASK})},
        trait_grants={"chat": ["a"], "ask": ["b"]},
    )
    assert event_permissions(policy, make_subject("a", "b")) == {
        P.ROOM_CHAT_SEND,
        P.ROOM_QUESTION_ASK,
    }


def test_explicit_event_roles_add_to_trait_grants() -> None:
    subject = make_subject("attendee", event_roles=frozenset({"moderator"}))
    assert event_permissions(default_policy(), subject) == ROLES["moderator"]


def test_unknown_roles_grant_nothing() -> None:
    policy = make_policy(ghost=["attendee"], participant=["attendee"])
    subject = make_subject(
        "attendee",
        event_roles=frozenset({"nobody"}),
        room_roles={"r1": frozenset({"phantom"})},
    )
    room = RoomAccess(trait_grants={"spirit": []})
    assert event_permissions(policy, subject) == ROLES["participant"]
    assert room_permissions(policy, "r1", room, subject) == room_only(ROLES["participant"])
    assert event_permissions(make_policy(ghost=[]), make_subject()) == frozenset()


@pytest.mark.parametrize("role", ROLE_ORDER)
def test_banned_users_get_nothing(role: str) -> None:
    subject = make_subject(
        "attendee",
        "admin",
        moderation="banned",
        event_roles=frozenset({role}),
        room_roles={"r1": frozenset({role})},
    )
    room = RoomAccess(trait_grants={"viewer": []})
    assert event_permissions(default_policy(), subject) == frozenset()
    assert room_permissions(default_policy(), "r1", room, subject) == frozenset()
    assert can_see_room(default_policy(), "r1", room, subject) is False


@pytest.mark.parametrize("role", ROLE_ORDER)
def test_silenced_users_only_read(role: str) -> None:
    subject = make_subject(
        moderation="silenced", event_roles=frozenset({role}), room_roles={"r1": frozenset({role})}
    )
    assert event_permissions(default_policy(), subject) == SILENCED_MAX
    assert room_permissions(default_policy(), "r1", NO_ROOM_GRANTS, subject) == {
        P.ROOM_VIEW,
        P.ROOM_CHAT_READ,
        P.ROOM_QUESTION_READ,
        P.ROOM_POLL_READ,
    }


def test_silencing_never_adds_permissions() -> None:
    policy = AccessPolicy(roles={"x": frozenset({P.ROOM_VIEW})}, trait_grants={"x": []})
    subject = make_subject(moderation="silenced")
    assert event_permissions(policy, subject) == {P.ROOM_VIEW}


# Room permissions


def test_event_grants_apply_in_every_room_as_room_permissions_only() -> None:
    subject = make_subject("moderator")
    assert room_permissions(default_policy(), "r1", NO_ROOM_GRANTS, subject) == room_only(
        ROLES["moderator"]
    )
    assert room_permissions(default_policy(), "r2", NO_ROOM_GRANTS, subject) == room_only(
        ROLES["moderator"]
    )


def test_room_grants_add_to_event_grants() -> None:
    room = RoomAccess(trait_grants={"speaker": ["speaker-r1"]})
    policy = AccessPolicy(
        roles={**default_roles(), "asker": frozenset({P.ROOM_QUESTION_ASK})},
        trait_grants={"viewer": [], "asker": ["attendee"]},
    )
    subject = make_subject("attendee", "speaker-r1")
    assert room_permissions(policy, "r1", room, subject) == room_only(ROLES["speaker"])
    assert room_permissions(policy, "r1", room, make_subject("attendee")) == room_only(
        ROLES["viewer"] | {P.ROOM_QUESTION_ASK}
    )


def test_room_grants_do_not_reach_event_permissions() -> None:
    room = RoomAccess(trait_grants={"admin": ["owner"]})
    subject = make_subject("owner")
    assert room_permissions(default_policy(), "r1", room, subject) == ROOM_PERMISSIONS
    assert event_permissions(default_policy(), subject) == frozenset()


def test_explicit_room_roles_apply_to_that_room_only() -> None:
    subject = make_subject("attendee", room_roles={"r1": frozenset({"moderator"})})
    policy = default_policy()
    assert room_permissions(policy, "r1", NO_ROOM_GRANTS, subject) == room_only(ROLES["moderator"])
    assert room_permissions(policy, "r2", NO_ROOM_GRANTS, subject) == frozenset()
    assert event_permissions(policy, subject) == ROLES["attendee"]


def test_a_room_with_an_empty_viewer_grant_is_public_to_people() -> None:
    room = RoomAccess(trait_grants={"viewer": []})
    policy = default_policy()
    assert can_see_room(policy, "r1", room, make_subject()) is True
    assert can_see_room(policy, "r1", room, make_subject(kind="guest")) is True
    assert can_see_room(policy, "r1", room, make_subject(kind="anonymous")) is False


def test_a_room_without_grants_is_hidden_from_users_without_event_roles() -> None:
    policy = default_policy()
    assert can_see_room(policy, "r1", NO_ROOM_GRANTS, make_subject("visitor")) is False
    assert room_permissions(policy, "r1", NO_ROOM_GRANTS, make_subject("visitor")) == frozenset()
    assert can_see_room(policy, "r1", NO_ROOM_GRANTS, make_subject("attendee")) is False
    assert can_see_room(policy, "r1", NO_ROOM_GRANTS, make_subject("moderator")) is True


def test_anonymous_invitees_see_only_the_room_they_were_given() -> None:
    subject = make_subject(kind="anonymous", room_roles={"r1": frozenset({"viewer"})})
    policy = default_policy()
    assert room_permissions(policy, "r1", NO_ROOM_GRANTS, subject) == room_only(ROLES["viewer"])
    assert can_see_room(policy, "r2", NO_ROOM_GRANTS, subject) is False
    assert event_permissions(policy, subject) == frozenset()

"""What a team may do, and the one answer to "may this principal do P on event E of organizer O".

Pure: principals are built from the database by ``teams``/``api_tokens``/``accounts``; nothing
here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from core.errors import DeniedError


class Permission(StrEnum):
    """The permission vocabulary of teams (stored by value in ``ticket_teams.permissions``)."""

    ORGANIZER_SETTINGS = "organizer.settings"
    EVENTS_CREATE = "events.create"
    EVENTS_CHANGE = "events.change"
    PRODUCTS_CHANGE = "products.change"
    ORDERS_VIEW = "orders.view"
    ORDERS_CHANGE = "orders.change"
    VOUCHERS_VIEW = "vouchers.view"
    VOUCHERS_CHANGE = "vouchers.change"
    CHECKIN = "checkin"
    TEAMS_CHANGE = "teams.change"
    SUBMISSIONS_VIEW = "submissions.view"
    SUBMISSIONS_CHANGE = "submissions.change"
    REVIEWS_VIEW = "reviews.view"
    SCHEDULE_CHANGE = "schedule.change"


ALL_PERMISSIONS = frozenset(Permission)


def parse_permissions(values: object) -> frozenset[Permission]:
    """The known permissions among stored ``values``; unknown names (from a newer version) are
    ignored rather than granted."""
    if not isinstance(values, list):
        return frozenset()
    known = {permission.value for permission in Permission}
    return frozenset(Permission(value) for value in values if value in known)


@dataclass(frozen=True, slots=True)
class TeamGrant:
    """One team's permissions within its organizer: on all events, or on ``event_ids`` only."""

    team_id: str
    organizer_id: str
    permissions: frozenset[Permission]
    all_events: bool
    event_ids: frozenset[str] = frozenset()

    def covers(self, event_id: str) -> bool:
        return self.all_events or event_id in self.event_ids


@dataclass(frozen=True, slots=True)
class Principal:
    """Who acts: an API token (one team) or an account (every team it is a member of)."""

    kind: Literal["token", "account"]
    id: str
    grants: tuple[TeamGrant, ...]

    @property
    def organizer_ids(self) -> frozenset[str]:
        return frozenset(grant.organizer_id for grant in self.grants)

    def may(
        self, permission: Permission | None, organizer_id: str, event_id: str | None = None
    ) -> bool:
        """Whether some team grants ``permission`` (None: mere access) in ``organizer_id``,
        on ``event_id`` when given (organizer-level questions pass None)."""
        for grant in self.grants:
            if grant.organizer_id != organizer_id:
                continue
            if permission is not None and permission not in grant.permissions:
                continue
            if event_id is None or grant.covers(event_id):
                return True
        return False

    def visible_event_ids(self, organizer_id: str) -> frozenset[str] | None:
        """The events of ``organizer_id`` this principal may see; None means all of them."""
        seen: set[str] = set()
        for grant in self.grants:
            if grant.organizer_id != organizer_id:
                continue
            if grant.all_events:
                return None
            seen |= grant.event_ids
        return frozenset(seen)


def require(
    principal: Principal,
    permission: Permission | None,
    organizer_id: str,
    event_id: str | None = None,
) -> None:
    """Raises:
    DeniedError: ``principal`` may not do ``permission`` there (``details.permission`` names it).
    """
    if not principal.may(permission, organizer_id, event_id):
        raise DeniedError(permission=None if permission is None else permission.value)

"""``AnnouncementActor``: one event's announcements, kept in memory and changed one at a time.

Serialising the changes here makes the state checks race-free; greetings read the visible ones
from memory instead of the database. Every change is written with its audit row before the reply,
then pushed to the event's sockets when it was visible before or after.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from actors import Actor
from core.clock import utc_now
from core.ids import new_id
from live import announcement_service as rows
from live import audit, topic_names
from live.announcement_service import Announcement, State, check_transition
from live.errors import UnknownAnnouncementError

PUSH = "announcement.updated"


class AnnouncementActor(Actor):
    """Keyed by event id; fenced, so a deposed owner cannot write."""

    kind_name = "live.announcements"
    fenced = True

    async def on_activate(self) -> None:
        async with self.fenced_transaction() as session:
            loaded = await rows.load(session, self.key)
        self.announcements: dict[str, Announcement] = {a.id: a for a in loaded}

    async def create(
        self, by: str, text: str, state: State, show_until: datetime | None
    ) -> dict[str, Any]:
        """Add an announcement (``state`` draft or active); returns its wire form."""
        check_transition("draft", state)
        announcement = Announcement(
            id=new_id(),
            event_id=self.key,
            text=text,
            state=state,
            show_until=rows.as_utc(show_until) if show_until else None,
            created_at=utc_now(),
        )
        async with self.fenced_transaction() as session:
            await rows.insert_row(session, announcement)
            await audit.record(
                session,
                self.key,
                by,
                "announcement.created",
                {"announcement": announcement.public()},
            )
        self.announcements[announcement.id] = announcement
        if announcement.visible(utc_now()):
            self._push(announcement)
        return announcement.public()

    async def update(
        self, by: str, announcement_id: str, changes: dict[str, Any]
    ) -> dict[str, Any]:
        """Change ``text``, ``state`` and/or ``show_until`` (None clears it); returns the result.

        Raises:
            UnknownAnnouncementError: no such announcement in this event.
            InvalidTransitionError: the state change is not draft → active → archived.
        """
        before = self.announcements.get(announcement_id)
        if before is None:
            raise UnknownAnnouncementError(announcement=announcement_id)
        if "state" in changes:
            check_transition(before.state, changes["state"])
        if changes.get("show_until") is not None:
            changes = {**changes, "show_until": rows.as_utc(changes["show_until"])}
        after = before.model_copy(update=changes)
        async with self.fenced_transaction() as session:
            await rows.update_row(session, after)
            await audit.record(
                session,
                self.key,
                by,
                "announcement.updated",
                {"announcement": after.public(), "previous": before.public()},
            )
        self.announcements[after.id] = after
        now = utc_now()
        if before.visible(now) or after.visible(now):
            self._push(after)
        return after.public()

    async def all(self) -> list[dict[str, Any]]:
        """Every announcement, newest first (for moderators)."""
        return [a.public() for a in reversed(self.announcements.values())]

    async def visible(self) -> list[dict[str, Any]]:
        """The announcements attendees see now, newest first."""
        now = utc_now()
        return [a.public() for a in reversed(self.announcements.values()) if a.visible(now)]

    def _push(self, announcement: Announcement) -> None:
        self.system.topics.publish(
            topic_names.event(self.key), [PUSH, {"announcement": announcement.public()}]
        )

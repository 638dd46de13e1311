"""Keeps this node's sockets in step with their event's configuration.

When rooms or grants change, the changing node publishes the event's new version on the event's
config topic. Every node with sockets of that event reloads the event once, recomputes each
socket's permissions, sends each its own ``event.updated`` view, and takes it out of rooms it
may no longer see.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import socketio

from actors import Subscription, Topics
from live.event_service import EventService
from live.models import Event
from live.session import Session
from live.views import event_view

logger = logging.getLogger(__name__)

LeaveRoom = Callable[[Session, str], Awaitable[None]]


def config_topic(event_id: str) -> str:
    """Node-level topic announcing a new configuration of one event (not sent to sockets)."""
    return f"event:{event_id}:config"


def announce_change(events: EventService, topics: Topics, event: Event) -> None:
    """Tell every node (this one too) that ``event``'s configuration changed."""
    events.forget(event.slug)
    topics.publish(config_topic(event.id), {"slug": event.slug})


class EventUpdates:
    """Watches the config topics of the events this node has sockets for."""

    def __init__(
        self,
        sio: socketio.AsyncServer,
        topics: Topics,
        events: EventService,
        sessions: dict[str, Session],
        leave_room: LeaveRoom,
    ) -> None:
        self._sio = sio
        self._topics = topics
        self._events = events
        self._sessions = sessions
        self._leave_room = leave_room
        self._watchers: dict[str, int] = {}
        self._subscriptions: dict[str, Subscription] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def watch(self, event_id: str) -> None:
        self._watchers[event_id] = self._watchers.get(event_id, 0) + 1
        if event_id not in self._subscriptions:
            self._subscriptions[event_id] = await self._topics.subscribe(
                config_topic(event_id), functools.partial(self._changed, event_id)
            )

    async def unwatch(self, event_id: str) -> None:
        left = self._watchers.get(event_id, 0) - 1
        if left > 0:
            self._watchers[event_id] = left
            return
        self._watchers.pop(event_id, None)
        subscription = self._subscriptions.pop(event_id, None)
        if subscription is not None:
            await subscription.close()

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for subscription in list(self._subscriptions.values()):
            await subscription.close()
        self._subscriptions.clear()

    def _changed(self, event_id: str, payload: Any) -> None:
        slug = payload.get("slug") if isinstance(payload, dict) else None
        if not isinstance(slug, str):
            return
        task = asyncio.create_task(self._refresh(event_id, slug), name=f"live:event-update:{slug}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _refresh(self, event_id: str, slug: str) -> None:
        try:
            self._events.forget(slug)
            event = await self._events.by_slug(slug)
            for session in [s for s in self._sessions.values() if s.event.id == event_id]:
                session.refresh(event)
                for room_id in list(session.rooms):
                    room = event.room(room_id)
                    if room is None or room not in session.access.visible_rooms():
                        await self._leave_room(session, room_id)
                await self._sio.emit("event.updated", event_view(session), to=session.sid)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("refreshing the sessions of %s failed", slug)

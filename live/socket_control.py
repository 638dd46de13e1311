"""Control messages that act on sockets rather than push to them: a socket replaced by the
connection limit, a user banned, silenced or reactivated, a ticket's access revoked.

They travel on the user's topic (``user:{id}``) to every node where that user has sockets; each
node's ``SocketControl`` acts on its own sockets only. Building and applying them lives here so
their shape is defined once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import socketio

from live.models import User
from live.session import Session
from live.views import event_view

logger = logging.getLogger(__name__)

REPLACED = "connection.replaced"
RELOAD = "connection.reload"


def replace(socket_refs: list[str]) -> dict[str, Any]:
    """Close these sockets (``"<node>/<sid>"``) after telling them ``connection.replaced``."""
    return {"control": "replace", "sockets": socket_refs}


def moderate(user: User) -> dict[str, Any]:
    """The user's moderation state changed: sockets take it, reload, and close if banned."""
    return {"control": "moderate", "user": user.id, "moderation": user.moderation}


def revoke(user_id: str) -> dict[str, Any]:
    """The user's access was revoked (a cancelled ticket): sockets reload and close."""
    return {"control": "revoke", "user": user_id}


def regrant(user: User) -> dict[str, Any]:
    """The user's explicit roles changed: sockets take them and get a new ``event.updated``."""
    return {
        "control": "regrant",
        "user": user.id,
        "event_roles": sorted(user.event_roles),
        "room_roles": {room: sorted(roles) for room, roles in user.room_roles.items()},
    }


class SocketControl:
    """Applies control messages to this node's sockets."""

    def __init__(
        self, sio: socketio.AsyncServer, sessions: Mapping[str, Session], node_id: str
    ) -> None:
        self._sio = sio
        self._sessions = sessions
        self._node_id = node_id

    async def __call__(self, listeners: frozenset[str], message: dict[str, Any]) -> None:
        """Act on ``message``; ``listeners`` are the local sockets of the topic it came on."""
        kind = message.get("control")
        if kind == "replace":
            await self._replace(listeners, set(message["sockets"]))
        elif kind == "moderate":
            await self._moderate(listeners, message["user"], message["moderation"])
        elif kind == "regrant":
            await self._regrant(listeners, message)
        elif kind == "revoke":
            await self._revoke(listeners, message["user"])
        else:
            logger.warning("unknown control message %r", kind)

    async def _replace(self, listeners: frozenset[str], refs: set[str]) -> None:
        for sid in listeners:
            if f"{self._node_id}/{sid}" in refs:
                await self._sio.emit(REPLACED, {}, to=sid)
                await self._sio.disconnect(sid)

    async def _moderate(self, listeners: frozenset[str], user_id: str, moderation: str) -> None:
        for sid in listeners:
            session = self._sessions.get(sid)
            if session is None or session.user.id != user_id:
                continue
            # Permissions follow at once, also for a client that ignores the reload.
            session.refresh(
                session.event, session.user.model_copy(update={"moderation": moderation})
            )
            await self._sio.emit(RELOAD, {}, to=sid)
            if moderation == "banned":
                await self._sio.disconnect(sid)

    async def _revoke(self, listeners: frozenset[str], user_id: str) -> None:
        # Closed as well as told: a client that ignores the reload keeps nothing. Reconnecting
        # with the same token then fails with auth.revoked.
        for sid in listeners:
            session = self._sessions.get(sid)
            if session is not None and session.user.id == user_id:
                await self._sio.emit(RELOAD, {}, to=sid)
                await self._sio.disconnect(sid)

    async def _regrant(self, listeners: frozenset[str], message: dict[str, Any]) -> None:
        for sid in listeners:
            session = self._sessions.get(sid)
            if session is None or session.user.id != message["user"]:
                continue
            user = session.user.model_copy(
                update={
                    "event_roles": frozenset(message["event_roles"]),
                    "room_roles": {r: frozenset(v) for r, v in message["room_roles"].items()},
                }
            )
            session.refresh(session.event, user)
            await self._sio.emit("event.updated", event_view(session), to=sid)

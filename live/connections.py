"""The per-user connection limit: ``UserConnectionsActor`` keeps one user's sockets cluster-wide,
oldest first, and names the ones a new socket replaces.

The replaced sockets may live on any node: their node closes them when the user's topic carries
the control message (``live.socket_control``). Sockets of users the limit does not bind are not
tracked at all.
"""

from __future__ import annotations

from actors import Actor
from live import socket_control, topic_names
from live.permissions import Permission
from live.services import LiveServices
from live.session import Session

_SWEEP_S = 10.0


class UserConnectionsActor(Actor):
    """Keyed by user id. Socket references are ``"<node>/<sid>"`` so a dead node's can be swept."""

    kind_name = "live.user_connections"

    async def on_activate(self) -> None:
        # Insertion order is connection order: the first entries are the oldest sockets.
        self.sockets: dict[str, None] = {}

    async def connect(self, socket_ref: str, limit: int) -> list[str]:
        """Add a socket; returns the oldest ones beyond ``limit`` (now forgotten here)."""
        self.sockets[socket_ref] = None
        excess = max(0, len(self.sockets) - limit)
        replaced = list(self.sockets)[:excess]
        for ref in replaced:
            del self.sockets[ref]
        if "sweep" not in self.timers:
            self.timers.start("sweep", _SWEEP_S, UserConnectionsActor.sweep, interval_s=_SWEEP_S)
        return replaced

    async def disconnect(self, socket_ref: str) -> None:
        self.sockets.pop(socket_ref, None)
        if not self.sockets:
            self.timers.cancel("sweep")

    async def counted(self) -> list[str]:
        """The counted sockets, oldest first."""
        return list(self.sockets)

    async def sweep(self) -> None:
        """Forget sockets of nodes that are gone (their clients reconnect elsewhere)."""
        alive = set(await self.system.transport.live_nodes())
        for ref in [ref for ref in self.sockets if ref.split("/", 1)[0] not in alive]:
            await self.disconnect(ref)


def _ref(live: LiveServices, session: Session) -> str:
    return f"{live.actors.node_id}/{session.sid}"


def is_limited(session: Session) -> bool:
    return session.event.connection_limit > 0 and not session.access.may(
        Permission.EVENT_CONNECTIONS_UNLIMITED
    )


async def admit(live: LiveServices, session: Session) -> None:
    """Count a new socket against its user's limit and close the oldest sockets beyond it."""
    if not is_limited(session):
        return
    actor = live.actors.ref(UserConnectionsActor, session.user.id)
    replaced = await actor.ask(
        UserConnectionsActor.connect, _ref(live, session), session.event.connection_limit
    )
    if replaced:
        live.fanout.publish_control(
            topic_names.user(session.user.id), socket_control.replace(replaced)
        )


def release(live: LiveServices, session: Session) -> None:
    """Stop counting a closed socket (a socket that was never counted is ignored)."""
    # Not ``is_limited``: the user's permissions may have changed since the socket was admitted.
    if session.event.connection_limit > 0:
        actor = live.actors.ref(UserConnectionsActor, session.user.id)
        actor.tell(UserConnectionsActor.disconnect, _ref(live, session))

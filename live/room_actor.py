"""``RoomActor``: the live state of one room — who is in it, and the reactions of the moment.

Counts are exact and live only here (no database row per enter). Pushes go out on the room's
topics, coalesced: viewer counts at most twice a second, reactions once a second.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from actors import Actor
from live import topic_names
from live.timeline_actor import TimelineActor

REACTIONS = ("👏", "❤️", "👍", "🤣", "😮")
_COUNT_PUSH_S = 0.5
_REACTION_WINDOW_S = 1.0
_SWEEP_S = 10.0


class RoomActor(Actor):
    """Keyed by room id. Socket references are ``"<node>/<sid>"`` so a dead node's can be swept."""

    kind_name = "live.room"

    async def on_activate(self) -> None:
        self.sockets: dict[str, set[str]] = {}
        self.profiles: dict[str, dict[str, Any]] = {}
        self.published_count = 0
        self.reactions: Counter[str] = Counter()
        self.reacted: set[str] = set()

    async def enter(self, socket_ref: str, user: dict[str, Any]) -> int:
        """Add one socket of ``user`` (its public view); returns the number of viewers."""
        user_id = user["id"]
        sockets = self.sockets.setdefault(user_id, set())
        first = not sockets
        sockets.add(socket_ref)
        self.profiles[user_id] = user
        if first:
            self._publish_moderators("room.viewer.added", {"room": self.key, "user": user})
            self._count_changed()
        if "sweep" not in self.timers:
            self.timers.start("sweep", _SWEEP_S, RoomActor.sweep, interval_s=_SWEEP_S)
        return len(self.sockets)

    async def leave(self, socket_ref: str, user_id: str) -> int:
        """Remove one socket; the user leaves when their last socket does."""
        sockets = self.sockets.get(user_id)
        if sockets is not None:
            sockets.discard(socket_ref)
            if not sockets:
                self._remove_user(user_id)
        if not self.sockets:
            self.timers.cancel("sweep")
        return len(self.sockets)

    async def viewers(self) -> list[dict[str, Any]]:
        """Public views of the users in the room."""
        return [self.profiles[user_id] for user_id in self.sockets]

    async def count(self) -> int:
        return len(self.sockets)

    async def react(self, user_id: str, reaction: str) -> None:
        """Count a reaction, at most one per user and window."""
        if user_id in self.reacted:
            return
        self.reacted.add(user_id)
        self.reactions[reaction] += 1
        if "reactions" not in self.timers:
            self.timers.start("reactions", _REACTION_WINDOW_S, RoomActor.flush_reactions)

    async def flush_reactions(self) -> None:
        if self.reactions:
            self._publish("room.reaction", {"room": self.key, "reactions": dict(self.reactions)})
        self.reactions.clear()
        self.reacted.clear()

    async def push_count(self) -> None:
        count = len(self.sockets)
        if count != self.published_count:
            self.published_count = count
            self._publish("room.viewers", {"room": self.key, "viewers": count})

    async def sweep(self) -> None:
        """Forget sockets of nodes that are gone (their clients reconnect elsewhere), and keep
        the room's timeline active (after a failover it comes back within one sweep)."""
        self.system.ref(TimelineActor, self.key).tell(TimelineActor.ensure)
        alive = set(await self.system.transport.live_nodes())
        for user_id in list(self.sockets):
            sockets = {ref for ref in self.sockets[user_id] if ref.split("/", 1)[0] in alive}
            self.sockets[user_id] = sockets
            if not sockets:
                self._remove_user(user_id)

    def _remove_user(self, user_id: str) -> None:
        self.sockets.pop(user_id, None)
        self.profiles.pop(user_id, None)
        self._publish_moderators("room.viewer.removed", {"room": self.key, "user": user_id})
        self._count_changed()

    def _count_changed(self) -> None:
        if "count" not in self.timers:
            self.timers.start("count", _COUNT_PUSH_S, RoomActor.push_count)

    def _publish(self, name: str, data: dict[str, Any]) -> None:
        self.system.topics.publish(topic_names.room(self.key), [name, data])

    def _publish_moderators(self, name: str, data: dict[str, Any]) -> None:
        self.system.topics.publish(topic_names.room_moderators(self.key), [name, data])

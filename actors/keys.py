"""Names of every Redis key and channel of the actor runtime, all under one configurable prefix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RedisNames:
    """Builds the runtime's Redis key and channel names from ``prefix``."""

    prefix: str

    def lease(self, kind: str, key: str) -> str:
        """Who owns an actor: ``"<node>|<token>"``."""
        return f"{self.prefix}:lease:{kind}:{key}"

    def fence_counter(self, kind: str, key: str) -> str:
        """The last fencing token handed out for an actor."""
        return f"{self.prefix}:fence:{kind}:{key}"

    def node_alive(self, node_id: str) -> str:
        """Present while the node is alive; its value is the node's incarnation."""
        return f"{self.prefix}:node:{node_id}"

    def node_channel(self, node_id: str) -> str:
        """The pub/sub channel a node receives actor messages and replies on."""
        return f"{self.prefix}:to:{node_id}"

    def topic_channel(self, topic: str) -> str:
        """The pub/sub channel of one topic."""
        return f"{self.prefix}:topic:{topic}"

    def node_pattern(self) -> str:
        """Pattern matching every node's liveness key."""
        return f"{self.prefix}:node:*"

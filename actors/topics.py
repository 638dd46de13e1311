"""Topic publish/subscribe with subscriptions reference-counted per node.

The first local subscriber of a topic subscribes the node to the topic's channel, the last one
unsubscribes it, so a node never receives traffic for topics nobody on it listens to. Local
subscribers are served directly; the payload is encoded once per publish for other nodes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from actors.codec import Codec
from actors.transport import Transport

logger = logging.getLogger(__name__)

TopicHandler = Callable[[Any], None]


class Subscription:
    """One handler's interest in one topic; ``close()`` (or leaving the ``async with``) ends it."""

    def __init__(self, topics: Topics, topic: str, handler: TopicHandler) -> None:
        self._topics = topics
        self.topic = topic
        self.handler = handler
        self.closed = False

    async def close(self) -> None:
        if not self.closed:
            self.closed = True
            await self._topics._remove(self)

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()


class Topics:
    """This node's topic subscriptions and publishing.

    Handlers run synchronously when a message arrives: they must be quick, must not block, and
    should not raise (an error is logged and the other handlers still run). Payloads are shared
    between local handlers, so treat them as immutable.
    """

    def __init__(self, node_id: str, transport: Transport, codec: Codec, distributed: bool) -> None:
        self._node_id = node_id
        self._transport = transport
        self._codec = codec
        self._distributed = distributed
        self._handlers: dict[str, list[TopicHandler]] = {}
        self._subscribed: set[str] = set()
        self._lock = asyncio.Lock()

    async def subscribe(self, topic: str, handler: TopicHandler) -> Subscription:
        """Call ``handler(payload)`` for every message on ``topic`` from now on.

        Raises:
            UnavailableError: the cluster did not confirm the subscription in time.
        """
        subscription = Subscription(self, topic, handler)
        self._handlers.setdefault(topic, []).append(handler)
        try:
            async with self._lock:
                if topic not in self._subscribed:
                    await self._transport.subscribe(topic)
                    self._subscribed.add(topic)
        except BaseException:
            await subscription.close()
            raise
        return subscription

    def publish(self, topic: str, payload: Any) -> None:
        """Deliver ``payload`` to every subscriber of ``topic`` on every node."""
        self.deliver(topic, payload)
        if self._distributed:
            self._transport.publish_soon(topic, self._codec.topic(self._node_id, topic, payload))

    def deliver(self, topic: str, payload: Any) -> None:
        """Hand a message to this node's subscribers."""
        for handler in self._handlers.get(topic, ()):
            try:
                handler(payload)
            except Exception:
                logger.exception("topic handler failed", extra={"topic": topic})

    def subscriber_count(self, topic: str) -> int:
        return len(self._handlers.get(topic, ()))

    @property
    def subscribed_topics(self) -> frozenset[str]:
        """Topics this node currently receives from the cluster."""
        return frozenset(self._subscribed)

    async def _remove(self, subscription: Subscription) -> None:
        handlers = self._handlers.get(subscription.topic, [])
        if subscription.handler in handlers:
            handlers.remove(subscription.handler)
        if not handlers:
            self._handlers.pop(subscription.topic, None)
        async with self._lock:
            topic = subscription.topic
            if topic in self._subscribed and not self._handlers.get(topic):
                self._subscribed.discard(topic)
                await self._transport.unsubscribe(topic)

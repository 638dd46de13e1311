"""Fan-out of pushes to this node's sockets, fed by the actor runtime's topics.

A topic (``room:{id}``, ``user:{id}``, ``event:{id}`` …) is subscribed on this node while at least
one local socket listens to it. A pushed ``[name, data]`` arrives once per node and is written to
every local listener by one pump task: one encoded packet per push, no task per recipient.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import socketio
from engineio import packet as eio_packet
from socketio import packet as sio_packet

from actors import Subscription, Topics
from live import direct_write

logger = logging.getLogger(__name__)

# Gets the local listeners of the topic and the message; see ``publish_control``.
ControlHandler = Callable[[frozenset[str], dict[str, Any]], Awaitable[None]]


class Fanout:
    """Local listeners per topic and the pump that delivers pushes to them."""

    def __init__(self, sio: socketio.AsyncServer, topics: Topics) -> None:
        self._sio = sio
        self._topics = topics
        self._listeners: dict[str, set[str]] = {}
        self._subscriptions: dict[str, Subscription] = {}
        self._outbox: deque[tuple[str, Any]] = deque()
        self._ready = asyncio.Event()
        self._pump: asyncio.Task[None] | None = None
        # Deliveries written straight to a connection, and those that took the socket's queue.
        self.direct_writes = 0
        self.queued_writes = 0
        self._control: ControlHandler | None = None

    def start(self) -> None:
        self._pump = asyncio.create_task(self._run(), name="live:fanout")

    async def stop(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
        for subscription in list(self._subscriptions.values()):
            await subscription.close()
        self._subscriptions.clear()

    async def listen(self, sid: str, topic: str) -> None:
        """Let ``sid`` receive pushes on ``topic``."""
        listeners = self._listeners.setdefault(topic, set())
        first = not listeners
        listeners.add(sid)
        await self._sio.enter_room(sid, topic)
        if first and topic not in self._subscriptions:
            self._subscriptions[topic] = await self._topics.subscribe(
                topic, functools.partial(self._enqueue, topic)
            )

    async def unlisten(self, sid: str, topic: str) -> None:
        listeners = self._listeners.get(topic)
        if listeners is None or sid not in listeners:
            return
        listeners.discard(sid)
        await self._sio.leave_room(sid, topic)
        if not listeners:
            del self._listeners[topic]
            subscription = self._subscriptions.pop(topic, None)
            if subscription is not None:
                await subscription.close()

    def publish(self, topic: str, name: str, data: Any, *, skip_sid: str | None = None) -> None:
        """Push ``name`` with ``data`` to every listener of ``topic`` on every node.

        ``skip_sid`` leaves out one socket (the one whose command caused the push).
        """
        self._topics.publish(topic, [name, data] if skip_sid is None else [name, data, skip_sid])

    def publish_control(self, topic: str, message: dict[str, Any]) -> None:
        """Hand ``message`` to the control handler of every node with listeners on ``topic``,
        with those listeners, instead of pushing it to them (closing sockets, for instance)."""
        self._topics.publish(topic, message)

    def on_control(self, handler: ControlHandler) -> None:
        self._control = handler

    def listeners(self, topic: str) -> int:
        return len(self._listeners.get(topic, ()))

    def _enqueue(self, topic: str, payload: Any) -> None:
        self._outbox.append((topic, payload))
        self._ready.set()

    async def _run(self) -> None:
        while True:
            await self._ready.wait()
            self._ready.clear()
            while self._outbox:
                topic, payload = self._outbox.popleft()
                try:
                    if isinstance(payload, dict):
                        if self._control is not None:
                            local = frozenset(self._listeners.get(topic, ()))
                            await self._control(local, payload)
                        continue
                    name, data, *skip = payload
                    skip_sid = skip[0] if skip else None
                    if not self._deliver(topic, name, data, skip_sid):
                        await self._sio.emit(name, data, room=topic, skip_sid=skip_sid)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    logger.exception("pushing to %s failed", topic)

    def _deliver(self, topic: str, name: str, data: Any, skip_sid: str | None) -> bool:
        """Queue one push for every local listener, encoded once, without a task per socket.

        Writes straight into each Engine.IO socket's send queue (whose writer task exists
        anyway) instead of python-socketio's emit, which starts one task per recipient. Returns
        False for payloads with binary parts, which take the regular emit path.
        """
        listeners = self._listeners.get(topic)
        if not listeners:
            return True
        encoded = self._sio.packet_class(
            sio_packet.EVENT, namespace="/", data=[name, data]
        ).encode()
        if not isinstance(encoded, str):
            return False
        # One frame for every socket that can take it now; the others queue one shared
        # Engine.IO packet (it caches its own encoding) behind what they have queued already.
        text = str(eio_packet.MESSAGE) + encoded
        frame = direct_write.text_frame(text)
        shared = eio_packet.Packet(eio_packet.MESSAGE, encoded)
        sockets = self._sio.eio.sockets
        eio_sid_of = self._sio.manager.eio_sid_from_sid
        for sid in listeners:
            if sid == skip_sid:
                continue
            socket = sockets.get(eio_sid_of(sid, "/"))
            if socket is None or socket.closing or socket.closed:
                continue
            if direct_write.write(socket, frame):
                self.direct_writes += 1
            else:
                socket.queue.put_nowait(shared)
                self.queued_writes += 1
        return True

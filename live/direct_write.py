"""Writing one pre-built WebSocket frame to many Engine.IO sockets without a task per socket.

python-socketio hands every push to each socket's queue, where the socket's writer task wakes up,
and uvicorn builds the frame again for each socket. For fan-out the frame is the same for everyone:
this module builds it once and writes it straight to each connection's transport.

It relies on internals of engineio (its ASGI WebSocket wrapper and socket queue) and of uvicorn's
``websockets-sansio`` protocol, so every write checks what it needs and answers False when it
cannot be sure; the caller then takes the regular queue. That also keeps the order of a socket's
packets: a socket with anything queued is never written to directly. Slow clients (a paused
transport) take the queue too, so they cannot hold up the others.
"""

from __future__ import annotations

import struct
from typing import Any

import socketio
from engineio.async_drivers import asgi as engineio_asgi

_SOCKET_ATTRIBUTE = "_live_websocket"


class _CapturingWebSocket(engineio_asgi.WebSocket):  # type: ignore[misc]
    """engineio's ASGI WebSocket that lets its Engine.IO socket find it."""

    def __init__(self, handler: Any, server: Any) -> None:
        super().__init__(handler, server)
        socket = getattr(handler, "__self__", None)
        if socket is not None:
            setattr(socket, _SOCKET_ATTRIBUTE, self)


def install(sio: socketio.AsyncServer) -> None:
    """Make the server's WebSocket connections reachable for direct writes."""
    sio.eio._async["websocket"] = _CapturingWebSocket


def text_frame(text: str) -> bytes:
    """An unmasked, final WebSocket text frame (server to client) carrying ``text``."""
    payload = text.encode()
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x81, length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", 0x81, 126, length)
    else:
        header = struct.pack("!BBQ", 0x81, 127, length)
    return header + payload


def write(engineio_socket: Any, frame: bytes) -> bool:
    """Write ``frame`` to the socket's connection now; False if it must take the queue."""
    if not engineio_socket.queue.empty():
        return False
    websocket = getattr(engineio_socket, _SOCKET_ATTRIBUTE, None)
    protocol = getattr(getattr(websocket, "asgi_send", None), "__self__", None)
    if protocol is None or not _open(protocol):
        return False
    protocol.transport.write(frame)
    return True


def _open(protocol: Any) -> bool:
    """True for an established, writable uvicorn ``websockets-sansio`` connection without
    extensions (a compressed connection needs frames of its own)."""
    try:
        return bool(
            protocol.handshake_complete
            and not protocol.close_sent
            and not protocol.disconnected
            and protocol.writable.is_set()
            and not protocol.transport.is_closing()
            and not protocol.conn.extensions
        )
    except AttributeError:
        return False

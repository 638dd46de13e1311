"""One lean Socket.IO v5 client over Engine.IO v4 on a raw WebSocket: an ``asyncio.Protocol`` that
parses server frames by hand and hands each event frame, unparsed, to a callback.

Just enough of RFC 6455 for a loopback benchmark: no extensions, no TLS, no reconnects.
"""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Callable
from typing import cast

# Engine.IO packet types as the first byte of a text frame; Socket.IO packets follow "4".
EIO_OPEN = ord("0")
EIO_CLOSE = ord("1")
EIO_PING = ord("2")
EIO_MESSAGE = ord("4")
SIO_CONNECT = ord("0")
SIO_EVENT = ord("2")
SIO_ACK = ord("3")
SIO_CONNECT_ERROR = ord("4")

OP_CONTINUATION = 0x0
OP_TEXT = 0x1
OP_CLOSE = 0x8
OP_PING = 0x9
OP_PONG = 0xA
FIN = 0x80

EventSink = Callable[[bytes], None]


class HandshakeError(Exception):
    """The server refused the WebSocket upgrade or the Socket.IO namespace connect."""


def upgrade_request(host: str, port: int, path: str) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ).encode()


def client_frame(opcode: int, payload: bytes) -> bytes:
    """A masked frame, as RFC 6455 requires of clients (the payloads here are a few bytes)."""
    mask = os.urandom(4)
    size = len(payload)
    if size < 126:
        header = bytes((FIN | opcode, 0x80 | size))
    elif size < 1 << 16:
        header = bytes((FIN | opcode, 0x80 | 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((FIN | opcode, 0x80 | 127)) + size.to_bytes(8, "big")
    masked = bytes(byte ^ mask[index & 3] for index, byte in enumerate(payload))
    return header + mask + masked


class SocketIOClient(asyncio.Protocol):
    """Connects, answers pings, acks joins and passes every ``42...`` frame to ``on_event``.

    ``connected`` resolves once the namespace accepted the connect; ``closed`` once the TCP
    connection is gone.
    """

    def __init__(self, request: bytes, auth: bytes, on_event: EventSink) -> None:
        loop = asyncio.get_running_loop()
        self.connected: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()
        self._request = request
        self._auth = auth
        self._on_event = on_event
        self._transport: asyncio.Transport | None = None
        self._upgraded = False
        self._pending = b""
        self._fragments: list[bytes] = []
        self._acks: dict[int, asyncio.Future[None]] = {}
        self._next_ack = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)
        self._transport.write(self._request)

    def connection_lost(self, exc: Exception | None) -> None:
        failure = HandshakeError("connection closed")
        for future in (self.connected, *self._acks.values()):
            if not future.done():
                future.set_exception(failure)
        if not self.closed.done():
            self.closed.set_result(None)

    def emit(self, event: str) -> asyncio.Future[None]:
        """Send event ``event`` without data, asking for an ack; the future resolves on the ack."""
        ack_id = self._next_ack
        self._next_ack += 1
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._acks[ack_id] = future
        self._send_text(f'42{ack_id}["{event}"]'.encode())
        return future

    def close(self) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(client_frame(OP_CLOSE, (1000).to_bytes(2, "big")))
            self._transport.close()

    def data_received(self, data: bytes) -> None:
        if self._pending:
            data = self._pending + data
            self._pending = b""
        if not self._upgraded:
            data = self._read_upgrade(data)
        pos = 0
        size = len(data)
        while size - pos >= 2:
            first = data[pos]
            length = data[pos + 1]  # servers never mask, so the top bit is clear
            head = 2
            if length == 126:
                head = 4
                length = int.from_bytes(data[pos + 2 : pos + 4], "big")
            elif length == 127:
                head = 10
                length = int.from_bytes(data[pos + 2 : pos + 10], "big")
            end = pos + head + length
            if end > size:
                break
            if first == FIN | OP_TEXT:
                self._on_text(data[pos + head : end])
            else:
                self._on_other(first, data[pos + head : end])
            pos = end
        if pos < size:
            self._pending = data[pos:]

    def _read_upgrade(self, data: bytes) -> bytes:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            self._pending = data
            return b""
        if not data.startswith(b"HTTP/1.1 101"):
            self._fail(data[: data.find(b"\r\n")].decode(errors="replace"))
            return b""
        self._upgraded = True
        return data[end + 4 :]

    def _on_text(self, packet: bytes) -> None:
        kind = packet[0]
        if kind == EIO_MESSAGE:
            sio_kind = packet[1]
            if sio_kind == SIO_EVENT:
                self._on_event(packet)
            elif sio_kind == SIO_ACK:
                self._on_ack(packet)
            elif sio_kind == SIO_CONNECT:
                if not self.connected.done():
                    self.connected.set_result(None)
            elif sio_kind == SIO_CONNECT_ERROR:
                self._fail(packet.decode(errors="replace"))
        elif kind == EIO_PING:
            self._send_text(b"3" + packet[1:])
        elif kind == EIO_OPEN:
            self._send_text(b"40" + self._auth)
        elif kind == EIO_CLOSE and self._transport is not None:
            self._transport.close()

    def _on_ack(self, packet: bytes) -> None:
        bracket = packet.find(b"[")
        future = self._acks.pop(int(packet[2:bracket]), None)
        if future is not None and not future.done():
            future.set_result(None)

    def _on_other(self, first: int, payload: bytes) -> None:
        opcode = first & 0x0F
        if opcode == OP_PING:
            self._send(OP_PONG, payload)
        elif opcode == OP_CLOSE:
            self.close()
        elif opcode in (OP_TEXT, OP_CONTINUATION):  # a fragmented message
            self._fragments.append(payload)
            if first & FIN:
                message = b"".join(self._fragments)
                self._fragments.clear()
                self._on_text(message)

    def _send_text(self, payload: bytes) -> None:
        self._send(OP_TEXT, payload)

    def _send(self, opcode: int, payload: bytes) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(client_frame(opcode, payload))

    def _fail(self, reason: str) -> None:
        if not self.connected.done():
            self.connected.set_exception(HandshakeError(reason))
        if self._transport is not None:
            self._transport.close()

"""Identifier types and generators shared by every package; nothing here does I/O."""

from __future__ import annotations

import os
import secrets
import threading
from typing import NewType

NodeId = NewType("NodeId", str)
ErrorId = NewType("ErrorId", str)


class _RandomPool:
    """Bytes from the OS's CSPRNG, read in large chunks: a sale makes several ids and secrets
    per order, and one system call each was a tenth of its CPU. Each byte is handed out once;
    a forked child starts with an empty pool (it must never repeat its parent's bytes)."""

    def __init__(self, chunk_bytes: int = 64 * 1024) -> None:
        self._chunk_bytes = chunk_bytes
        self._lock = threading.Lock()
        self._pool = b""
        self._taken = 0

    def take(self, count: int) -> bytes:
        with self._lock:
            if self._taken + count > len(self._pool):
                self._pool, self._taken = os.urandom(max(self._chunk_bytes, count)), 0
            chunk = self._pool[self._taken : self._taken + count]
            self._taken += count
            return chunk

    def forget(self) -> None:
        self._lock = threading.Lock()
        self._pool, self._taken = b"", 0


_POOL = _RandomPool()
os.register_at_fork(after_in_child=_POOL.forget)


def random_bytes(count: int) -> bytes:
    """``count`` unpredictable bytes (never the same bytes twice in one process)."""
    return _POOL.take(count)


def new_id() -> str:
    """A random, URL-safe identifier for new records: 32 hex digits (128 random bits, as long
    as a UUID4's hex)."""
    return random_bytes(16).hex()


def new_error_id() -> ErrorId:
    """A short id that ties a client-visible ``server.error`` to its log line."""
    return ErrorId(secrets.token_hex(6))

"""Identifier types and generators shared by every package; nothing here does I/O."""

from __future__ import annotations

import secrets
from typing import NewType
from uuid import uuid4

NodeId = NewType("NodeId", str)
ErrorId = NewType("ErrorId", str)


def new_id() -> str:
    """A random, URL-safe identifier for new records (UUID4 hex)."""
    return uuid4().hex


def new_error_id() -> ErrorId:
    """A short id that ties a client-visible ``server.error`` to its log line."""
    return ErrorId(secrets.token_hex(6))

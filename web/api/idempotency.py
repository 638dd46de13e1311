"""``Idempotency-Key`` on API writes: the first request runs and its answer is stored in
``ticket_idempotency_keys`` (per sender); a repeat gets that answer without running again.

Answers that invite a retry (409, 429, 5xx) are not kept, so the retry really runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import Delete, Update, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from starlette.responses import Response

from catalog.tickets.account_tables import idempotency_keys
from core.clock import utc_now
from core.database import Database
from core.errors import InvalidPayloadError
from web.api.errors import IdempotencyInProgressError, IdempotencyMismatchError

HEADER = "Idempotency-Key"
MAX_KEY_CHARS = 200
KEEP_FOR = timedelta(hours=24)
# A key still "running" after this long belongs to a request that died; a new one may take it.
ABANDONED_AFTER = timedelta(seconds=60)
RETRY_AFTER_S = 1
_NOT_KEPT = frozenset({409, 429})
_Keyed = TypeVar("_Keyed", Delete, Update)


@dataclass(frozen=True, slots=True)
class _Stored:
    status: int
    body: str


def request_hash(method: str, path: str, query: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode()):
        digest.update(part + b"\0")
    digest.update(body)
    return digest.hexdigest()


async def run_once(
    database: Database,
    scope: str,
    key: str,
    fingerprint: str,
    produce: Callable[[], Awaitable[Response]],
) -> Response:
    """The stored answer for (``scope``, ``key``), or ``produce()``'s, stored for next time.

    Raises:
        InvalidPayloadError: the key is empty or longer than 200 characters.
        IdempotencyMismatchError: the key was used for a request with another fingerprint.
        IdempotencyInProgressError: the first request with the key is still running.
    """
    if not 1 <= len(key) <= MAX_KEY_CHARS:
        field_error = {"field": HEADER, "message": f"1 to {MAX_KEY_CHARS} characters"}
        raise InvalidPayloadError(errors=[field_error])
    stored = await _claim(database, scope, key, fingerprint)
    if stored is not None:
        return Response(
            stored.body or None,
            status_code=stored.status,
            media_type="application/json" if stored.body else None,
            headers={"Idempotency-Replayed": "true"},
        )
    finished = False
    try:
        response = await produce()
        await _finish(database, scope, key, response)
        finished = True
        return response
    finally:
        if not finished:
            await _release(database, scope, key)


async def _claim(database: Database, scope: str, key: str, fingerprint: str) -> _Stored | None:
    """None when this request now owns the key; the stored answer when it is a repeat."""
    for _attempt in range(2):
        now = utc_now()
        try:
            async with database.transaction() as session:
                await session.execute(
                    insert(idempotency_keys).values(
                        scope=scope, key=key, request_hash=fingerprint, created_at=now
                    )
                )
        except IntegrityError:
            pass
        else:
            return None
        async with database.transaction() as session:
            row = (
                await session.execute(
                    select(idempotency_keys).where(
                        idempotency_keys.c.scope == scope, idempotency_keys.c.key == key
                    )
                )
            ).first()
            if row is None:
                continue
            created_at = row.created_at
            if _outlived(created_at, row.status, now):
                # Only the row that was read goes, not one another request made meanwhile.
                await session.execute(
                    _key_rows(delete(idempotency_keys), scope, key).where(
                        idempotency_keys.c.created_at <= row.created_at
                    )
                )
                continue
        if row.request_hash != fingerprint:
            raise IdempotencyMismatchError(key=key)
        if row.status is None:
            raise IdempotencyInProgressError(retry_after_s=RETRY_AFTER_S)
        return _Stored(row.status, row.body or "")
    raise IdempotencyInProgressError(retry_after_s=RETRY_AFTER_S)


def _outlived(created_at: datetime, status: int | None, now: datetime) -> bool:
    limit = ABANDONED_AFTER if status is None else KEEP_FOR
    return created_at < now - limit


def _key_rows(statement: _Keyed, scope: str, key: str) -> _Keyed:
    return statement.where(idempotency_keys.c.scope == scope, idempotency_keys.c.key == key)


async def _finish(database: Database, scope: str, key: str, response: Response) -> None:
    if response.status_code >= 500 or response.status_code in _NOT_KEPT:
        await _release(database, scope, key)
        return
    async with database.transaction() as session:
        await session.execute(
            _key_rows(update(idempotency_keys), scope, key).values(
                status=response.status_code, body=bytes(response.body).decode()
            )
        )


async def _release(database: Database, scope: str, key: str) -> None:
    async with database.transaction() as session:
        await session.execute(_key_rows(delete(idempotency_keys), scope, key))

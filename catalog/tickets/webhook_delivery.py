"""Sending queued webhook calls: a signed JSON POST per call, and the signature check receivers
use. What is queued, and for whom, is ``webhooks``'s.

Signature: ``X-Eventyay-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>``
with ``X-Eventyay-Timestamp`` in Unix seconds.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets.delivery_tables import webhook_calls, webhooks
from core.outbox import Outcome, RetryPolicy
from core.settings import TicketSettings

ID_HEADER = "X-Eventyay-Webhook-Id"
TIMESTAMP_HEADER = "X-Eventyay-Timestamp"
SIGNATURE_HEADER = "X-Eventyay-Signature"
MAX_RESPONSE_CHARS = 2000
WEBHOOK_CONCURRENCY = 10
SIGNATURE_MAX_AGE_S = 300.0


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Eventyay-Signature`` value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes,
    header: str,
    *,
    max_age_s: float | None = SIGNATURE_MAX_AGE_S,
    now: float | None = None,
) -> bool:
    """Whether ``header`` (``X-Eventyay-Signature``) signs the raw ``body`` with ``timestamp``
    (``X-Eventyay-Timestamp``) under the hook's ``secret``, and the timestamp is at most
    ``max_age_s`` from ``now`` (Unix seconds; default the clock; ``None``: no age check), so a
    captured request cannot be replayed later. Compares in constant time."""
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    current = time.time() if now is None else now
    if max_age_s is not None and abs(current - sent_at) > max_age_s:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header.strip())


@dataclass(frozen=True, slots=True)
class QueuedCall:
    id: str
    webhook_id: str
    target_url: str
    secret: str
    enabled: bool
    payload: dict[str, Any]


class WebhookCarrier:
    """POSTs queued calls: a 2xx answer delivers; any other answer, a timeout or a connection
    error is retried; 410 Gone fails the call and disables its hook (as pretix does)."""

    name = "webhooks"
    table = webhook_calls
    concurrency = WEBHOOK_CONCURRENCY

    def __init__(self, settings: TicketSettings) -> None:
        self.timeout_s = settings.webhook_timeout_s
        self.policy = RetryPolicy(max_attempts=settings.webhook_max_attempts)
        self._client: aiohttp.ClientSession | None = None

    async def load(self, session: AsyncSession, ids: list[str]) -> dict[str, Any]:
        query = (
            select(
                webhook_calls.c.id,
                webhook_calls.c.webhook_id,
                webhook_calls.c.payload,
                webhooks.c.target_url,
                webhooks.c.secret,
                webhooks.c.enabled,
            )
            .join(webhooks, webhooks.c.id == webhook_calls.c.webhook_id)
            .where(webhook_calls.c.id.in_(ids))
        )
        return {
            row.id: QueuedCall(
                row.id, row.webhook_id, row.target_url, row.secret, row.enabled, dict(row.payload)
            )
            for row in await session.execute(query)
        }

    async def deliver(self, item: Any) -> Outcome:
        call: QueuedCall = item
        if not call.enabled:
            return Outcome(delivered=False, error="the webhook is disabled", final=True)
        body = json.dumps(call.payload, separators=(",", ":"), sort_keys=True).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "eventyay-webhooks",
            ID_HEADER: call.id,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(call.secret, timestamp, body),
        }
        try:
            async with self._session().post(
                call.target_url, data=body, headers=headers, allow_redirects=False
            ) as response:
                raw = await response.content.read(MAX_RESPONSE_CHARS * 4)
                text = _decoded(raw, response.charset)[:MAX_RESPONSE_CHARS]
                status = response.status
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return Outcome(delivered=False, error=f"request failed: {exc!r}"[:MAX_RESPONSE_CHARS])
        seen = {"last_status": status, "last_response": text}
        if 200 <= status < 300:
            return Outcome(delivered=True, values=seen)
        if status == 410:
            disable = update(webhooks).where(webhooks.c.id == call.webhook_id).values(enabled=False)
            return Outcome(
                delivered=False,
                error="410 Gone: the webhook was disabled",
                final=True,
                values=seen,
                statements=(disable,),
            )
        return Outcome(delivered=False, error=f"HTTP {status}", values=seen)

    def _session(self) -> aiohttp.ClientSession:
        if self._client is None or self._client.closed:
            self._client = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout_s)
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None


def _decoded(raw: bytes, charset: str | None) -> str:
    try:
        return raw.decode(charset or "utf-8", "replace")
    except LookupError:  # a charset Python does not know
        return raw.decode("utf-8", "replace")

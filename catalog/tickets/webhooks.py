"""Organizer webhooks: their action vocabulary, managing hooks, queuing thin notifications in the
caller's transaction, and the delivery log. Sending is ``webhook_delivery``'s.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets.delivery_tables import webhook_calls, webhooks
from catalog.tickets.tables import organizers
from core.clock import utc_now
from core.errors import InvalidPayloadError, NotFoundError
from core.ids import new_id
from core.outbox import PENDING

ORDER_PLACED = "order.placed"
ORDER_PAID = "order.paid"
ORDER_CANCELED = "order.canceled"
ORDER_EXPIRED = "order.expired"
ORDER_REFUNDED = "order.refunded"
ORDER_CHANGED = "order.changed"
CHECKIN_CREATED = "checkin.created"
ACTION_TYPES: tuple[str, ...] = (
    ORDER_PLACED,
    ORDER_PAID,
    ORDER_CANCELED,
    ORDER_EXPIRED,
    ORDER_REFUNDED,
    ORDER_CHANGED,
    CHECKIN_CREATED,
)
ALL_ACTIONS = "*"
MAX_LOG_PAGE = 200


class WebhookNotFoundError(NotFoundError):
    code = "tickets.webhook_not_found"
    default_message = "No such webhook"


class InvalidWebhookError(InvalidPayloadError):
    """``details.field`` names what is wrong: ``target_url``, ``action_types`` or ``events``."""

    code = "tickets.invalid_webhook"
    default_message = "The webhook is not valid"


@dataclass(frozen=True, slots=True)
class Webhook:
    """A hook of an organizer; ``events`` are short event slugs (used unless ``all_events``)."""

    id: str
    organizer_id: str
    target_url: str
    secret: str
    enabled: bool
    all_events: bool
    events: tuple[str, ...]
    action_types: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class WebhookCall:
    """One notification and where its delivery stands (``state``: pending, delivered, failed)."""

    id: str
    webhook_id: str
    action_type: str
    payload: dict[str, Any]
    state: str
    attempts: int
    last_status: int | None
    last_response: str | None
    last_error: str | None
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None


@dataclass(frozen=True, slots=True)
class WebhookCallPage:
    """One page of a delivery log and the count of all its calls."""

    count: int
    results: list[WebhookCall]


def short_event_slug(event_slug: str) -> str:
    """``org/conf`` → ``conf``; a short slug stays as it is."""
    return event_slug.rpartition("/")[2]


async def create_webhook(
    session: AsyncSession,
    *,
    organizer_id: str,
    target_url: str,
    action_types: Sequence[str],
    all_events: bool = True,
    events: Sequence[str] = (),
    enabled: bool = True,
    now: datetime | None = None,
) -> Webhook:
    """A new hook with a fresh signing secret.

    Raises:
        InvalidWebhookError: not an http(s) URL, unknown action types, or no events to match.
    """
    hook = Webhook(
        id=new_id(),
        organizer_id=organizer_id,
        target_url=_checked_url(target_url),
        secret=secrets.token_hex(32),
        enabled=enabled,
        all_events=all_events,
        events=_checked_events(all_events, events),
        action_types=_checked_actions(action_types),
        created_at=now or utc_now(),
    )
    values = {name: getattr(hook, name) for name in Webhook.__slots__}
    values |= {"events": list(hook.events), "action_types": list(hook.action_types)}
    await session.execute(insert(webhooks).values(**values))
    return hook


async def list_webhooks(session: AsyncSession, organizer_id: str) -> list[Webhook]:
    query = (
        select(webhooks)
        .where(webhooks.c.organizer_id == organizer_id)
        .order_by(webhooks.c.created_at, webhooks.c.id)
    )
    return [_webhook(row) for row in await session.execute(query)]


async def get_webhook(session: AsyncSession, organizer_id: str, webhook_id: str) -> Webhook:
    """Raises: WebhookNotFoundError: no such hook of this organizer."""
    query = select(webhooks).where(
        webhooks.c.id == webhook_id, webhooks.c.organizer_id == organizer_id
    )
    row = (await session.execute(query)).first()
    if row is None:
        raise WebhookNotFoundError(webhook_id=webhook_id)
    return _webhook(row)


async def update_webhook(
    session: AsyncSession,
    organizer_id: str,
    webhook_id: str,
    *,
    target_url: str | None = None,
    enabled: bool | None = None,
    all_events: bool | None = None,
    events: Sequence[str] | None = None,
    action_types: Sequence[str] | None = None,
) -> Webhook:
    """Change the given fields (``None``: unchanged); re-enabling a hook that answered 410 is
    ``enabled=True``.

    Raises:
        WebhookNotFoundError: no such hook of this organizer.
        InvalidWebhookError: as for ``create_webhook``.
    """
    hook = await get_webhook(session, organizer_id, webhook_id)
    values: dict[str, Any] = {}
    if target_url is not None:
        values["target_url"] = _checked_url(target_url)
    if enabled is not None:
        values["enabled"] = enabled
    if all_events is not None or events is not None:
        every = hook.all_events if all_events is None else all_events
        values["all_events"] = every
        values["events"] = list(_checked_events(every, hook.events if events is None else events))
    if action_types is not None:
        values["action_types"] = list(_checked_actions(action_types))
    if values:
        await session.execute(update(webhooks).where(webhooks.c.id == hook.id).values(**values))
    return await get_webhook(session, organizer_id, webhook_id)


async def delete_webhook(session: AsyncSession, organizer_id: str, webhook_id: str) -> None:
    """Delete the hook and its delivery log; calls not yet delivered are dropped.

    Raises:
        WebhookNotFoundError: no such hook of this organizer.
    """
    hook = await get_webhook(session, organizer_id, webhook_id)
    await session.execute(delete(webhook_calls).where(webhook_calls.c.webhook_id == hook.id))
    await session.execute(delete(webhooks).where(webhooks.c.id == hook.id))


async def enqueue_webhook_calls(
    session: AsyncSession,
    *,
    organizer_id: str,
    event_slug: str,
    action_type: str,
    payload: Mapping[str, Any],
    now: datetime | None = None,
) -> list[str]:
    """Queue one call per enabled hook of the organizer that wants ``action_type`` for this event,
    in the caller's transaction; the call ids.

    The body sent is ``payload`` (e.g. ``code``, ``orderposition_id``) plus ``notification_id``,
    ``organizer`` (slug), ``event`` (short slug) and ``action``, which win over payload keys.

    Raises:
        ValueError: ``action_type`` is not in ``ACTION_TYPES``.
    """
    if action_type not in ACTION_TYPES:
        msg = f"unknown webhook action type {action_type!r}"
        raise ValueError(msg)
    event = short_event_slug(event_slug)
    query = (
        select(webhooks, organizers.c.slug.label("organizer_slug"))
        .join(organizers, organizers.c.id == webhooks.c.organizer_id)
        .where(webhooks.c.organizer_id == organizer_id, webhooks.c.enabled.is_(True))
        .order_by(webhooks.c.created_at, webhooks.c.id)
    )
    moment = now or utc_now()
    rows: list[dict[str, Any]] = []
    for row in await session.execute(query):
        hook = _webhook(row)
        if not _wants(hook, event, action_type):
            continue
        call_id = new_id()
        body = dict(payload) | {
            "notification_id": call_id,
            "organizer": row.organizer_slug,
            "event": event,
            "action": action_type,
        }
        rows.append(_new_call(call_id, hook.id, action_type, body, moment))
    if rows:
        await session.execute(insert(webhook_calls), rows)
    return [row["id"] for row in rows]


async def list_webhook_calls(
    session: AsyncSession,
    organizer_id: str,
    webhook_id: str,
    *,
    limit: int = 50,
    offset: int = 0,
) -> WebhookCallPage:
    """The delivery log of a hook, newest first, ``limit`` (at most ``MAX_LOG_PAGE``) from
    ``offset``, with the count of all its calls.

    Raises:
        WebhookNotFoundError: no such hook of this organizer.
    """
    hook = await get_webhook(session, organizer_id, webhook_id)
    mine = webhook_calls.c.webhook_id == hook.id
    count = (await session.execute(select(func.count()).where(mine))).scalar_one()
    query = (
        select(webhook_calls)
        .where(mine)
        .order_by(webhook_calls.c.created_at.desc(), webhook_calls.c.id.desc())
        .limit(max(0, min(limit, MAX_LOG_PAGE)))
        .offset(max(0, offset))
    )
    return WebhookCallPage(count, [_call(row) for row in await session.execute(query)])


def _wants(hook: Webhook, event: str, action_type: str) -> bool:
    wanted_event = hook.all_events or event in hook.events
    wanted_action = ALL_ACTIONS in hook.action_types or action_type in hook.action_types
    return wanted_event and wanted_action


def _new_call(
    call_id: str, webhook_id: str, action_type: str, body: dict[str, Any], moment: datetime
) -> dict[str, Any]:
    return {
        "id": call_id,
        "webhook_id": webhook_id,
        "action_type": action_type,
        "payload": body,
        "last_status": None,
        "last_response": None,
        "state": PENDING,
        "attempts": 0,
        "next_attempt_at": moment,
        "last_error": None,
        "created_at": moment,
        "delivered_at": None,
    }


def _checked_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 1000:
        msg = "The target must be an http or https URL"
        raise InvalidWebhookError(msg, field="target_url")
    return url


def _checked_actions(action_types: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(action_types))
    unknown = [name for name in chosen if name not in (*ACTION_TYPES, ALL_ACTIONS)]
    if unknown or not chosen:
        msg = "Unknown or no action types"
        raise InvalidWebhookError(msg, field="action_types", unknown=unknown)
    return chosen


def _checked_events(all_events: bool, events: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(short_event_slug(slug) for slug in events))
    if not all_events and not chosen:
        msg = "Name events, or choose all events"
        raise InvalidWebhookError(msg, field="events")
    return chosen


def _webhook(row: Row[Any]) -> Webhook:
    return Webhook(
        id=row.id,
        organizer_id=row.organizer_id,
        target_url=row.target_url,
        secret=row.secret,
        enabled=row.enabled,
        all_events=row.all_events,
        events=tuple(row.events),
        action_types=tuple(row.action_types),
        created_at=row.created_at,
    )


def _call(row: Row[Any]) -> WebhookCall:
    return WebhookCall(
        id=row.id,
        webhook_id=row.webhook_id,
        action_type=row.action_type,
        payload=dict(row.payload),
        state=row.state,
        attempts=row.attempts,
        last_status=row.last_status,
        last_response=row.last_response,
        last_error=row.last_error,
        next_attempt_at=row.next_attempt_at,
        created_at=row.created_at,
        delivered_at=None if row.delivered_at is None else row.delivered_at,
    )

"""``/organizers/{organizer}/webhooks/``: an organizer's webhooks and each one's delivery log.
Queuing and sending calls is the catalog's (``catalog.tickets.webhooks``, its outbox)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from catalog.tickets import (
    ACTION_TYPES,
    Permission,
    create_webhook,
    delete_webhook,
    get_webhook,
    list_webhook_calls,
    list_webhooks,
    update_webhook,
)
from catalog.tickets import Webhook as StoredWebhook
from catalog.tickets import WebhookCall as StoredCall
from web.api.call import ApiCall
from web.api.fields import Timestamp
from web.api.pages import Page
from web.api.registry import api

TAG = "webhooks"
WEBHOOKS = "/organizers/{organizer}/webhooks/"
WEBHOOK = WEBHOOKS + "{webhook}/"
Url = Annotated[str, Field(min_length=1, max_length=1000, examples=["https://example.com/hook"])]
Actions = Annotated[
    list[str],
    Field(min_length=1, description=f"of {', '.join(ACTION_TYPES)}; or '*' for all"),
]
EventSlugs = Annotated[list[Annotated[str, Field(max_length=101)]], Field(max_length=500)]


class Webhook(BaseModel):
    id: str
    target_url: str
    secret: str = Field(description="signs each call (see docs/webhooks.md)")
    enabled: bool
    all_events: bool
    events: list[str] = Field(description="short event slugs, used unless all_events")
    action_types: list[str]
    created_at: Timestamp


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_url: Url
    action_types: Actions
    all_events: bool = True
    events: EventSlugs = []
    enabled: bool = True


class WebhookPatch(BaseModel):
    """``enabled: true`` re-enables a hook that answered 410."""

    model_config = ConfigDict(extra="forbid")

    target_url: Url | None = None
    action_types: Actions | None = None
    all_events: bool | None = None
    events: EventSlugs | None = None
    enabled: bool | None = None


class WebhookCall(BaseModel):
    id: str
    action_type: str
    payload: dict[str, Any]
    state: str = Field(examples=["pending", "delivered", "failed"])
    attempts: int
    last_status: int | None
    last_response: str | None
    last_error: str | None
    next_attempt_at: Timestamp
    created_at: Timestamp
    delivered_at: Timestamp | None


@api.operation(
    "GET", WEBHOOKS, summary="List webhooks", tag=TAG, response=Webhook,
    permission=Permission.ORGANIZER_SETTINGS, paginated=True,
)  # fmt: skip
async def list_hooks(call: ApiCall) -> Page:
    found = await list_webhooks(call.session, call.organizer.id)
    start = call.page.offset
    return Page(len(found), [_hook(hook) for hook in found[start : start + call.page.page_size]])


@api.operation(
    "POST", WEBHOOKS, summary="Create a webhook", tag=TAG, response=Webhook, body=WebhookCreate,
    permission=Permission.ORGANIZER_SETTINGS, status=201,
)  # fmt: skip
async def create_hook(call: ApiCall) -> Webhook:
    """``422 tickets.invalid_webhook`` (``details.field``) for a URL that is not http(s),
    unknown action types, or no events without ``all_events``."""
    body = call.body_as(WebhookCreate)
    made = await create_webhook(
        call.session, organizer_id=call.organizer.id, now=call.now, **body.model_dump()
    )
    return _hook(made)


@api.operation(
    "GET", WEBHOOK, summary="Show a webhook", tag=TAG, response=Webhook,
    permission=Permission.ORGANIZER_SETTINGS,
)  # fmt: skip
async def get_hook(call: ApiCall) -> Webhook:
    return _hook(await get_webhook(call.session, call.organizer.id, call.path_param("webhook")))


@api.operation(
    "PATCH", WEBHOOK, summary="Change a webhook", tag=TAG, response=Webhook, body=WebhookPatch,
    permission=Permission.ORGANIZER_SETTINGS,
)  # fmt: skip
async def patch_hook(call: ApiCall) -> Webhook:
    changes = call.body_as(WebhookPatch).model_dump(exclude_none=True)
    changed = await update_webhook(
        call.session, call.organizer.id, call.path_param("webhook"), **changes
    )
    return _hook(changed)


@api.operation(
    "DELETE", WEBHOOK, summary="Delete a webhook and its delivery log", tag=TAG,
    permission=Permission.ORGANIZER_SETTINGS, status=204,
)  # fmt: skip
async def delete_hook(call: ApiCall) -> None:
    await delete_webhook(call.session, call.organizer.id, call.path_param("webhook"))


@api.operation(
    "GET", WEBHOOK + "calls/", summary="A webhook's delivery log, newest first", tag=TAG,
    response=WebhookCall, permission=Permission.ORGANIZER_SETTINGS, paginated=True,
)  # fmt: skip
async def list_hook_calls(call: ApiCall) -> Page:
    page = await list_webhook_calls(
        call.session,
        call.organizer.id,
        call.path_param("webhook"),
        limit=call.page.page_size,
        offset=call.page.offset,
    )
    return Page(page.count, [_call(item) for item in page.results])


def _hook(hook: StoredWebhook) -> Webhook:
    return Webhook(
        id=hook.id,
        target_url=hook.target_url,
        secret=hook.secret,
        enabled=hook.enabled,
        all_events=hook.all_events,
        events=list(hook.events),
        action_types=list(hook.action_types),
        created_at=hook.created_at,
    )


def _call(item: StoredCall) -> WebhookCall:
    return WebhookCall(
        id=item.id,
        action_type=item.action_type,
        payload=item.payload,
        state=item.state,
        attempts=item.attempts,
        last_status=item.last_status,
        last_response=item.last_response,
        last_error=item.last_error,
        next_attempt_at=item.next_attempt_at,
        created_at=item.created_at,
        delivered_at=item.delivered_at,
    )

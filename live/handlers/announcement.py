"""``announcement.*``: moderators write event-wide announcements; attendees get the visible
ones in their greeting and as ``announcement.updated`` pushes (the event's ``AnnouncementActor``
sends those).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BeforeValidator, Field, StringConstraints, model_validator

from actors import ActorRef
from core.errors import DeniedError
from live.announcement_actor import AnnouncementActor
from live.announcement_service import State
from live.dispatch import Empty, HandlerContext, Payload, registry
from live.permissions import Permission


def _iso_text(value: object) -> object:
    # The payload is JSON: a time is an ISO 8601 string with its offset, never a bare number.
    if value is not None and not isinstance(value, str):
        msg = "must be an ISO 8601 time with an offset"
        raise ValueError(msg)
    return value


IsoTime = Annotated[AwareDatetime, BeforeValidator(_iso_text), Field(strict=False)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class CreatePayload(Payload):
    text: Text
    show_until: IsoTime | None = None
    state: Literal["draft", "active"] = "draft"


class UpdatePayload(Payload):
    id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    text: Text | None = None
    show_until: IsoTime | None = None
    state: State | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> UpdatePayload:
        if not self.model_fields_set - {"id"}:
            msg = "send at least one of text, show_until, state"
            raise ValueError(msg)
        if (self.text is None and "text" in self.model_fields_set) or (
            self.state is None and "state" in self.model_fields_set
        ):
            msg = "text and state cannot be null (only show_until can)"
            raise ValueError(msg)
        return self

    def changes(self) -> dict[str, str | datetime | None]:
        """The fields the client sent; ``show_until: null`` removes the end time."""
        fields = ("text", "show_until", "state")
        return {key: getattr(self, key) for key in fields if key in self.model_fields_set}


def _announcements(ctx: HandlerContext) -> ActorRef[AnnouncementActor]:
    if not ctx.session.access.may(Permission.EVENT_ANNOUNCE):
        raise DeniedError()
    return ctx.live.actors.ref(AnnouncementActor, ctx.session.event.id)


@registry.command("announcement.create", CreatePayload)
async def create(ctx: HandlerContext, cmd: CreatePayload) -> dict[str, Any]:
    actor = _announcements(ctx)
    announcement = await actor.ask(
        AnnouncementActor.create, ctx.session.user.id, cmd.text, cmd.state, cmd.show_until
    )
    return {"announcement": announcement}


@registry.command("announcement.update", UpdatePayload)
async def update(ctx: HandlerContext, cmd: UpdatePayload) -> dict[str, Any]:
    actor = _announcements(ctx)
    announcement = await actor.ask(
        AnnouncementActor.update, ctx.session.user.id, cmd.id, cmd.changes()
    )
    return {"announcement": announcement}


@registry.command("announcement.list", Empty)
async def list_all(ctx: HandlerContext, _cmd: Empty) -> dict[str, Any]:
    actor = _announcements(ctx)
    return {"announcements": await actor.ask(AnnouncementActor.all)}

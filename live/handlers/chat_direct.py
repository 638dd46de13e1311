"""``chat.direct.create``: the direct channel of a set of users, made once and reused."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from core.errors import DeniedError, InvalidPayloadError
from live.chat_access import Channel, listen
from live.chat_service import ChatService
from live.direct_chat_service import DirectChatService
from live.dispatch import HandlerContext, Payload, registry
from live.errors import UnknownUserError
from live.permissions import Permission

MAX_DIRECT_USERS = 20
UserId = Annotated[str, StringConstraints(min_length=1, max_length=32)]


class CreatePayload(Payload):
    users: Annotated[list[UserId], Field(min_length=1, max_length=MAX_DIRECT_USERS)]


@registry.command("chat.direct.create", CreatePayload)
async def create(ctx: HandlerContext, cmd: CreatePayload) -> dict[str, Any]:
    """Needs ``event:chat.direct``; the others must be users of the event (not banned), and no
    block may stand between the creator and any of them. The socket listens to the channel."""
    session = ctx.session
    if not session.access.may(Permission.EVENT_CHAT_DIRECT):
        raise DeniedError()
    me = session.user.id
    others = set(cmd.users) - {me}
    if not others:
        field_error = {"field": "users", "message": "Name at least one other user"}
        raise InvalidPayloadError(errors=[field_error])
    direct = DirectChatService(ctx.live.database)
    missing = others - await direct.existing_users(session.event.id, others)
    if missing:
        raise UnknownUserError(user=min(missing))
    if await direct.blocked(me, others):
        msg = "You block one of these users, or one of them blocks you"
        raise DeniedError(msg)
    members = frozenset(others | {me})
    channel_id = await direct.open(session.event.id, me, members)
    await listen(ctx, Channel(channel_id, members=members))
    profiles = await ChatService(ctx.live.database).profiles(members)
    return {"channel": channel_id, "members": [profiles[user] for user in sorted(members)]}

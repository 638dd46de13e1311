"""``chat.send`` / ``chat.edit`` / ``chat.delete`` / ``chat.react``: changes to a channel's
messages, each answered once it is durable by the channel's actor."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import StringConstraints

from core.errors import DeniedError
from live.channel_actor import ChannelActor
from live.chat_access import Channel, actor, public, usable_channel
from live.chat_errors import InvalidReactionError
from live.chat_event import is_emoji
from live.direct_chat_service import DirectChatService
from live.dispatch import HandlerContext, Payload, registry
from live.handlers.chat import ChannelId, EventId
from live.permissions import Permission

MAX_BODY_CHARS = 4000


class TextContent(Payload):
    type: Literal["text"]
    # At least one character that is not white space.
    body: Annotated[str, StringConstraints(min_length=1, max_length=MAX_BODY_CHARS, pattern=r"\S")]


class SendPayload(Payload):
    channel: ChannelId
    content: TextContent


class EditPayload(Payload):
    channel: ChannelId
    event: EventId
    content: TextContent


class DeletePayload(Payload):
    channel: ChannelId
    event: EventId


class ReactPayload(Payload):
    channel: ChannelId
    event: EventId
    reaction: Annotated[str, StringConstraints(min_length=1, max_length=16)]
    remove: bool = False


async def writable_channel(ctx: HandlerContext, channel_id: str) -> Channel:
    """A channel the user may write to; in a direct channel nobody may block anybody.

    Raises:
        UnknownChannelError: no such channel.
        DeniedError: no ``room:chat.send`` (or ``event:chat.direct``), or a block.
    """
    channel = await usable_channel(ctx, channel_id, Permission.ROOM_CHAT_SEND)
    if channel.direct:
        blocks = DirectChatService(ctx.live.database)
        if await blocks.blocked(ctx.session.user.id, channel.members):
            msg = "A member of this channel blocks you, or you block them"
            raise DeniedError(msg)
    return channel


@registry.command("chat.send", SendPayload)
async def send(ctx: HandlerContext, cmd: SendPayload) -> dict[str, Any]:
    channel = await writable_channel(ctx, cmd.channel)
    content = cmd.content.model_dump()
    return await actor(ctx, channel).ask(ChannelActor.send, public(ctx), content)


@registry.command("chat.edit", EditPayload)
async def edit(ctx: HandlerContext, cmd: EditPayload) -> dict[str, Any]:
    channel = await writable_channel(ctx, cmd.channel)
    content = cmd.content.model_dump()
    return await actor(ctx, channel).ask(ChannelActor.edit, public(ctx), cmd.event, content)


@registry.command("chat.delete", DeletePayload)
async def delete(ctx: HandlerContext, cmd: DeletePayload) -> dict[str, Any]:
    channel = await usable_channel(ctx, cmd.channel, Permission.ROOM_CHAT_READ)
    room, access = channel.room, ctx.session.access
    moderator = room is not None and access.may(Permission.ROOM_CHAT_MODERATE, room)
    if not moderator:
        channel = await writable_channel(ctx, cmd.channel)
    return await actor(ctx, channel).ask(ChannelActor.delete, public(ctx), cmd.event, moderator)


@registry.command("chat.react", ReactPayload)
async def react(ctx: HandlerContext, cmd: ReactPayload) -> dict[str, Any]:
    if not is_emoji(cmd.reaction):
        raise InvalidReactionError(reaction=cmd.reaction)
    channel = await writable_channel(ctx, cmd.channel)
    ref, user_id = actor(ctx, channel), ctx.session.user.id
    return await ref.ask(ChannelActor.react, user_id, cmd.event, cmd.reaction, cmd.remove)

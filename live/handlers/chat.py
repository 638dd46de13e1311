"""``chat.*`` membership and reading: join, leave, subscribe (with resume), unsubscribe, fetch,
mark_read. Messages are in ``chat_messages``, direct channels in ``chat_direct``.

Reads go straight to the database (they see only durable events); membership changes of room
channels go through the channel's actor.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from live import topic_names
from live.channel_actor import ChannelActor
from live.chat_access import (
    actor,
    find_channel,
    listen,
    public,
    socket_ref,
    unlisten,
    usable_channel,
)
from live.chat_service import ChatService
from live.direct_chat_service import DirectChatService
from live.dispatch import HandlerContext, Payload, registry
from live.permissions import Permission
from live.read_pointer_service import ReadPointerService

ChannelId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
EventId = Annotated[int, Field(ge=1, le=2**62)]
RESUME_LIMIT = 1000


class ChannelPayload(Payload):
    channel: ChannelId


class SubscribePayload(Payload):
    channel: ChannelId
    after: Annotated[int, Field(ge=0, le=2**62)] | None = None


class FetchPayload(Payload):
    channel: ChannelId
    before: EventId | None = None
    count: Annotated[int, Field(ge=1, le=1000)] = 100


class MarkReadPayload(Payload):
    channel: ChannelId
    event: EventId


@registry.command("chat.join", ChannelPayload)
async def join(ctx: HandlerContext, cmd: ChannelPayload) -> dict[str, Any]:
    channel = await usable_channel(ctx, cmd.channel, Permission.ROOM_CHAT_JOIN)
    await listen(ctx, channel)
    chat = ChatService(ctx.live.database)
    if channel.direct:
        await DirectChatService(ctx.live.database).set_hidden(
            channel.id, ctx.session.user.id, hidden=False
        )
        last, unread = await chat.newest(channel.id)
        position = {"next_event_id": last + 1, "unread_pointer": unread}
    else:
        position = await actor(ctx, channel).ask(
            ChannelActor.join, public(ctx), socket_ref(ctx), channel.volatile
        )
    members = [] if channel.volatile else await chat.member_profiles(channel.id)
    return {**position, "members": members}


@registry.command("chat.leave", ChannelPayload)
async def leave(ctx: HandlerContext, cmd: ChannelPayload) -> dict[str, Any]:
    channel = await find_channel(ctx, cmd.channel)
    await unlisten(ctx, channel.id)
    if channel.direct:
        if ctx.session.user.id in channel.members:
            await DirectChatService(ctx.live.database).set_hidden(
                channel.id, ctx.session.user.id, hidden=True
            )
        return {}
    await actor(ctx, channel).ask(ChannelActor.leave, public(ctx))
    return {}


@registry.command("chat.subscribe", SubscribePayload)
async def subscribe(ctx: HandlerContext, cmd: SubscribePayload) -> dict[str, Any]:
    channel = await usable_channel(ctx, cmd.channel, Permission.ROOM_CHAT_READ)
    # Listen before reading: an event may then come twice (clients keep ids), but never not at all.
    await listen(ctx, channel)
    chat = ChatService(ctx.live.database)
    events = []
    if cmd.after is not None:
        events = await chat.events_after(channel.id, cmd.after, RESUME_LIMIT + 1)
    last, unread = await chat.newest(channel.id)
    return {
        "next_event_id": max([last, *(e.id for e in events)]) + 1,
        "unread_pointer": unread,
        "events": [event.wire() for event in events[:RESUME_LIMIT]],
        "more": len(events) > RESUME_LIMIT,
    }


@registry.command("chat.unsubscribe", ChannelPayload)
async def unsubscribe(ctx: HandlerContext, cmd: ChannelPayload) -> dict[str, Any]:
    await unlisten(ctx, cmd.channel)
    return {}


@registry.command("chat.fetch", FetchPayload)
async def fetch(ctx: HandlerContext, cmd: FetchPayload) -> dict[str, Any]:
    channel = await usable_channel(ctx, cmd.channel, Permission.ROOM_CHAT_READ)
    chat = ChatService(ctx.live.database)
    events = await chat.events_before(channel.id, cmd.before, cmd.count)
    users = await chat.profiles(event.sender for event in events if event.sender is not None)
    return {"events": [event.wire() for event in events], "users": users}


@registry.command("chat.mark_read", MarkReadPayload)
async def mark_read(ctx: HandlerContext, cmd: MarkReadPayload) -> dict[str, Any]:
    channel = await usable_channel(ctx, cmd.channel, Permission.ROOM_CHAT_READ)
    user_id = ctx.session.user.id
    pointer, left = await ReadPointerService(ctx.live.database).mark_read(
        user_id, channel.id, cmd.event
    )
    topic, fanout = topic_names.user(user_id), ctx.live.fanout
    fanout.publish(topic, "chat.read_pointers", {channel.id: pointer}, skip_sid=ctx.session.sid)
    fanout.publish(topic, "chat.notification_counts", {channel.id: left})
    return {}

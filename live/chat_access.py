"""Which chat channel a command names, and whether this socket's user may use it that way.

Room channels are found in the session's event (no I/O); any other id must be a direct channel
of the event. Also owns the socket's subscriptions to channel topics.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from actors import Actor, ActorRef
from core.errors import DeniedError
from live import topic_names
from live.channel_actor import ChannelActor
from live.chat_errors import UnknownChannelError
from live.direct_chat_service import DirectChatService
from live.dispatch import HandlerContext
from live.models import Room
from live.permissions import Permission

A = TypeVar("A", bound=Actor)
P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Channel:
    """A channel as one command sees it: a room's (``room`` set) or a direct one (``members``)."""

    id: str
    room: Room | None = None
    volatile: bool = False
    members: frozenset[str] = frozenset()

    @property
    def direct(self) -> bool:
        return self.room is None


def room_channel(ctx: HandlerContext, channel_id: str) -> Channel | None:
    """The room channel with this id in the session's event, if there is one."""
    for room in ctx.session.event.rooms:
        for module in room.modules:
            if module.channel == channel_id:
                volatile = bool(module.config.get("volatile", False))
                return Channel(channel_id, room, volatile)
    return None


async def find_channel(ctx: HandlerContext, channel_id: str) -> Channel:
    """The channel, whether the user may use it or not.

    Raises:
        UnknownChannelError: no room or direct channel of the event has this id.
    """
    channel = room_channel(ctx, channel_id)
    if channel is not None:
        return channel
    members = await DirectChatService(ctx.live.database).members(channel_id, ctx.session.event.id)
    if members is None:
        raise UnknownChannelError(channel=channel_id)
    return Channel(channel_id, members=members)


async def usable_channel(ctx: HandlerContext, channel_id: str, permission: Permission) -> Channel:
    """The channel if the user holds ``permission`` for it.

    In a room channel that is the room permission (and ``room:view``). In a direct channel it is
    membership, and for anything but reading also ``event:chat.direct``.

    Raises:
        UnknownChannelError: no such channel in the event.
        DeniedError: the user may not.
    """
    channel = await find_channel(ctx, channel_id)
    access, user_id = ctx.session.access, ctx.session.user.id
    if channel.room is not None:
        allowed = access.may(Permission.ROOM_VIEW, channel.room) and access.may(
            permission, channel.room
        )
    else:
        allowed = user_id in channel.members and (
            permission is Permission.ROOM_CHAT_READ or access.may(Permission.EVENT_CHAT_DIRECT)
        )
    if not allowed:
        raise DeniedError()
    return channel


def actor(ctx: HandlerContext, channel: Channel) -> ActorRef[ChannelActor]:
    return ctx.live.actors.ref(ChannelActor, channel.id)


def socket_ref(ctx: HandlerContext) -> str:
    """The socket's address in actors' bookkeeping: ``"<node>/<sid>"``."""
    return f"{ctx.live.actors.node_id}/{ctx.session.sid}"


async def listen(ctx: HandlerContext, channel: Channel) -> None:
    """Let this socket receive the channel's pushes (a volatile channel counts it as present)."""
    topic = topic_names.channel(channel.id)
    await ctx.live.fanout.listen(ctx.session.sid, topic)
    ctx.session.topics.add(topic)
    if channel.volatile:
        actor(ctx, channel).tell(ChannelActor.track, socket_ref(ctx), ctx.session.user.id)


async def unlisten(ctx: HandlerContext, channel_id: str) -> None:
    """Stop this socket's pushes of the channel; a no-op if it was not listening."""
    session, topic = ctx.session, topic_names.channel(channel_id)
    if topic not in session.topics:
        return
    session.topics.discard(topic)
    await ctx.live.fanout.unlisten(session.sid, topic)
    channel = room_channel(ctx, channel_id)
    if channel is not None and channel.volatile:
        actor(ctx, channel).tell(ChannelActor.untrack, socket_ref(ctx), session.user.id)


async def unlisten_all(ctx: HandlerContext) -> None:
    """On disconnect: leave every channel topic (and the volatile memberships it held)."""
    prefix = topic_names.channel("")
    for topic in [t for t in ctx.session.topics if t.startswith(prefix)]:
        await unlisten(ctx, topic.removeprefix(prefix))


def public(ctx: HandlerContext) -> dict[str, Any]:
    return ctx.session.user.public()

"""``ChannelActor``: one chat channel — its event ids, its members and every change to it.

Ids are handed out here, in memory, and only grow: an activation starts after the newest stored
id, and an id given to a write that failed is never given again. Changes are durable before
they are visible (an ``actors.GroupCommit`` writes them). Callers check permissions; the actor
checks what only it knows: membership, authorship, and that a message exists.
"""

from __future__ import annotations

import asyncio
import bisect
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from actors import Actor, Deferred, GroupCommit
from core.clock import Clock, SystemClock, utc_now
from core.database import Database
from core.errors import DeniedError
from live import chat_writes, topic_names
from live.chat_errors import InvalidReactionError, UnknownChannelError, UnknownChatEventError
from live.chat_event import DELETED, ChatEvent, EventType, mentions
from live.chat_service import ChannelState, ChatService
from live.chat_writes import Push, StagedWrite

Reply = dict[str, Any]
_CACHED_MESSAGES = 1000
_MAX_REACTIONS = 20  # distinct emoji on one message
_DRAIN_S = 5.0
_SWEEP_S = 10.0


@dataclass(frozen=True, slots=True)
class ActorDeps:
    """What the composition root hands the live core's actors."""

    database: Database
    clock: Clock = field(default_factory=SystemClock)


class ChannelActor(Actor):
    """Keyed by channel id. Volatile memberships (stage chats) live only here, held by the
    sockets (``"<node>/<sid>"``) of their user that subscribed; they leave no events."""

    kind_name = "live.channel"
    fenced = True

    async def on_activate(self) -> None:
        self.chat = ChatService(self.deps.database)
        self.sockets: dict[str, set[str]] = {}
        self.volatile: set[str] = set()
        self.messages: OrderedDict[int, ChatEvent] = OrderedDict()
        self.next_id = 1
        self.durable_next = 1
        self._load(await self._state())
        self.commit: GroupCommit[StagedWrite] = GroupCommit(
            f"chat:write:{self.key}",
            self.fenced_transaction,
            chat_writes.write_batch,
            self._committed,
            self._failed,
            what="chat message",
        )

    async def on_deactivate(self) -> None:
        await self.commit.close(_DRAIN_S)

    # -- membership --------------------------------------------------------------------------

    async def join(self, user: dict[str, Any], socket_ref: str, volatile: bool) -> Deferred[Reply]:
        """Join (``user`` is the public profile); answers ``{next_event_id, unread_pointer}``."""
        await self._fresh()
        user_id = user["id"]
        if volatile:
            self.volatile.add(user_id)
            self._track(user_id, socket_ref)
        if volatile or user_id in self.members:
            return _now(self._position())
        self.members.add(user_id)
        event = self._event(user_id, "member", {"membership": "join", "user": user})
        reply = {"next_event_id": event.id + 1, "unread_pointer": self.last_message}
        statement = chat_writes.add_member(self.key, user_id)
        return self._stage([event], [statement], reply, [self._event_push(event, user)])

    async def leave(self, user: dict[str, Any]) -> Deferred[Reply]:
        await self._fresh()
        user_id = user["id"]
        self.volatile.discard(user_id)
        self.sockets.pop(user_id, None)
        if not self.sockets:
            self.timers.cancel("sweep")
        if user_id not in self.members:
            return _now({})
        self.members.discard(user_id)
        event = self._event(user_id, "member", {"membership": "leave", "user": user})
        statement = chat_writes.remove_member(self.key, user_id)
        return self._stage([event], [statement], {}, [self._event_push(event, user)])

    async def track(self, socket_ref: str, user_id: str) -> None:
        """A socket subscribed to this (volatile) channel."""
        self._track(user_id, socket_ref)

    async def untrack(self, socket_ref: str, user_id: str) -> None:
        """A socket stopped listening; a volatile membership ends with its user's last socket."""
        sockets = self.sockets.get(user_id)
        if sockets is not None:
            sockets.discard(socket_ref)
            if not sockets:
                del self.sockets[user_id]
                self.volatile.discard(user_id)
        if not self.sockets:
            self.timers.cancel("sweep")

    async def sweep(self) -> None:
        """Forget sockets of nodes that are gone."""
        alive = set(await self.system.transport.live_nodes())
        for user_id, sockets in list(self.sockets.items()):
            for ref in [r for r in sockets if r.split("/", 1)[0] not in alive]:
                await self.untrack(ref, user_id)

    # -- messages ----------------------------------------------------------------------------

    async def send(self, sender: dict[str, Any], content: dict[str, Any]) -> Deferred[Reply]:
        """Answers ``{event, mention_warning?}`` once the message is durable."""
        await self._fresh()
        user_id = sender["id"]
        self._require_member(user_id)
        event = self._event(user_id, "message", content)
        self._remember(event)
        mentioned = mentions(content)
        if self.direct:
            notified = sorted(self.members - {user_id})
        else:
            notified = [u for u in mentioned if u != user_id and self._joined(u)]
        wire = event.wire()
        statements = [chat_writes.notify(self.key, event.id, notified)] if notified else []
        if self.direct:
            statements.append(chat_writes.show_to_all(self.key))
        note = {"channel": self.key, "event": wire, "sender": sender}
        pushes = [self._event_push(event, sender, wire)]
        pushes += [(topic_names.user(user), "chat.notification", note) for user in notified]
        reply: Reply = {"event": wire}
        missed = [u for u in mentioned if not self._joined(u)]
        if missed:
            reply["mention_warning"] = {
                "channel": self.key,
                "event": event.id,
                "missed_users": missed,
            }
        return self._stage([event], statements, reply, pushes)

    async def edit(
        self, sender: dict[str, Any], target: int, content: dict[str, Any]
    ) -> Deferred[Reply]:
        """Authors edit their own messages (moderators too: only their own)."""
        await self._fresh()
        user_id = sender["id"]
        self._require_member(user_id)
        original = await self._message(target)
        if original.sender != user_id:
            msg = "Only the author may edit a message"
            raise DeniedError(msg)
        return self._replace(sender, original, content, [])

    async def delete(self, sender: dict[str, Any], target: int, moderator: bool) -> Deferred[Reply]:
        """Authors delete their messages; moderators delete anyone's."""
        await self._fresh()
        original = await self._message(target)
        if original.sender != sender["id"] and not moderator:
            msg = "Only the author or a moderator may delete a message"
            raise DeniedError(msg)
        return self._replace(sender, original, DELETED, [chat_writes.erase_edits(self.key, target)])

    async def react(
        self, user_id: str, target: int, reaction: str, remove: bool
    ) -> Deferred[Reply]:
        await self._fresh()
        self._require_member(user_id)
        original = await self._message(target)
        users = original.reactions.get(reaction, [])
        if remove is (user_id not in users):  # nothing changes
            return _now({"event": original.wire()})
        if remove:
            users.remove(user_id)
            if not users:
                del original.reactions[reaction]
            statement = chat_writes.remove_reaction(self.key, target, user_id, reaction)
        else:
            if reaction not in original.reactions and len(original.reactions) >= _MAX_REACTIONS:
                msg = f"A message takes at most {_MAX_REACTIONS} different reactions"
                raise InvalidReactionError(msg, reaction=reaction)
            bisect.insort(original.reactions.setdefault(reaction, []), user_id)
            original.reactions = dict(sorted(original.reactions.items()))
            statement = chat_writes.add_reaction(self.key, target, user_id, reaction)
        wire = original.wire()
        data = {"channel": self.key, "event": target, "reactions": wire["reactions"]}
        push = (topic_names.channel(self.key), "chat.reaction", data)
        return self._stage([], [statement], {"event": wire}, [push])

    async def stats(self) -> dict[str, int]:
        """Group commit figures of this activation (for benchmarks)."""
        return {"batches": self.commit.batches, "writes": self.commit.writes}

    # -- internals ---------------------------------------------------------------------------

    def _replace(
        self, sender: dict[str, Any], original: ChatEvent, content: dict[str, Any], extra: list[Any]
    ) -> Deferred[Reply]:
        event = self._event(sender["id"], "message", content, replaces=original.id)
        original.content, original.edited = content, event.timestamp
        statement = chat_writes.replace_content(self.key, original.id, content, event.timestamp)
        wire = event.wire()
        push = self._event_push(event, sender, wire)
        return self._stage([event], [statement, *extra], {"event": wire}, [push])

    async def _state(self) -> ChannelState:
        state = await self.chat.channel_state(self.key)
        if state is None:
            raise UnknownChannelError(channel=self.key)
        return state

    def _load(self, state: ChannelState) -> None:
        self.direct = state.room_id is None
        self.members = set(state.members)
        self.messages.clear()
        # Never back: ids handed out by this activation stay used even if their write failed.
        self.next_id = max(self.next_id, state.last_id + 1)
        self.durable_next = max(self.durable_next, state.last_id + 1)
        self.last_message = state.last_message_id
        self.stale = False

    async def _fresh(self) -> None:
        """After a failed write, reload what the failed changes may have touched in memory."""
        if self.stale:
            self._load(await self._state())

    def _failed(self) -> None:
        self.stale = True

    def _committed(self, batch: list[StagedWrite]) -> None:
        for write in batch:
            for event in write.events:
                self.durable_next = max(self.durable_next, event.id + 1)
                if event.is_original_message:
                    self.last_message = max(self.last_message, event.id)
        chat_writes.publish_pushes(batch, self.system.topics.publish)

    def _position(self) -> Reply:
        return {"next_event_id": self.durable_next, "unread_pointer": self.last_message}

    def _event(
        self, sender: str, kind: EventType, content: dict[str, Any], replaces: int | None = None
    ) -> ChatEvent:
        event = ChatEvent(self.next_id, self.key, sender, utc_now(), kind, content, replaces)
        self.next_id += 1
        return event

    def _event_push(
        self, event: ChatEvent, sender: dict[str, Any], wire: Reply | None = None
    ) -> Push:
        data = {**(wire or event.wire()), "users": {sender["id"]: sender}}
        return (topic_names.channel(self.key), "chat.event", data)

    def _stage(
        self, events: list[ChatEvent], statements: list[Any], reply: Reply, pushes: list[Push]
    ) -> Deferred[Reply]:
        write = StagedWrite(events, statements, reply, pushes)
        self.commit.stage(write)
        return Deferred(write.future)

    async def _message(self, event_id: int) -> ChatEvent:
        """A message of this channel that is not deleted, nor itself an edit."""
        event = self.messages.get(event_id)
        if event is None and 0 < event_id < self.next_id:
            event = await self.chat.event(self.key, event_id)
            if event is not None and event.is_original_message:
                self._remember(event)
        if event is None or not event.is_original_message or event.deleted:
            raise UnknownChatEventError(channel=self.key, event=event_id)
        self.messages.move_to_end(event_id)
        return event

    def _remember(self, event: ChatEvent) -> None:
        self.messages[event.id] = event
        if len(self.messages) > _CACHED_MESSAGES:
            self.messages.popitem(last=False)

    def _joined(self, user_id: str) -> bool:
        return user_id in self.members or user_id in self.volatile

    def _require_member(self, user_id: str) -> None:
        if not self._joined(user_id):
            msg = "Join the channel first"
            raise DeniedError(msg)

    def _track(self, user_id: str, socket_ref: str) -> None:
        self.sockets.setdefault(user_id, set()).add(socket_ref)
        if "sweep" not in self.timers:
            self.timers.start("sweep", _SWEEP_S, ChannelActor.sweep, interval_s=_SWEEP_S)


def _now(reply: Reply) -> Deferred[Reply]:
    future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
    future.set_result(reply)
    return Deferred(future)

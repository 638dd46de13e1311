"""The socket gateway: python-socketio on the ASGI app — authentication in the connect packet,
the ``authenticated`` greeting, command dispatch and clean-up on disconnect.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated, Any

import socketio
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError
from socketio import packet as sio_packet

from core.errors import DeniedError, EventyayError, ServerError, UnknownCommandError
from core.ids import new_error_id
from core.settings import LiveSettings
from live import connections, direct_write, socket_control, ticket_access, topic_names
from live.access import Access
from live.announcement_actor import AnnouncementActor
from live.chat_access import unlisten_all
from live.dispatch import HandlerContext, dispatch, registry
from live.errors import MissingCredentialsError, UnsupportedVersionError
from live.event_updates import EventUpdates
from live.handlers.room import leave_room
from live.invites import InviteService
from live.models import Event, User
from live.permissions import Permission
from live.rate_limit import TokenBucket
from live.read_pointer_service import ReadPointerService
from live.services import LiveServices
from live.session import Session
from live.socket_control import SocketControl
from live.tokens import verify_token
from live.user_service import Kind
from live.views import PROTOCOL_VERSION, event_view

logger = logging.getLogger(__name__)


class ConnectAuth(BaseModel):
    """The ``auth`` object of the Socket.IO CONNECT packet."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    event: Annotated[str, StringConstraints(min_length=3, max_length=101)]
    token: Annotated[str, StringConstraints(min_length=1, max_length=8192)] | None = None
    client_id: Annotated[str, StringConstraints(min_length=8, max_length=64)] | None = None
    invite: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    protocol: int = PROTOCOL_VERSION


class _Server(socketio.AsyncServer):  # type: ignore[misc]
    """python-socketio's server, except that clients cannot call its lifecycle handlers.

    Stock python-socketio routes a client event named ``connect`` or ``disconnect`` (or ``*``)
    to the handler registered under that name; here such events get the same answer as any
    unknown command.
    """

    async def _handle_event(
        self, eio_sid: str, namespace: str | None, id: int | None, data: list[Any]
    ) -> None:
        if data and data[0] in _LIFECYCLE_EVENTS:
            if id is not None:
                error = UnknownCommandError(command=str(data[0]))
                reply = {"ok": False, "error": error.to_wire()}
                ack = self.packet_class(sio_packet.ACK, namespace=namespace, id=id, data=[reply])
                await self._send_packet(eio_sid, ack)
            return
        await super()._handle_event(eio_sid, namespace, id, data)


_LIFECYCLE_EVENTS = frozenset({"connect", "disconnect", "*"})


class LiveGateway:
    """Owns the Socket.IO server and the sessions of this node's sockets."""

    def __init__(self, settings: LiveSettings) -> None:
        self.sio = _Server(
            async_mode="asgi",
            cors_allowed_origins=settings.allowed_origins,
            max_http_buffer_size=settings.max_message_bytes,
            logger=False,
            engineio_logger=False,
        )
        direct_write.install(self.sio)
        self.sessions: dict[str, Session] = {}
        self._settings = settings
        self._services: LiveServices | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.sio.on("connect", self._connect)
        self.sio.on("disconnect", self._disconnect)
        self.sio.on("*", self._command)

    def asgi_app(self) -> Any:
        return socketio.ASGIApp(self.sio, socketio_path="socket.io")

    def route(self, app: Any) -> Any:
        """``app`` with ``/socket.io/`` served by this gateway ahead of it.

        Placed in front of Starlette's exception middleware so that the Engine.IO connections see
        the server's own ASGI ``send`` (which ``direct_write`` needs).
        """
        socketio_app = self.asgi_app()

        async def routed(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] in ("http", "websocket") and scope["path"].startswith("/socket.io"):
                await socketio_app(scope, receive, send)
            else:
                await app(scope, receive, send)

        return routed

    def start(self, services: LiveServices) -> None:
        registry.freeze()
        self._services = services
        self.updates = EventUpdates(
            self.sio, services.actors.topics, services.events, self.sessions, self._leave_room
        )
        services.actors.register(AnnouncementActor, connections.UserConnectionsActor)
        services.fanout.on_control(SocketControl(self.sio, self.sessions, services.actors.node_id))

    async def stop(self) -> None:
        for sid in list(self.sessions):
            await self.sio.disconnect(sid)
        for task in list(self._tasks):
            task.cancel()
        if self._services is not None:
            await self.updates.close()

    @property
    def services(self) -> LiveServices:
        if self._services is None:
            msg = "The live gateway is not started"
            raise ServerError(msg)
        return self._services

    # -- connect ------------------------------------------------------------------------

    async def _connect(self, sid: str, environ: dict[str, Any], auth: Any) -> None:
        try:
            session = await self._authenticate(sid, auth)
        except EventyayError as exc:
            raise socketio.exceptions.ConnectionRefusedError(
                exc.code, {"code": exc.code, "message": exc.message}
            ) from None
        except Exception:
            error_id = new_error_id()
            logger.exception("connect failed (error %s)", error_id)
            raise socketio.exceptions.ConnectionRefusedError(
                ServerError.code, {"code": ServerError.code, "message": ServerError.default_message}
            ) from None
        self.sessions[sid] = session
        # The CONNECT acknowledgement is queued when this handler returns; greet after it.
        task = asyncio.create_task(self._greet(session), name=f"live:greet:{sid}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _authenticate(self, sid: str, raw: Any) -> Session:
        try:
            auth = ConnectAuth.model_validate(raw if isinstance(raw, dict) else {})
        except ValidationError:
            raise MissingCredentialsError() from None
        if auth.protocol != PROTOCOL_VERSION:
            raise UnsupportedVersionError(supported=[PROTOCOL_VERSION])
        services = self.services
        event = await services.events.by_slug(auth.event)
        user = await self._login(event, auth)
        access = Access(event, user)
        settings = self._settings
        return Session(
            sid, event, user, access, TokenBucket(settings.commands_per_s, settings.command_burst)
        )

    async def _login(self, event: Event, auth: ConnectAuth) -> User:
        users = self.services.users
        if auth.invite is not None and auth.token is None:
            invites = InviteService(self.services.database, users)
            admitted = await invites.admit(event, auth.invite, client_id=auth.client_id)
            # A returning invitee may have gained a room: their open sockets see it too.
            self.services.fanout.publish_control(
                topic_names.user(admitted.id), socket_control.regrant(admitted)
            )
            return admitted
        kind: Kind
        if auth.token is not None:
            claims = verify_token(auth.token, self.services.issuers(event))
            await ticket_access.admit_ticket(self.services, claims)
            kind, traits, name = "person", claims.traits, claims.display_name
            existing = await users.find(event.id, token_uid=claims.uid)
        elif auth.client_id is not None:
            if not event.guests_allowed:
                msg = "This event admits no guests"
                raise DeniedError(msg)
            kind, traits, name = "guest", frozenset[str](), None
            existing = await users.find(event.id, client_id=auth.client_id)
            if existing is not None and existing.kind != "guest":
                # An invitee's client id opens nothing without its (still valid) invite.
                raise DeniedError()
        else:
            raise MissingCredentialsError()
        prospective = existing or User(
            id="-", event_id=event.id, kind=kind, display_name="", traits=traits
        )
        prospective = prospective.model_copy(update={"traits": traits})
        # Decide before writing: a refused login never creates a user.
        if not Access(event, prospective).may(Permission.EVENT_VIEW):
            raise DeniedError()
        user = await users.login(
            event.id,
            kind=kind,
            traits=traits,
            display_name=name,
            token_uid=claims.uid if auth.token is not None else None,
            client_id=auth.client_id,
        )
        if auth.token is not None:
            await ticket_access.record_join(self.services, claims)
        return user

    async def _greet(self, session: Session) -> None:
        """Send the greeting; a socket that cannot be greeted is closed (its client reconnects)."""
        try:
            await self._send_greeting(session)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("greeting %s failed (error %s)", session.sid, new_error_id())
            await self.sio.disconnect(session.sid)

    async def _send_greeting(self, session: Session) -> None:
        fanout = self.services.fanout
        await fanout.listen(session.sid, topic_names.user(session.user.id))
        await fanout.listen(session.sid, topic_names.event(session.event.id))
        await self.updates.watch(session.event.id)
        # Admitted before greeted: a greeted socket's replacements are already under way.
        await connections.admit(self.services, session)
        if session.sid not in self.sessions:  # closed meanwhile: its release may have come first
            connections.release(self.services, session)
        announcements = self.services.actors.ref(AnnouncementActor, session.event.id)
        visible = await announcements.ask(AnnouncementActor.visible)
        chat = await ReadPointerService(self.services.database).greeting(
            session.user.id, session.event.id
        )
        await self.sio.emit("authenticated", authenticated(session, visible, chat), to=session.sid)

    # -- commands and disconnect ------------------------------------------------------------

    async def _command(self, name: str, sid: str, *args: Any) -> dict[str, Any]:
        session = self.sessions.get(sid)
        if session is None:
            return {"ok": False, "error": DeniedError().to_wire()}
        # No argument at all is an empty payload; several arguments are one invalid payload.
        data = args[0] if len(args) == 1 else (list(args) if args else None)
        return await dispatch(HandlerContext(session, self.services), name, data)

    async def _disconnect(self, sid: str, *_reason: Any) -> None:
        session = self.sessions.pop(sid, None)
        if session is None:
            return
        context = HandlerContext(session, self.services)
        for room_id in list(session.rooms):
            await leave_room(context, room_id)
        await unlisten_all(context)
        fanout = self.services.fanout
        await fanout.unlisten(sid, topic_names.user(session.user.id))
        await fanout.unlisten(sid, topic_names.event(session.event.id))
        await self.updates.unwatch(session.event.id)
        connections.release(self.services, session)

    async def _leave_room(self, session: Session, room_id: str) -> None:
        await leave_room(HandlerContext(session, self.services), room_id)


def authenticated(
    session: Session, announcements: list[dict[str, Any]], chat: dict[str, Any]
) -> dict[str, Any]:
    """The greeting: the user's view of the event (no secrets); ``chat`` as the
    ``ReadPointerService`` sums it up."""
    user = session.user
    return {
        "protocol": PROTOCOL_VERSION,
        "user": {**user.public(), "kind": user.kind},
        **event_view(session),
        "chat": chat,
        "announcements": announcements,
    }

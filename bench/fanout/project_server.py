"""The project's fan-out path under the same contract: ``live.Fanout`` over the actor runtime's
topics (embedded), with the same Socket.IO server settings as the stock baseline and the garbage
collector tuned as ``eventyay run`` tunes it.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import socketio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from actors import running_actor_system
from bench.fanout.contract import JOIN_EVENT, MESSAGE_EVENT, READY_PATH, ROOM, SEND_PATH, payload
from core.gc_tuning import freeze_startup_objects, tune_for_serving
from core.settings import ActorSettings
from live import Fanout, direct_write


def create_app() -> ASGIApp:
    tune_for_serving()
    sio = socketio.AsyncServer(async_mode="asgi")
    direct_write.install(sio)
    state: dict[str, Fanout] = {}

    async def join(sid: str, _data: object = None) -> bool:
        await state["fanout"].listen(sid, ROOM)
        return True

    sio.on(JOIN_EVENT, join)

    async def send(request: Request) -> JSONResponse:
        seq = int(request.query_params["seq"])
        body = payload(seq)
        started = time.perf_counter_ns()
        state["fanout"].publish(ROOM, MESSAGE_EVENT, body)
        emit_ns = time.perf_counter_ns() - started
        return JSONResponse({"seq": seq, "t": body["t"], "emit_ns": emit_ns})

    async def ready(_request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        async with running_actor_system(ActorSettings(), node_id="bench") as system:
            fanout = Fanout(sio, system.topics)
            fanout.start()
            state["fanout"] = fanout
            freeze_startup_objects()
            try:
                yield
            finally:
                await fanout.stop()

    app = Starlette(
        routes=[Route(SEND_PATH, send, methods=["POST"]), Route(READY_PATH, ready)],
        lifespan=lifespan,
    )
    # As in the platform: Socket.IO ahead of Starlette's middleware (see LiveGateway.route).
    return socketio.ASGIApp(sio, other_asgi_app=app)

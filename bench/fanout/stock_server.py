"""The baseline fan-out server: stock python-socketio ``AsyncServer`` mounted in Starlette.

``create_app()`` is what ``bench.fanout.serve`` loads; nothing here tunes socketio's send path.
"""

from __future__ import annotations

import time

import socketio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Mount, Route
from starlette.types import ASGIApp

from bench.fanout.contract import (
    JOIN_EVENT,
    MESSAGE_EVENT,
    READY_PATH,
    ROOM,
    SEND_PATH,
    payload,
)


def create_app() -> ASGIApp:
    sio = socketio.AsyncServer(async_mode="asgi")

    async def join(sid: str, _data: object = None) -> bool:
        await sio.enter_room(sid, ROOM)
        return True

    sio.on(JOIN_EVENT, join)

    async def send(request: Request) -> JSONResponse:
        seq = int(request.query_params["seq"])
        body = payload(seq)
        started = time.perf_counter_ns()
        await sio.emit(MESSAGE_EVENT, body, room=ROOM)
        emit_ns = time.perf_counter_ns() - started
        return JSONResponse({"seq": seq, "t": body["t"], "emit_ns": emit_ns})

    async def ready(_request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route(SEND_PATH, send, methods=["POST"]),
            Route(READY_PATH, ready),
            Mount("/socket.io", app=socketio.ASGIApp(sio)),
        ]
    )

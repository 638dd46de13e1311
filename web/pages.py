"""The browser pages a node serves itself: ``/join``, the attendee page of the demo links.

The page takes its event and token from the URL fragment (``/join#event=…&token=…``), which
browsers never send, so tokens stay out of request logs. Its script and the vendored Socket.IO
client come from ``/static``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).parent / "static"


def join_link(base_url: str, event: str, token: str) -> str:
    """The link that opens the attendee page for ``event`` with ``token``."""
    return f"{base_url.rstrip('/')}/join#{urlencode({'event': event, 'token': token}, safe='/')}"


def base_url(host: str, port: int) -> str:
    """The address a browser on this machine reaches a node bound to ``host``:``port`` at."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - recognising "any address", not binding it
        host = "localhost"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


async def join_page(_request: Request) -> FileResponse:
    return FileResponse(STATIC_DIR / "join.html", headers={"Cache-Control": "no-cache"})


routes: list[BaseRoute] = [
    Route("/join", join_page, methods=["GET"]),
    Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
]

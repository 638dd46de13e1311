"""Rendering the shop's Jinja2 templates (autoescaped) into HTML responses; no data access here."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from jinja2 import Environment
from starlette.responses import HTMLResponse

from web.templating import page_environment

# Shop pages hold order secrets in their URLs: never send them on as a referrer, never cache.
_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


@cache
def environment() -> Environment:
    return page_environment({"when": format_time})


def format_time(value: str | datetime | None) -> str:
    """``2025-01-31 18:05 UTC`` for an ISO timestamp (or datetime); empty for None."""
    if value is None:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def render(template: str, context: dict[str, Any], *, status_code: int = 200) -> HTMLResponse:
    html = environment().get_template(f"shop/{template}").render(**context)
    return HTMLResponse(html, status_code=status_code, headers=_HEADERS)


def error_page(
    title: str, message: str, *, status_code: int, back: str | None = None
) -> HTMLResponse:
    """A plain page for a request the shop cannot serve (unknown event, bad form, ...)."""
    return render(
        "error.html",
        {"title": title, "message": message, "back": back, "event": None},
        status_code=status_code,
    )

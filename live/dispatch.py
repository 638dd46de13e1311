"""Command dispatch: the registry of ``namespace.action`` handlers, payload validation, rate
limits, and the one place where errors become acknowledgement objects.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from core.errors import (
    EventyayError,
    InvalidPayloadError,
    RateLimitedError,
    ServerError,
    UnknownCommandError,
)
from core.ids import new_error_id
from live.errors import CommandTimeoutError
from live.services import LiveServices
from live.session import Session

logger = logging.getLogger(__name__)


class Payload(BaseModel):
    """Base of every command payload: frozen, strict types, no unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class Empty(Payload):
    """A command without arguments."""


P = TypeVar("P", bound=Payload)


@dataclass(frozen=True, slots=True)
class HandlerContext:
    """Everything one command may use; nothing per call is stored elsewhere."""

    session: Session
    live: LiveServices


Handler = Callable[[HandlerContext, P], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Command(Generic[P]):
    name: str
    payload: type[P]
    handler: Handler[P]


class CommandRegistry:
    """Commands by name; frozen once the gateway starts."""

    def __init__(self) -> None:
        self._commands: dict[str, Command[Any]] = {}
        self._frozen = False

    def command(self, name: str, payload: type[P]) -> Callable[[Handler[P]], Handler[P]]:
        """Register ``handler`` for ``name`` with its payload model."""

        def register(handler: Handler[P]) -> Handler[P]:
            if self._frozen:
                msg = "the command registry is frozen"
                raise RuntimeError(msg)
            if name in self._commands:
                msg = f"command {name!r} registered twice"
                raise ValueError(msg)
            self._commands[name] = Command(name, payload, handler)
            return handler

        return register

    def freeze(self) -> None:
        self._frozen = True

    def get(self, name: str) -> Command[Any] | None:
        return self._commands.get(name)

    @property
    def names(self) -> list[str]:
        return sorted(self._commands)


registry = CommandRegistry()


async def dispatch(context: HandlerContext, name: object, data: object) -> dict[str, Any]:
    """Run one command and return its acknowledgement; never raises (but cancellation)."""
    try:
        return {"ok": True, "data": await _run(context, name, data)}
    except asyncio.CancelledError:
        raise
    except EventyayError as exc:
        if exc.status >= 500:
            logger.warning("%s failed: %s", name, exc.code)
        return {"ok": False, "error": exc.to_wire()}
    except Exception:
        error_id = new_error_id()
        logger.exception("command %s failed (error %s)", name, error_id)
        return {"ok": False, "error": ServerError(error_id=error_id).to_wire()}


async def _run(context: HandlerContext, name: object, data: object) -> Any:
    command = registry.get(name) if isinstance(name, str) else None
    if command is None:
        raise UnknownCommandError(command=str(name)[:100])
    retry_after_s = context.session.bucket.take()
    if retry_after_s:
        raise RateLimitedError(retry_after_s=round(retry_after_s, 3))
    try:
        payload = command.payload.model_validate({} if data is None else data)
    except ValidationError as exc:
        raise InvalidPayloadError(errors=_field_errors(exc)) from None
    try:
        async with asyncio.timeout(context.live.settings.command_timeout_s):
            return await command.handler(context, payload)
    except TimeoutError:
        raise CommandTimeoutError(command=command.name) from None


def _field_errors(exc: ValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(p) for p in error["loc"]) or "(payload)", "message": error["msg"]}
        for error in exc.errors(include_url=False)
    ]

"""Error families with stable ``namespace.reason`` codes, and their wire form.

    EventyayError                  code, status, message, JSON-safe details
    ├── ProtocolError              expected failures a client can act on (4xx)
    │   ├── UnknownCommandError        protocol.unknown_command
    │   ├── InvalidPayloadError        protocol.invalid_payload
    │   ├── RateLimitedError           protocol.rate_limited
    │   ├── DeniedError                auth.denied
    │   ├── NotFoundError              protocol.not_found
    │   └── MethodNotAllowedError      protocol.method_not_allowed
    └── SystemFault                infrastructure failures (5xx)
        ├── ServerError                server.error (carries an error_id)
        ├── UnavailableError           server.unavailable
        └── SettingsError              settings.invalid

Every concrete class registers its code; codes are unique (a test checks). Conversion to the wire
shape happens only at the edges, through ``to_wire`` / ``from_wire``.
"""

from __future__ import annotations

from typing import Any, ClassVar

_REGISTRY: dict[str, type[EventyayError]] = {}


class EventyayError(Exception):
    """Base of every error the platform raises on purpose."""

    code: ClassVar[str] = "server.error"
    status: ClassVar[int] = 500
    default_message: ClassVar[str] = "Unexpected server error"

    def __init__(self, message: str | None = None, **details: Any) -> None:
        self.message = message or self.default_message
        self.details: dict[str, Any] = details
        super().__init__(self.message)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__:
            existing = _REGISTRY.get(cls.code)
            if existing is not None and existing.__qualname__ != cls.__qualname__:
                msg = f"error code {cls.code!r} is used by {existing.__qualname__} already"
                raise TypeError(msg)
            _REGISTRY[cls.code] = cls

    def to_wire(self) -> dict[str, Any]:
        """The ``{"code", "message", "details"}`` object clients see."""
        return {"code": self.code, "message": self.message, "details": self.details}

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.message, self.details))

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, code={self.code!r}, details={self.details!r})"
        )


def _rebuild(cls: type[EventyayError], message: str, details: dict[str, Any]) -> EventyayError:
    error = cls.__new__(cls)
    EventyayError.__init__(error, message, **details)
    return error


def from_wire(code: str, message: str, details: dict[str, Any]) -> EventyayError:
    """Rebuild the error a peer sent, as its own class when the code is known here."""
    cls = _REGISTRY.get(code)
    if cls is None:
        error = RemoteError(message, code=code, **details)
        return error
    return _rebuild(cls, message, details)


def error_codes() -> dict[str, type[EventyayError]]:
    """All registered codes and their classes (for docs and the protocol reference test)."""
    return dict(sorted(_REGISTRY.items()))


class ProtocolError(EventyayError):
    """An expected failure that a client can understand and act on."""

    status = 400
    default_message = "Request failed"


class SystemFault(EventyayError):
    """An infrastructure failure (database, Redis, another node); not the client's fault."""

    status = 503
    default_message = "A server component is unavailable"


class UnknownCommandError(ProtocolError):
    code = "protocol.unknown_command"
    default_message = "Unknown command"


class InvalidPayloadError(ProtocolError):
    code = "protocol.invalid_payload"
    status = 422
    default_message = "The payload is not valid"


class RateLimitedError(ProtocolError):
    code = "protocol.rate_limited"
    status = 429
    default_message = "Too many requests"


class DeniedError(ProtocolError):
    code = "auth.denied"
    status = 403
    default_message = "Permission denied"


class NotFoundError(ProtocolError):
    code = "protocol.not_found"
    status = 404
    default_message = "Not found"


class MethodNotAllowedError(ProtocolError):
    code = "protocol.method_not_allowed"
    status = 405
    default_message = "Method not allowed"


class ServerError(SystemFault):
    code = "server.error"
    status = 500
    default_message = "Unexpected server error"


class UnavailableError(SystemFault):
    code = "server.unavailable"
    default_message = "A server component is unavailable"


class RemoteError(SystemFault):
    """An error from a peer whose code this node does not know; ``details.code`` keeps it."""

    code = "server.remote_error"
    status = 500
    default_message = "A peer failed"


class SettingsError(SystemFault):
    """Start-up settings are invalid; ``problems`` names every bad variable."""

    code = "settings.invalid"
    default_message = "Invalid settings"

    def __init__(self, problems: list[str]) -> None:
        super().__init__("Invalid settings:\n  " + "\n  ".join(problems), problems=list(problems))

    @property
    def problems(self) -> list[str]:
        return list(self.details.get("problems", []))

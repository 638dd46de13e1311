"""msgpack envelopes between nodes: requests, replies and topic messages, and errors in wire form.

Decoding is defensive: anything malformed raises ``EnvelopeError`` and the caller drops it.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgpack
from pydantic import BaseModel

from core.errors import EventyayError, RemoteError, from_wire

WIRE_VERSION = 1

# Envelope types (first element after the version).
ASK = 1
TELL = 2
REPLY_OK = 3
REPLY_ERROR = 4
TOPIC = 6

_EXT_MODEL = 1


class EnvelopeError(ValueError):
    """An envelope that cannot be decoded or has the wrong shape."""


@dataclass(frozen=True, slots=True)
class Request:
    """An ask or tell for one actor on another node."""

    request_id: int
    reply_to: str
    kind: str
    key: str
    method: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    expects_reply: bool


@dataclass(frozen=True, slots=True)
class Reply:
    """The answer to an ask: a value or an error."""

    request_id: int
    status: int
    value: Any = None
    error: BaseException | None = None


@dataclass(frozen=True, slots=True)
class TopicMessage:
    """A message published on a topic; ``origin`` is the publishing node."""

    origin: str
    topic: str
    payload: Any


class Codec:
    """Encodes envelopes; knows the pydantic models that may travel inside them."""

    def __init__(self) -> None:
        self._models: dict[str, type[BaseModel]] = {}

    def register_model(self, model: type[BaseModel]) -> None:
        """Allow instances of ``model`` as arguments, results and topic payloads."""
        self._models[_model_name(model)] = model

    # -- encoding ---------------------------------------------------------------------------

    def request(self, request: Request) -> bytes:
        kind = ASK if request.expects_reply else TELL
        return self._pack(
            [
                WIRE_VERSION,
                kind,
                request.request_id,
                request.reply_to,
                request.kind,
                request.key,
                request.method,
                list(request.args),
                request.kwargs,
            ]
        )

    def reply_ok(self, request_id: int, value: Any) -> bytes:
        return self._pack([WIRE_VERSION, REPLY_OK, request_id, value])

    def reply_error(self, request_id: int, error: BaseException) -> bytes:
        return self._pack([WIRE_VERSION, REPLY_ERROR, request_id, error_to_wire(error)])

    def topic(self, origin: str, topic: str, payload: Any) -> bytes:
        return self._pack([WIRE_VERSION, TOPIC, origin, topic, payload])

    # -- decoding ---------------------------------------------------------------------------

    def decode(self, data: bytes) -> Request | Reply | TopicMessage:
        """Decode any envelope.

        Raises:
            EnvelopeError: the bytes are not a well-formed envelope of a known type.
        """
        try:
            message = msgpack.unpackb(
                data, raw=False, timestamp=3, ext_hook=self._ext_hook, strict_map_key=False
            )
        except (ValueError, TypeError, msgpack.UnpackException) as exc:
            msg = f"undecodable envelope: {exc}"
            raise EnvelopeError(msg) from None
        if not isinstance(message, list) or len(message) < 3 or message[0] != WIRE_VERSION:
            msg = "not a version-1 envelope"
            raise EnvelopeError(msg)
        try:
            return self._shape(message)
        except (ValueError, TypeError, IndexError) as exc:
            msg = f"malformed envelope: {exc}"
            raise EnvelopeError(msg) from None

    def _shape(self, message: list[Any]) -> Request | Reply | TopicMessage:
        kind = message[1]
        if kind in (ASK, TELL) and len(message) == 9:
            _, _, request_id, reply_to, actor_kind, key, method, args, kwargs = message
            _require(request_id, int)
            for text in (reply_to, actor_kind, key, method):
                _require(text, str)
            _require(args, list)
            _require(kwargs, dict)
            return Request(
                request_id, reply_to, actor_kind, key, method, tuple(args), kwargs, kind == ASK
            )
        if kind == REPLY_OK and len(message) == 4:
            return Reply(_require(message[2], int), REPLY_OK, value=message[3])
        if kind == REPLY_ERROR and len(message) == 4:
            return Reply(_require(message[2], int), REPLY_ERROR, error=error_from_wire(message[3]))
        if kind == TOPIC and len(message) == 5:
            return TopicMessage(_require(message[2], str), _require(message[3], str), message[4])
        msg = f"unknown envelope type {kind!r}"
        raise EnvelopeError(msg)

    def _pack(self, message: list[Any]) -> bytes:
        try:
            packed: bytes = msgpack.packb(
                message, use_bin_type=True, datetime=True, default=self._default
            )
        except (TypeError, ValueError, OverflowError) as exc:
            msg = f"cannot encode for another node: {exc}"
            raise TypeError(msg) from None
        return packed

    def _default(self, value: Any) -> Any:
        if isinstance(value, BaseModel) and _model_name(type(value)) in self._models:
            body = msgpack.packb(
                [_model_name(type(value)), value.model_dump(mode="python")],
                use_bin_type=True,
                datetime=True,
                default=self._default,
            )
            return msgpack.ExtType(_EXT_MODEL, body)
        if isinstance(value, tuple | set | frozenset):
            return list(value)
        if isinstance(value, datetime):
            msg = "naive datetimes cannot cross nodes; use timezone-aware ones"
            raise TypeError(msg)
        msg = f"{type(value).__qualname__} is not a wire type"
        raise TypeError(msg)

    def _ext_hook(self, code: int, data: bytes) -> Any:
        if code != _EXT_MODEL:
            msg = f"unknown extension type {code}"
            raise ValueError(msg)
        name, fields = msgpack.unpackb(
            data, raw=False, timestamp=3, ext_hook=self._ext_hook, strict_map_key=False
        )
        model = self._models.get(name)
        if model is None:
            msg = f"unknown model {name!r}"
            raise ValueError(msg)
        return model.model_validate(fields)


def _model_name(model: type[BaseModel]) -> str:
    return f"{model.__module__}.{model.__qualname__}"


def _require(value: Any, expected: type) -> Any:
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        msg = f"expected {expected.__name__}, got {type(value).__name__}"
        raise TypeError(msg)
    return value


def error_to_wire(error: BaseException) -> list[Any]:
    """``["e", code, message, details]`` for platform errors, ``["b", name, args]`` else."""
    if isinstance(error, EventyayError):
        return ["e", error.code, error.message, _plain(error.details)]
    name = type(error).__name__
    if getattr(builtins, name, None) is type(error):
        return ["b", name, [_plain(arg) for arg in error.args]]
    return ["e", RemoteError.code, f"{type(error).__qualname__}: {error}", {"type": name}]


def error_from_wire(wire: Any) -> BaseException:
    """Rebuild an error sent by ``error_to_wire`` as the same type where this node knows it."""
    if isinstance(wire, list) and len(wire) == 4 and wire[0] == "e":
        _, code, message, details = wire
        return from_wire(str(code), str(message), details if isinstance(details, dict) else {})
    if isinstance(wire, list) and len(wire) == 3 and wire[0] == "b":
        cls = getattr(builtins, str(wire[1]), None)
        if isinstance(cls, type) and issubclass(cls, Exception) and isinstance(wire[2], list):
            return cls(*wire[2])
    return RemoteError("A peer failed with an unreadable error", wire=repr(wire)[:200])


def _plain(value: Any) -> Any:
    """``value`` if msgpack can carry it as it is, else its text."""
    if value is None or isinstance(value, bool | int | float | str | bytes):
        return value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)

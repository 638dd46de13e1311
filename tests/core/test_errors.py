"""Error families: stable unique codes, the wire shape, and rebuilding errors from it."""

from __future__ import annotations

import gc
import pickle
import re

import pytest

from core.errors import (
    DeniedError,
    EventyayError,
    InvalidPayloadError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    RemoteError,
    ServerError,
    SettingsError,
    SystemFault,
    UnavailableError,
    UnknownCommandError,
    error_codes,
    from_wire,
)

CODE_SHAPE = re.compile(r"[a-z][a-z_]*\.[a-z][a-z_]*")

CORE_ERRORS = [
    UnknownCommandError,
    InvalidPayloadError,
    RateLimitedError,
    DeniedError,
    NotFoundError,
    ServerError,
    UnavailableError,
    RemoteError,
]


def concrete_error_classes() -> list[type[EventyayError]]:
    """Every loaded subclass of EventyayError that declares a code of its own."""
    # A class whose creation was refused stays in __subclasses__ until the cycle collector runs.
    gc.collect()
    found: list[type[EventyayError]] = []
    pending = list(EventyayError.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if "code" in cls.__dict__:
            found.append(cls)
    return found


def test_every_code_is_registered_for_exactly_its_class() -> None:
    classes = concrete_error_classes()
    codes = error_codes()

    assert len({cls.code for cls in classes}) == len(classes)
    assert {cls.code: cls for cls in classes} == codes
    assert set(CORE_ERRORS) | {SettingsError} <= set(codes.values())


def test_codes_are_namespace_dot_reason() -> None:
    misshapen = [code for code in error_codes() if not CODE_SHAPE.fullmatch(code)]

    assert misshapen == []


def test_reusing_a_code_is_refused() -> None:
    with pytest.raises(TypeError, match=r"'auth\.denied' is used by DeniedError"):

        class AnotherDeniedError(ProtocolError):
            code = "auth.denied"

    assert error_codes()["auth.denied"] is DeniedError


def test_families_split_client_failures_from_infrastructure_failures() -> None:
    for cls in (UnknownCommandError, InvalidPayloadError, RateLimitedError, DeniedError):
        assert issubclass(cls, ProtocolError)
        assert 400 <= cls.status < 500
    assert issubclass(NotFoundError, ProtocolError)
    for cls in (ServerError, UnavailableError, RemoteError, SettingsError):
        assert issubclass(cls, SystemFault)
        assert cls.status >= 500


def test_to_wire_is_code_message_and_details() -> None:
    error = InvalidPayloadError("Poll needs an answer", field="answer", limits=[1, 3])

    assert error.to_wire() == {
        "code": "protocol.invalid_payload",
        "message": "Poll needs an answer",
        "details": {"field": "answer", "limits": [1, 3]},
    }
    assert error.status == 422


def test_to_wire_uses_the_default_message() -> None:
    assert DeniedError().to_wire() == {
        "code": "auth.denied",
        "message": "Permission denied",
        "details": {},
    }


@pytest.mark.parametrize("cls", CORE_ERRORS)
def test_from_wire_rebuilds_the_same_class(cls: type[EventyayError]) -> None:
    wire = cls("Something specific", room="r1", attempt=2).to_wire()

    rebuilt = from_wire(wire["code"], wire["message"], wire["details"])

    assert type(rebuilt) is cls
    assert rebuilt.message == "Something specific"
    assert rebuilt.details == {"room": "r1", "attempt": 2}
    assert rebuilt.to_wire() == wire


def test_from_wire_rebuilds_settings_error_with_its_problems() -> None:
    wire = SettingsError(["EVENTYAY_WEB__PORT: too big"]).to_wire()

    rebuilt = from_wire(wire["code"], wire["message"], wire["details"])

    assert type(rebuilt) is SettingsError
    assert rebuilt.problems == ["EVENTYAY_WEB__PORT: too big"]
    assert rebuilt.to_wire() == wire


def test_unknown_code_becomes_remote_error_keeping_the_code() -> None:
    rebuilt = from_wire("future.feature_missing", "Not here yet", {"room": "r1"})

    assert type(rebuilt) is RemoteError
    assert rebuilt.to_wire() == {
        "code": "server.remote_error",
        "message": "Not here yet",
        "details": {"code": "future.feature_missing", "room": "r1"},
    }


@pytest.mark.parametrize(
    "error",
    [
        RateLimitedError("Slow down", retry_after_s=1.5),
        ServerError(error_id="abc123"),
        RemoteError("A peer failed", code="future.thing"),
        SettingsError(["EVENTYAY_DB_URL: bad", "EVENTYAY_WEB__PORT: bad"]),
    ],
    ids=lambda error: type(error).__name__,
)
def test_pickling_keeps_class_message_and_details(error: EventyayError) -> None:
    restored = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes

    assert type(restored) is type(error)
    assert restored.to_wire() == error.to_wire()
    assert str(restored) == str(error)


def test_repr_shows_class_code_and_details() -> None:
    assert repr(NotFoundError("No such room", room="r9")) == (
        "NotFoundError('No such room', code='protocol.not_found', details={'room': 'r9'})"
    )

"""msgpack envelopes: round trips, errors in wire form, and malformed input."""

from __future__ import annotations

from datetime import UTC, datetime

import msgpack
import pytest
from pydantic import BaseModel

from actors.codec import Codec, EnvelopeError, Reply, Request, TopicMessage
from core.errors import DeniedError, RemoteError
from tests.support.sample_actors import TooLargeError


class Seat(BaseModel):
    row: int
    label: str


def make_request(**changes: object) -> Request:
    values: dict[str, object] = {
        "request_id": 7,
        "reply_to": "node-a",
        "kind": "test.recorder",
        "key": "k1",
        "method": "record",
        "args": (1, "two", [3.0], {"four": None}),
        "kwargs": {"flag": True},
        "expects_reply": True,
    }
    values.update(changes)
    return Request(**values)  # type: ignore[arg-type]


def test_a_request_survives_the_round_trip() -> None:
    codec = Codec()
    request = make_request()
    assert codec.decode(codec.request(request)) == request


def test_tells_carry_no_reply_expectation() -> None:
    codec = Codec()
    request = make_request(request_id=0, expects_reply=False)
    assert codec.decode(codec.request(request)) == request


def test_timezone_aware_datetimes_and_registered_models_travel() -> None:
    codec = Codec()
    codec.register_model(Seat)
    when = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
    decoded = codec.decode(codec.reply_ok(3, {"at": when, "seat": Seat(row=2, label="B")}))
    assert decoded == Reply(3, 3, value={"at": when, "seat": Seat(row=2, label="B")})


def test_unregistered_objects_are_refused_when_encoding() -> None:
    with pytest.raises(TypeError, match="not a wire type"):
        Codec().reply_ok(1, object())
    with pytest.raises(TypeError, match="naive datetimes"):
        Codec().reply_ok(1, datetime(2026, 1, 1))


def test_platform_errors_come_back_as_their_own_class() -> None:
    codec = Codec()
    decoded = codec.decode(codec.reply_error(5, TooLargeError(limit=10, value=11)))
    assert isinstance(decoded, Reply)
    assert isinstance(decoded.error, TooLargeError)
    assert decoded.error.to_wire() == TooLargeError(limit=10, value=11).to_wire()
    denied = codec.decode(codec.reply_error(6, DeniedError()))
    assert isinstance(denied, Reply)
    assert isinstance(denied.error, DeniedError)


def test_builtin_errors_come_back_as_their_own_class() -> None:
    codec = Codec()
    decoded = codec.decode(codec.reply_error(5, KeyError("missing")))
    assert isinstance(decoded, Reply)
    assert isinstance(decoded.error, KeyError)
    assert decoded.error.args == ("missing",)


def test_other_errors_become_remote_errors_naming_their_type() -> None:
    class Odd(Exception):
        pass

    codec = Codec()
    decoded = codec.decode(codec.reply_error(5, Odd("strange")))
    assert isinstance(decoded, Reply)
    assert isinstance(decoded.error, RemoteError)
    assert decoded.error.details == {"type": "Odd"}
    assert "strange" in decoded.error.message


def test_topic_messages_round_trip() -> None:
    codec = Codec()
    assert codec.decode(codec.topic("n1", "room:1", {"x": 1})) == TopicMessage(
        "n1", "room:1", {"x": 1}
    )


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xc1",
        b"not msgpack at all \xff\xfe",
        msgpack.packb("a string"),
        msgpack.packb([2, 1, 1, "n", "k", "key", "m", [], {}]),
        msgpack.packb([1, 99, 1]),
        msgpack.packb([1, 1, "id", "n", "k", "key", "m", [], {}]),
        msgpack.packb([1, 1, 1, "n", "k", "key", "m", "args", {}]),
        msgpack.packb([1, 1, 1, "n", "k", "key"]),
        msgpack.packb([1, 3]),
        msgpack.packb([1, 6, "n", 5, "payload"]),
        msgpack.ExtType(1, b"junk").data,
        msgpack.packb([1, 3, 1, msgpack.ExtType(1, msgpack.packb(["unknown.Model", {}]))]),
        msgpack.packb([1, 3, 1, msgpack.ExtType(42, b"")]),
    ],
)
def test_malformed_envelopes_raise_envelope_error(data: bytes) -> None:
    with pytest.raises(EnvelopeError):
        Codec().decode(data)

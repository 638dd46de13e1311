"""The shape every fan-out server under test must have, and the payload all of them send.

Holds names and the payload format only; it starts nothing and knows no server implementation.
"""

from __future__ import annotations

import json
import time

# A server module for ``python -m bench.fanout.run --server <module>`` exposes ``create_app()``,
# returning an ASGI app that serves Socket.IO v5 at /socket.io/ (Engine.IO v4 over WebSocket), acks
# JOIN_EVENT once the sender is in ROOM, and on ``POST SEND_PATH?seq=N`` emits ``payload(N)`` as
# MESSAGE_EVENT to ROOM, answering JSON ``{"emit_ns": <ns the emit call took>}``.
ROOM = "r"
JOIN_EVENT = "join"  # acked once the sender is in ROOM
MESSAGE_EVENT = "m"
SEND_PATH = "/fanout/send"  # POST ?seq=N: emit one message to ROOM, answer once the emit returned
READY_PATH = "/fanout/ready"  # GET: 200 once the app serves
PAYLOAD_BYTES = 120

# The swarm finds these by a plain byte search in the received frame, the stamp first: servers
# must send ``payload()``'s keys in order with compact separators (``"t":123``), as socketio does.
STAMP_KEY = b'"t":'
SEQ_KEY = b'"seq":'


def payload(seq: int) -> dict[str, object]:
    """The message for send ``seq``, stamped now with ``time.time_ns()`` (the swarm's clock too).

    Padded so its compact JSON is about ``PAYLOAD_BYTES`` long.
    """
    body: dict[str, object] = {"t": time.time_ns(), "seq": seq, "pad": ""}
    size = len(json.dumps(body, separators=(",", ":")))
    body["pad"] = "x" * max(0, PAYLOAD_BYTES - size)
    return body

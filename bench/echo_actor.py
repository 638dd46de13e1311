"""The actor the benchmarks talk to: echoes asks and counts tells. Holds no benchmark logic."""

from __future__ import annotations

from typing import Any

from actors import Actor, ActorContext


class EchoActor(Actor):
    """Replies with what it was given; counts the tells it handled."""

    def __init__(self, context: ActorContext) -> None:
        super().__init__(context)
        self.handled = 0

    async def echo(self, value: Any) -> Any:
        return value

    async def note(self, value: Any) -> None:
        self.handled += 1

    async def count(self) -> int:
        return self.handled


def chat_message(seq: int) -> dict[str, Any]:
    """The payload every echo carries: about the size of a chat message (~100 bytes packed)."""
    return {"seq": seq, "room": "bench", "text": "x" * 80}

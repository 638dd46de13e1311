"""What the runtime knows about each actor class: wire name, message methods and policies."""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from actors.actor import LIFECYCLE_HOOKS, Actor, Handler
from actors.supervision import RestartPolicy
from core.settings import ActorSettings


@dataclass(frozen=True, slots=True)
class KindInfo:
    """One actor class as the runtime sees it."""

    name: str
    cls: type[Actor]
    methods: dict[str, Handler]
    idle_ttl_s: float
    restart: RestartPolicy
    fenced: bool


def describe(cls: type[Actor], settings: ActorSettings) -> KindInfo:
    """Inspect an actor class once."""
    if not (isinstance(cls, type) and issubclass(cls, Actor)):
        msg = f"{cls!r} is not an Actor subclass"
        raise TypeError(msg)
    methods = {
        name: member
        for name, member in inspect.getmembers(cls, inspect.iscoroutinefunction)
        if not name.startswith("_") and name not in LIFECYCLE_HOOKS
    }
    restart = cls.restart or RestartPolicy(
        max_restarts=settings.max_restarts,
        within_s=settings.restart_window_s,
        backoff_s=settings.restart_backoff_s,
    )
    return KindInfo(
        name=cls.kind_name or f"{cls.__module__}.{cls.__qualname__}",
        cls=cls,
        methods=methods,
        idle_ttl_s=cls.idle_ttl_s if cls.idle_ttl_s is not None else settings.idle_ttl_s,
        restart=restart,
        fenced=cls.fenced,
    )


class KindRegistry:
    """Actor kinds by class and by wire name, for this node."""

    def __init__(self, settings: ActorSettings) -> None:
        self._settings = settings
        self._by_class: dict[type[Actor], KindInfo] = {}
        self._by_name: dict[str, KindInfo] = {}

    def info(self, cls: type[Actor]) -> KindInfo:
        """The kind of ``cls``, registering it on first use."""
        found = self._by_class.get(cls)
        if found is not None:
            return found
        info = describe(cls, self._settings)
        other = self._by_name.get(info.name)
        if other is not None and other.cls is not cls:
            msg = f"two actor classes share the kind name {info.name!r}"
            raise TypeError(msg)
        self._by_class[cls] = info
        self._by_name[info.name] = info
        return info

    def by_name(self, name: str) -> KindInfo | None:
        return self._by_name.get(name)

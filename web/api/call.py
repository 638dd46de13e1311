"""What a REST handler gets: the request, one database transaction, the principal, the organizer
and event its path names, and its validated body, filters and page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from catalog.tickets.permissions import Principal
from web.api.pages import PageQuery

M = TypeVar("M", bound=BaseModel)
# Run once the handler's transaction committed: a plain call or a coroutine function.
AfterCommit = Callable[[], Awaitable[None] | None]


@dataclass(frozen=True, slots=True)
class OrganizerRef:
    id: str
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class EventRef:
    """``slug`` is the short slug within the organizer (the table stores ``<org>/<event>``)."""

    id: str
    organizer_id: str
    slug: str


@dataclass(slots=True)
class ApiCall:
    request: Request
    session: AsyncSession
    principal: Principal | None
    now: datetime
    body: BaseModel | None = None
    query: BaseModel | None = None
    page: PageQuery = field(default_factory=PageQuery)
    organizer_ref: OrganizerRef | None = None
    event_ref: EventRef | None = None
    after_commit_hooks: list[AfterCommit] = field(default_factory=list)

    def after_commit(self, hook: AfterCommit) -> None:
        """Run ``hook`` after the transaction committed (never when it rolled back), e.g. to
        tell an actor to re-read what was written. A failing hook is logged; the answer stands."""
        self.after_commit_hooks.append(hook)

    def body_as(self, model: type[M]) -> M:
        assert isinstance(self.body, model), "the endpoint declares this body model"
        return self.body

    def query_as(self, model: type[M]) -> M:
        assert isinstance(self.query, model), "the endpoint declares this query model"
        return self.query

    @property
    def organizer(self) -> OrganizerRef:
        assert self.organizer_ref is not None, "the endpoint's path names an organizer"
        return self.organizer_ref

    @property
    def event(self) -> EventRef:
        assert self.event_ref is not None, "the endpoint's path names an event"
        return self.event_ref

    def path_param(self, name: str) -> str:
        return str(self.request.path_params[name])

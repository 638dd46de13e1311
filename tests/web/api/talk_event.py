"""A talk event reached over /api/v1 by a token of its organizer: rows arranged with the talk
catalog's factories, calls made relative to the event's path."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from catalog.tickets.permissions import ALL_PERMISSIONS, Permission
from tests.catalog.talk.talk_rows import event_slug, make_event
from tests.web.api.api_client import ApiClient

V1 = "/api/v1"


@dataclass(frozen=True, slots=True)
class TalkEvent:
    api: ApiClient
    event_id: str
    org: str
    event: str
    headers: dict[str, str]

    @classmethod
    async def make(
        cls, api: ApiClient, permissions: Iterable[Permission] = ALL_PERMISSIONS
    ) -> TalkEvent:
        async with api.database.transaction() as session:
            event_id = await make_event(session)
        org, event = event_slug(event_id).split("/")
        return cls(api, event_id, org, event, await api.token(org, permissions))

    def url(self, path: str) -> str:
        return f"{V1}/organizers/{self.org}/events/{self.event}/{path}"

    async def call(
        self,
        method: str,
        path: str,
        status: int,
        *,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        response = await self.api.http.request(
            method, self.url(path), headers=headers or self.headers, **kwargs
        )
        assert response.status_code == status, response.text
        return response.json() if response.content else None

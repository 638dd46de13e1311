"""The speaker area: a speaker's submissions, profile and co-speaker invitations."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []

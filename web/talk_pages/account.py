"""Account pages shared by speakers and reviewers: sign up, log in, log out."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []

"""Server-rendered pages of the talk catalog for speakers and reviewers (the public schedule
page is ``web.schedule_page``). Each module owns its pages and lists their routes."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.talk_pages import account, cfp, review, speaker

routes: list[BaseRoute] = [*account.routes, *cfp.routes, *speaker.routes, *review.routes]

"""The composition root: ``create_app`` wires settings, database, actor runtime and the live
gateway into Starlette. This is the only module that knows every package.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware

from actors import running_actor_system
from catalog.talk import running_talk_delivery
from catalog.tickets import (
    Inventory,
    InventoryActor,
    OrderNotices,
    OrderService,
    TicketDeps,
    providers,
    running_ticket_delivery,
)
from catalog.tickets.order_jobs import running_order_jobs
from core.clock import Clock, SystemClock
from core.database import running_database
from core.errors import EventyayError
from core.gc_tuning import freeze_startup_objects
from core.migrate import prepare_schema
from core.secrets import load_secret_key
from core.settings import Settings
from live import (
    DEMO_SLUG,
    ChannelActor,
    EventService,
    Fanout,
    LiveGateway,
    LiveServices,
    RoomActor,
    TimelineActor,
    UserService,
    demo_tokens,
    event_issuers,
    seed_demo,
)
from live.ticket_access import revoke_tickets
from web import health, pages, schedule_exports, schedule_page, shop, talk_pages
from web.api import api_routes
from web.demo_seed import DemoLogin, seed_demo_catalogs
from web.errors import platform_error
from web.services import NodeDeps, Services, TicketServices
from web.ticket_links import ShopLinks

logger = logging.getLogger(__name__)


def create_app(
    settings: Settings, *, tune_gc: bool = False, clock: Clock | None = None
) -> Starlette:
    """The ASGI app of one node; services start and stop with its lifespan.

    ``tune_gc`` (set by ``eventyay run``) freezes the objects of start-up out of the garbage
    collector's sight once the node is up; see ``core.gc_tuning``. ``clock`` is the wall time
    schedules follow (tests run a day in seconds with ``core.clock.ScaledClock``).
    """
    gateway = LiveGateway(settings.live)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        secret_key = await asyncio.to_thread(load_secret_key, settings)
        links = ShopLinks(public_url(settings), secret_key)
        offered = providers(test_payments=settings.tickets.test_payments)
        wall_clock = clock or SystemClock()
        notices = OrderNotices(links, offered)
        async with running_database(settings.database_url, settings.db) as database:
            await prepare_schema(database, settings.db.auto_migrate)
            async with running_actor_system(
                settings.actors,
                node_id=settings.node_id,
                redis_url=settings.redis_url,
                redis_settings=settings.redis,
                database=database,
                deps=NodeDeps(database, TicketDeps(database, on_sale=notices), wall_clock),
            ) as actors:
                actors.register(RoomActor, ChannelActor, TimelineActor, InventoryActor)
                events = EventService(database)
                if settings.live.seed_demo and await seed_demo(events):
                    login = await seed_demo_catalogs(database, actors, wall_clock, DEMO_SLUG)
                    _announce_demo(settings, secret_key, login)
                fanout = Fanout(gateway.sio, actors.topics)
                fanout.start()
                live = LiveServices(
                    settings=settings.live,
                    database=database,
                    actors=actors,
                    events=events,
                    users=UserService(database),
                    fanout=fanout,
                    issuers=lambda event: event_issuers(secret_key, event),
                )
                gateway.start(live)
                inventory = Inventory(actors, database)

                async def revoke(event_slug: str, uids: list[str]) -> None:
                    await revoke_tickets(live, event_slug, uids)

                orders = OrderService(database, inventory, offered, notices, revoke=revoke)
                try:
                    async with (
                        running_ticket_delivery(
                            database, settings.tickets, settings.mail, data_dir=settings.data_dir
                        ) as deliverer,
                        running_order_jobs(
                            orders, deliverer.wake, interval_s=settings.tickets.jobs_interval_s
                        ),
                        running_talk_delivery(
                            database,
                            settings.mail,
                            base_url=public_url(settings),
                            data_dir=settings.data_dir,
                        ) as talk_mail,
                    ):
                        tickets = TicketServices(inventory, orders, offered, links, deliverer)
                        app.state.services = Services(
                            settings, database, actors, live, tickets, wall_clock, talk_mail
                        )
                        if tune_gc:
                            freeze_startup_objects()
                        yield
                finally:
                    await gateway.stop()
                    await fanout.stop()

    return Starlette(
        debug=settings.debug,
        # The schedule exports' paths start with any organizer slug: they come last.
        routes=[
            *health.routes,
            *pages.routes,
            *shop.routes,
            *api_routes(),
            *talk_pages.routes,
            *schedule_page.routes,
            *schedule_exports.routes,
        ],
        middleware=[Middleware(gateway.route)],
        lifespan=lifespan,
        exception_handlers={
            HTTPException: platform_error,
            EventyayError: platform_error,
            Exception: platform_error,
        },
    )


def public_url(settings: Settings) -> str:
    """The platform's address in links sent out: the configured one, else this node's."""
    return settings.tickets.public_url or pages.base_url(settings.web.host, settings.web.port)


def _announce_demo(settings: Settings, secret_key: str, login: DemoLogin) -> None:
    tokens = demo_tokens(secret_key)
    base = pages.base_url(settings.web.host, settings.web.port)
    lines = [f"created the demo event {DEMO_SLUG}; open it in a browser:"]
    lines += [
        f"  {role}: {pages.join_link(base, DEMO_SLUG, tokens[role])}"
        for role in ("attendee", "moderator")
    ]
    lines += [
        f"  schedule: {base}/{DEMO_SLUG}/schedule/",
        f"  call for papers: {base}/{DEMO_SLUG}/cfp/",
        f"  ticket shop: {base}/shop/{DEMO_SLUG}/",
        f"  reviews: {base}/{DEMO_SLUG}/reviews/ (log in as {login.email}, "
        f"password {login.password})",
    ]
    logger.info("\n".join(lines))

"""The running services of one node, as the app's lifespan built them."""

from __future__ import annotations

from dataclasses import dataclass, field

from actors import ActorSystem
from catalog.tickets import Inventory, OrderService, PaymentProvider, TicketDeps
from core.clock import Clock, SystemClock
from core.database import Database
from core.outbox import Deliverer
from core.settings import Settings
from live import LiveServices
from web.ticket_links import ShopLinks


@dataclass(frozen=True, slots=True)
class NodeDeps:
    """What the node's actors get: the database (live actors) and the tickets catalog's needs."""

    database: Database
    tickets: TicketDeps
    clock: Clock = field(default_factory=SystemClock)


@dataclass(frozen=True, slots=True)
class TicketServices:
    """Selling tickets on this node."""

    inventory: Inventory
    orders: OrderService
    providers: dict[str, PaymentProvider]
    links: ShopLinks
    deliverer: Deliverer


@dataclass(frozen=True, slots=True)
class Services:
    """What request handlers may use; stored on ``app.state.services``."""

    settings: Settings
    database: Database
    actors: ActorSystem
    live: LiveServices
    tickets: TicketServices
    clock: Clock = field(default_factory=SystemClock)  # the wall time schedules follow
    # Delivers the talk catalog's mails; ``wake()`` it after committing one (a release, an
    # invitation) to send at once rather than at its next pass.
    talk_mail: Deliverer | None = None

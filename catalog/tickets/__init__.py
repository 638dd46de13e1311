"""Tickets catalog (pretix semantics): products, quotas, vouchers, carts and orders.

Never imports ``live``, ``media`` or ``web``.
"""

from catalog.tickets import account_tables, delivery_tables, tables
from catalog.tickets.availability import (
    NOT_FOR_SALE,
    UNLIMITED,
    Availability,
    AvailabilityState,
    QuotaUsage,
    item_availability,
    quota_availability,
)
from catalog.tickets.availability_queries import item_quota_ids, quota_usages
from catalog.tickets.checkin import (
    CheckinReason,
    CheckinResult,
    CheckinType,
    ScannedPosition,
    record_online_checkin,
    redeem,
)
from catalog.tickets.checkin_lists import (
    CheckinList,
    UnknownCheckinListError,
    checkin_lists_of,
    create_checkin_list,
    get_checkin_list,
    online_list,
    update_checkin_list,
)
from catalog.tickets.checkin_status import CheckinListStatus, ProductCheckinCount, list_status
from catalog.tickets.delivery import running_ticket_delivery, ticket_deliverer
from catalog.tickets.entitlements import (
    ADMISSION_TRAIT,
    Entitlement,
    entitlement_valid,
    entitlements_of,
    grants_access,
    product_facts,
)
from catalog.tickets.inventory import Inventory
from catalog.tickets.inventory_actor import InventoryActor, TicketDeps
from catalog.tickets.mail import MailCarrier, enqueue_mail
from catalog.tickets.mail_templates import MAIL_KINDS, MailKind, render_mail
from catalog.tickets.order_notices import OrderNotices, TicketLinks
from catalog.tickets.order_service import OrderService
from catalog.tickets.order_summary import Summary, order_summaries
from catalog.tickets.outbox import Carrier, Deliverer, Outcome, RetryPolicy, RunCounts
from catalog.tickets.payments import PaymentProvider, providers
from catalog.tickets.sale_orders import OrderDraft
from catalog.tickets.sale_vouchers import VoucherDraft
from catalog.tickets.status import OrderStatus, PriceMode
from catalog.tickets.webhook_delivery import WebhookCarrier, verify_signature
from catalog.tickets.webhooks import (
    ACTION_TYPES,
    CHECKIN_CREATED,
    ORDER_CANCELED,
    ORDER_CHANGED,
    ORDER_EXPIRED,
    ORDER_PAID,
    ORDER_PLACED,
    ORDER_REFUNDED,
    InvalidWebhookError,
    Webhook,
    WebhookCall,
    WebhookCallPage,
    WebhookNotFoundError,
    create_webhook,
    delete_webhook,
    enqueue_webhook_calls,
    get_webhook,
    list_webhook_calls,
    list_webhooks,
    update_webhook,
)

__all__ = [
    "ACTION_TYPES",
    "ADMISSION_TRAIT",
    "CHECKIN_CREATED",
    "MAIL_KINDS",
    "NOT_FOR_SALE",
    "ORDER_CANCELED",
    "ORDER_CHANGED",
    "ORDER_EXPIRED",
    "ORDER_PAID",
    "ORDER_PLACED",
    "ORDER_REFUNDED",
    "UNLIMITED",
    "Availability",
    "AvailabilityState",
    "Carrier",
    "CheckinList",
    "CheckinListStatus",
    "CheckinReason",
    "CheckinResult",
    "CheckinType",
    "Deliverer",
    "Entitlement",
    "InvalidWebhookError",
    "Inventory",
    "InventoryActor",
    "MailCarrier",
    "MailKind",
    "OrderDraft",
    "OrderNotices",
    "OrderService",
    "OrderStatus",
    "Outcome",
    "PaymentProvider",
    "PriceMode",
    "ProductCheckinCount",
    "QuotaUsage",
    "RetryPolicy",
    "RunCounts",
    "ScannedPosition",
    "Summary",
    "TicketDeps",
    "TicketLinks",
    "UnknownCheckinListError",
    "VoucherDraft",
    "Webhook",
    "WebhookCall",
    "WebhookCallPage",
    "WebhookCarrier",
    "WebhookNotFoundError",
    "account_tables",
    "checkin_lists_of",
    "create_checkin_list",
    "create_webhook",
    "delete_webhook",
    "delivery_tables",
    "enqueue_mail",
    "enqueue_webhook_calls",
    "entitlement_valid",
    "entitlements_of",
    "get_checkin_list",
    "get_webhook",
    "grants_access",
    "item_availability",
    "item_quota_ids",
    "list_status",
    "list_webhook_calls",
    "list_webhooks",
    "online_list",
    "order_summaries",
    "product_facts",
    "providers",
    "quota_availability",
    "quota_usages",
    "record_online_checkin",
    "redeem",
    "render_mail",
    "running_ticket_delivery",
    "tables",
    "ticket_deliverer",
    "update_checkin_list",
    "update_webhook",
    "verify_signature",
]

"""Payment providers: how an order is paid and refunded. ``bank_transfer`` waits for the
organizer to confirm the money arrived; ``test`` succeeds or fails on request (demos, tests).
Providers only talk to the outside world; recording payments is the order service's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from catalog.tickets.order_summary import Summary

PaymentState = Literal["created", "pending", "confirmed", "failed", "canceled", "refunded"]
RefundState = Literal["created", "transit", "done", "failed", "canceled"]


@dataclass(frozen=True, slots=True)
class Execution:
    """What a provider did with a payment: its new state and what to remember about it."""

    state: PaymentState
    info: dict[str, Any] = field(default_factory=dict)


class PaymentProvider(Protocol):
    """One way to pay. ``online`` providers settle during checkout; others wait for a person."""

    identifier: str
    name: str
    online: bool

    def instructions(self, order: Summary) -> str:
        """What the buyer must do to pay (shown on the order page and in the mail)."""
        ...

    async def execute(self, order: Summary, amount: str, details: dict[str, Any]) -> Execution:
        """Try to take ``amount``; never raises for a declined payment (state ``failed``)."""
        ...

    async def refund(self, order: Summary, amount: str) -> RefundState:
        """Give ``amount`` back: ``done`` at once, or ``created`` for a person to carry out."""
        ...


class BankTransfer:
    """Manual: the buyer transfers the money with the order code as reference."""

    identifier = "bank_transfer"
    name = "Bank transfer"
    online = False

    def instructions(self, order: Summary) -> str:
        return (
            f"Please transfer {order['total']} {order['currency']} with the reference "
            f"{order['code']} to the organizer's bank account. The order is paid once the "
            "transfer has arrived."
        )

    async def execute(self, order: Summary, amount: str, details: dict[str, Any]) -> Execution:
        return Execution("pending", {"reference": order["code"]})

    async def refund(self, order: Summary, amount: str) -> RefundState:
        return "created"  # the organizer transfers the money back and marks the refund done


class TestProvider:
    """Settles at once: ``details["outcome"]`` ``"fail"`` declines, anything else succeeds."""

    identifier = "test"
    name = "Test payment (no money moves)"
    online = True

    def instructions(self, order: Summary) -> str:
        return "Test mode: choose whether the payment succeeds or fails."

    async def execute(self, order: Summary, amount: str, details: dict[str, Any]) -> Execution:
        if details.get("outcome") == "fail":
            return Execution("failed", {"reason": "declined by request"})
        return Execution("confirmed", {"transaction": f"test-{order['code']}"})

    async def refund(self, order: Summary, amount: str) -> RefundState:
        return "done"


def providers(*, test_payments: bool) -> dict[str, PaymentProvider]:
    """The providers a node offers, by identifier."""
    offered: list[PaymentProvider] = [BankTransfer()]
    if test_payments:
        offered.append(TestProvider())
    return {provider.identifier: provider for provider in offered}

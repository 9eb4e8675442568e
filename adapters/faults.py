"""Injected transient faults, for the chaos runs of issue 17 ("Faults survived", ``chaos/``).

With ``COOPFLOW_FAULT_RATE`` > 0 (never in production: off by default) the worker wraps its
adapters in the classes below, behind the same Protocols: each call fails with probability
``rate`` the way the outside world fails for a moment (a connection refused, a timeout), with
a ``TransientFault`` (an ``OSError``: ``activities.errors.permanent_errors`` lets it through
and Temporal retries the activity). Two moments:

- *before* the call (nothing happened): every adapter;
- *after* the call (it took effect, its answer was lost): the adapters whose calls are
  idempotent by a key (a payout's or a batch's file, a declaration's key, a Stripe refund's
  Idempotency-Key); the retry must find the earlier effect, never make a second one. The mailer
  gets faults before the call only: SMTP is at-least-once, a lost reply to DATA delivers again
  (with the same Message-ID, see ``adapters.mail.mailers``), which the chaos runs would count
  as a duplicate e-mail for a reason that is not the application's.

Database errors: ``inject_database_faults`` fails the first statement of a transaction with
probability ``rate`` (an ``OperationalError``, which the activities retry): the transaction
rolls back, as when the connection drops.

Each fault is logged (``injected transient fault in <where>``): the chaos scripts count them.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from typing import Any, Protocol

import sqlalchemy.exc
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.banking.sepa import Banking, BatchReceipt, PayoutInstruction, PayoutReceipt
from adapters.mail.mailers import Mailer, OutgoingMail
from adapters.payments.stripe_gateway import RefundResult
from adapters.social_security.declarations import (
    DeclarationReceipt,
    EmploymentDeclaration,
    SocialSecurity,
)

log = logging.getLogger(__name__)
LOG_MARK = "injected transient fault in"
_FAULT_PENDING = "coopflow_injected_fault"


class TransientFault(ConnectionError):
    """An injected fault: retried like a connection refused."""


class FaultInjector:
    """Rolls the dice for every call; counts what it injected, per place."""

    def __init__(self, rate: float, rng: random.Random | None = None) -> None:
        if not 0 <= rate < 1:
            raise ValueError(f"COOPFLOW_FAULT_RATE {rate} must be at least 0 and below 1")
        self.rate = rate
        self._rng = rng or random.Random()
        self.injected: Counter[str] = Counter()

    def hit(self) -> bool:
        return self.rate > 0 and self._rng.random() < self.rate

    def fault(self, where: str) -> TransientFault:
        self.injected[where] += 1
        log.warning("%s %s (%d so far)", LOG_MARK, where, self.injected.total())
        return TransientFault(f"{LOG_MARK} {where}")

    def before(self, where: str) -> None:
        if self.hit():
            raise self.fault(f"{where} (before)")

    def after(self, where: str) -> None:
        if self.hit():
            raise self.fault(f"{where} (after: done, answer lost)")


class FaultyMailer:
    def __init__(self, inner: Mailer, faults: FaultInjector) -> None:
        self._inner, self._faults = inner, faults

    async def send(self, mail: OutgoingMail) -> None:
        self._faults.before("mail.send")
        await self._inner.send(mail)


class FaultyBanking:
    def __init__(self, inner: Banking, faults: FaultInjector) -> None:
        self._inner, self._faults = inner, faults

    async def pay(self, instruction: PayoutInstruction) -> PayoutReceipt:
        self._faults.before("banking.pay")
        receipt = await self._inner.pay(instruction)
        self._faults.after("banking.pay")
        return receipt

    async def check(self, instruction: PayoutInstruction) -> None:
        self._faults.before("banking.check")
        await self._inner.check(instruction)

    async def pay_batch(
        self, message_id: str, instructions: list[PayoutInstruction]
    ) -> BatchReceipt:
        self._faults.before("banking.pay_batch")
        receipt = await self._inner.pay_batch(message_id, instructions)
        self._faults.after("banking.pay_batch")
        return receipt


class FaultySocialSecurity:
    def __init__(self, inner: SocialSecurity, faults: FaultInjector) -> None:
        self._inner, self._faults = inner, faults

    async def declare(self, declaration: EmploymentDeclaration) -> DeclarationReceipt:
        self._faults.before("social_security.declare")
        receipt = await self._inner.declare(declaration)
        self._faults.after("social_security.declare")
        return receipt


class Refunds(Protocol):
    """Stripe's refunds (``StripeGateway.refund``), as the credit-note step calls them."""

    async def refund(
        self, payment_intent_id: str, amount_cents: int, idempotency_key: str, reason: str
    ) -> RefundResult: ...


class FaultyRefunder:
    def __init__(self, inner: Refunds, faults: FaultInjector) -> None:
        self._inner, self._faults = inner, faults

    async def refund(
        self, payment_intent_id: str, amount_cents: int, idempotency_key: str, reason: str
    ) -> RefundResult:
        self._faults.before("stripe.refund")
        refund = await self._inner.refund(payment_intent_id, amount_cents, idempotency_key, reason)
        self._faults.after("stripe.refund")
        return refund


def inject_database_faults(engine: AsyncEngine, faults: FaultInjector) -> None:
    """Fail the first statement of a transaction with probability ``faults.rate``."""

    def on_begin(conn: Connection) -> None:
        if faults.hit():
            conn.info[_FAULT_PENDING] = True

    def before_cursor_execute(conn: Connection, *args: Any) -> None:
        if conn.info.pop(_FAULT_PENDING, False):
            raise sqlalchemy.exc.OperationalError(
                "(statement not sent)", None, faults.fault("database (first statement)")
            )

    event.listen(engine.sync_engine, "begin", on_begin)
    event.listen(engine.sync_engine, "before_cursor_execute", before_cursor_execute)

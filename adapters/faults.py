"""Injected transient faults, for the chaos runs of issue 17 ("Faults survived", ``chaos/``).

With ``COOPFLOW_FAULT_RATE`` > 0 (never in production: off by default) the worker wraps its
adapters in the classes below, behind the same Protocols: each call fails with probability
``rate`` the way the outside world fails for a moment (a connection refused, a timeout), with
a ``TransientFault`` (an ``OSError``: ``activities.errors.permanent_errors`` lets it through
and Temporal retries the activity). A fault is transient: an activity's attempts after the
``LAST_FAULTY_ATTEMPT``th meet none. One roll per call; a hit fails it at one of two moments:

- *before* the call (nothing happened): every adapter;
- *after* the call (it took effect, its answer was lost), half of the hits of the adapters whose
  calls are idempotent by a key (a payout's or a batch's file, a declaration's key, a Stripe
  refund's Idempotency-Key); the retry must find the earlier effect, never make a second one.
  The mailer gets faults before the call only: SMTP is at-least-once, a lost reply to DATA
  delivers again (with the same Message-ID, see ``adapters.mail.mailers``), which the chaos
  runs would count as a delivery again for a reason that is not the application's.

Database errors: ``inject_database_faults`` fails one activity attempt in ``rate`` at the
first statement of its first transaction (an ``OperationalError``, which the activities retry):
the transaction rolls back, as when the connection drops.

Each fault is logged (``injected transient fault in <where>``): the chaos scripts count them.
"""

from __future__ import annotations

import logging
import random
from collections import Counter, OrderedDict
from collections.abc import Coroutine
from typing import Any, Protocol, TypeVar

import sqlalchemy.exc
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio import activity

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
_REMEMBERED = 10_000  # activity attempts whose roll is kept
LAST_FAULTY_ATTEMPT = 4  # attempts after it meet no fault (retries wait 1 + 2 + 4 + 8 s at most)
R = TypeVar("R")


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
        """A fault now? Never past an activity's ``LAST_FAULTY_ATTEMPT``: a transient fault
        goes away, so every step succeeds within a bounded number of retries."""
        if activity.in_activity() and activity.info().attempt > LAST_FAULTY_ATTEMPT:
            return False
        return self.rate > 0 and self._rng.random() < self.rate

    def fault(self, where: str) -> TransientFault:
        self.injected[where] += 1
        log.warning("%s %s (%d so far)", LOG_MARK, where, self.injected.total())
        return TransientFault(f"transient fault in {where}")

    def before(self, where: str) -> None:
        """For a call that cannot be told apart from one not made: a fault before it."""
        if self.hit():
            raise self.fault(f"{where} (before)")

    async def around(self, where: str, call: Coroutine[Any, Any, R]) -> R:
        """For an idempotent call: one roll, and a hit fails it before or (as often) after
        it took effect, its answer lost."""
        if not self.hit():
            return await call
        if self._rng.random() < 0.5:
            call.close()  # never awaited: the call is not made
            raise self.fault(f"{where} (before)")
        await call
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
        return await self._faults.around("banking.pay", self._inner.pay(instruction))

    async def check(self, instruction: PayoutInstruction) -> None:
        self._faults.before("banking.check")
        await self._inner.check(instruction)

    async def pay_batch(
        self, message_id: str, instructions: list[PayoutInstruction]
    ) -> BatchReceipt:
        call = self._inner.pay_batch(message_id, instructions)
        return await self._faults.around("banking.pay_batch", call)


class FaultySocialSecurity:
    def __init__(self, inner: SocialSecurity, faults: FaultInjector) -> None:
        self._inner, self._faults = inner, faults

    async def declare(self, declaration: EmploymentDeclaration) -> DeclarationReceipt:
        call = self._inner.declare(declaration)
        return await self._faults.around("social_security.declare", call)


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
        call = self._inner.refund(payment_intent_id, amount_cents, idempotency_key, reason)
        return await self._faults.around("stripe.refund", call)


def inject_database_faults(engine: AsyncEngine, faults: FaultInjector) -> None:
    """One roll per activity attempt (local activities included): a hit fails the attempt's
    first transaction at its first statement. Per attempt, not per transaction, so that a
    step of four transactions meets the rate, not four times it."""
    rolled: OrderedDict[tuple[str, str, int], bool] = OrderedDict()

    def on_begin(conn: Connection) -> None:
        if not activity.in_activity():
            return
        info = activity.info()
        attempt = (info.workflow_run_id or "", info.activity_id, info.attempt)
        if attempt not in rolled:
            rolled[attempt] = faults.hit()
            if len(rolled) > _REMEMBERED:
                rolled.popitem(last=False)
            if rolled[attempt]:
                conn.info[_FAULT_PENDING] = True

    def before_cursor_execute(conn: Connection, *args: Any) -> None:
        if conn.info.pop(_FAULT_PENDING, False):
            raise sqlalchemy.exc.OperationalError(
                "(statement not sent)", None, faults.fault("database (first statement)")
            )

    event.listen(engine.sync_engine, "begin", on_begin)
    event.listen(engine.sync_engine, "before_cursor_execute", before_cursor_execute)

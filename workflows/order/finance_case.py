"""The finance case: when the dunning schedule is exhausted (or a payment plan fails) the
invoice is escalated to the finance team, and the order waits for their decision: extend the
due date, agree instalments or a promise to pay, record a payment (each of these with the
charges and the interest to date waived, or not), hand the claim to a collection agency, or
write it off against the guarantee fund."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain import order_steps as steps
    from domain.dunning import Claim
    from domain.money import format_eur
    from domain.order_messages import FinanceDecision, Instalment, InvoiceIssued
    from domain.order_phases import CollectionPhase

from workflows.order import steps as step
from workflows.order.base import OrderBase

MAX_PROMISE_DAYS = 60
# Finance may waive the charges and the interest to date with a decision.
FINANCE_WAIVER = "finance-waiver"


def refusal(kind: str, message: str) -> ApplicationError:
    """An Update validator's refusal: ``kind`` tells the API whether the order's state (409)
    or the input (422) is at fault; the message is for the person who asked."""
    return ApplicationError(message, type=kind, non_retryable=True)


class FinanceCase(OrderBase):
    _case_id: int | None
    _escalations: int  # a re-escalation opens a new case
    _written_off: int
    # the collection's, used here
    _invoice: InvoiceIssued | None
    _claim: Claim | None
    _plan: list[Instalment]
    _plan_paid_from: int
    _paid: Callable[[], int]
    _amount_due: Callable[[], int]
    _principal_due: Callable[[], int]
    _charges_due: Callable[[], int]
    _dunning_level: Callable[[], int]
    _apply_payments: Callable[[], Awaitable[None]]

    def _init_finance_case(self) -> None:
        self._case_id = None
        self._escalations = 0
        self._written_off = 0

    def _validate_decision(self, decision: FinanceDecision) -> None:
        phase = self._collection
        if phase is None or not phase.has_finance_case:
            raise refusal(
                "invalid-state",
                f"there is no open finance case on this order ({self._status_entered()})",
            )
        if self._inbox.decision is not None:
            raise refusal(
                "conflict", "another decision on this case is being applied; retry shortly"
            )
        if phase == CollectionPhase.IN_COLLECTION and decision.kind not in (
            "write_off",
            "record_payment",
        ):
            raise refusal(
                "invalid-state",
                "the invoice is with the collection agency: only a payment or a "
                "write-off can be recorded",
            )
        today = self._today()
        if decision.kind == "extend" and decision.new_due_date and decision.new_due_date <= today:
            raise refusal("invalid-date", f"the new due date must be after today ({today})")
        if decision.kind == "promise_to_pay" and decision.promised_on:
            if decision.promised_on <= today:
                raise refusal("invalid-date", f"the promised day must be after today ({today})")
            if decision.promised_on > today + timedelta(days=MAX_PROMISE_DAYS):
                raise refusal(
                    "invalid-date",
                    f"a promise to pay may run at most {MAX_PROMISE_DAYS} days; agree "
                    "instalments for longer",
                )
        if decision.kind == "instalments":
            if decision.instalments[0].due_on <= today:
                raise refusal(
                    "invalid-date", f"the first instalment must fall after today ({today})"
                )
            planned = sum(i.amount_cents for i in decision.instalments)
            owed = self._principal_due() if decision.waive_charges else self._amount_due()
            if planned != owed:
                raise refusal(
                    "invalid-amount",
                    f"the instalments add up to {format_eur(planned)} but "
                    f"{format_eur(owed)} is owed",
                )
        payment = decision.payment
        if payment is not None and payment.payment_key in self._inbox.seen_payments:
            raise refusal("already-recorded", "this payment was already recorded")

    async def _escalate(self) -> None:
        assert self._invoice is not None
        self._escalations += 1
        case = await self._steps.run(
            step.OPEN_FINANCE_CASE,
            steps.OpenFinanceCase(
                order_id=self._order.order_id,
                invoice_id=self._invoice.invoice_id,
                opened_on=self._today(),
                amount_due_cents=self._amount_due(),
                dunning_level=self._dunning_level(),
                attempt=self._escalations,
            ),
            f"Open finance case for {self._invoice.number}",
            "collection",
        )
        self._case_id = case.case_id
        self._collection = CollectionPhase.ESCALATED
        self._plan = []

    async def _await_decision(self) -> None:
        if self._collection == CollectionPhase.IN_COLLECTION:
            what = "payment through the collection agency"
        else:
            what = f"finance's decision on case {self._case_id}"
        await self._enter(what, None, collection=self._collection)
        await workflow.wait_condition(self._inbox.collection_news)
        if self._inbox.decision is not None:
            await self._apply_decision(self._inbox.decision)
            self._inbox.decision = None

    async def _apply_decision(self, decision: FinanceDecision) -> None:
        assert self._case_id is not None
        assert self._invoice is not None
        assert self._claim is not None
        await self._steps.run(
            step.RECORD_DECISION,
            steps.RecordDecision(case_id=self._case_id, decision=decision),
            f"Record finance decision: {decision.kind}",
            "collection",
        )
        today = self._today()
        if decision.waive_charges and workflow.patched(FINANCE_WAIVER):
            await self._forgive(today)
        if decision.kind == "extend" and decision.new_due_date is not None:
            self._claim.extend(decision.new_due_date, today)
            self._collection = CollectionPhase.NOT_DUE  # the dunning schedule starts over
        elif decision.kind == "record_payment" and decision.payment is not None:
            self._inbox.add_payment(decision.payment)
            await self._apply_payments()
        elif decision.kind == "promise_to_pay" and decision.promised_on is not None:
            # One payment of everything owed by the promised day: the plan's rules (wait,
            # then back to finance if it is not paid).
            self._collection = CollectionPhase.PAYMENT_PLAN
            self._plan = [Instalment(due_on=decision.promised_on, amount_cents=self._amount_due())]
            self._plan_paid_from = self._paid()
        elif decision.kind == "instalments":
            self._collection = CollectionPhase.PAYMENT_PLAN
            self._plan = list(decision.instalments)
            self._plan_paid_from = self._paid()
        elif decision.kind == "collection":
            self._collection = CollectionPhase.IN_COLLECTION
        elif decision.kind == "write_off":
            await self._steps.run(
                step.WRITE_OFF,
                steps.WriteOff(
                    order_id=self._order.order_id,
                    invoice_id=self._invoice.invoice_id,
                    case_id=self._case_id,
                    principal_cents=self._principal_due(),
                    charges_cents=self._charges_due(),
                    on=today,
                ),
                f"Write off {format_eur(self._amount_due())} against the guarantee fund",
                "collection",
            )
            self._written_off = sum(self._claim.write_off())
            self._collection = CollectionPhase.SETTLED

    async def _forgive(self, today: date) -> None:
        """Finance waives the charges open (booked as waived, once per case) and the interest
        accrued to today (never charged, so only dropped)."""
        assert self._claim is not None
        assert self._invoice is not None
        charges = self._claim.charges_due
        if charges:
            await self._book_waiver(
                charges,
                f"Waive {format_eur(charges)} of charges (finance, case {self._case_id})",
                case_id=self._case_id,
            )
        self._claim.forgive(today)

    async def _book_waiver(self, charges: int, summary: str, case_id: int | None = None) -> None:
        """Book ``charges`` as waived (by the rules, or by finance's decision on ``case_id``)."""
        assert self._invoice is not None
        await self._steps.run(
            step.WAIVE_CHARGES,
            steps.WaiveCharges(
                order_id=self._order.order_id,
                invoice_id=self._invoice.invoice_id,
                on=self._today(),
                charges_cents=charges,
                case_id=case_id,
            ),
            summary,
            "collection",
        )

"""The collection branch: the invoice at completion, then payments, the dunning schedule of the
jurisdiction's policy, a payment plan agreed by finance, until the invoice is settled (paid or
written off) or cancelled by a credit note. What is owed is the domain's ``Claim``; where the
collection stands is its ``CollectionPhase``."""

from __future__ import annotations

from datetime import date, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import order_steps as steps
    from domain.breakdown import compute_breakdown
    from domain.dunning import Claim
    from domain.money import format_eur
    from domain.order_messages import Completion, Instalment, InvoiceIssued, WagePaid
    from domain.order_phases import CollectionPhase
    from domain.order_status import OrderStatus
    from domain.policy import DunningStage
    from domain.vat import decide_vat

from workflows.order import steps as step
from workflows.order.finance_case import FinanceCase
from workflows.order.refunds import Refunds

# Reminders check that every day's interest rate may be charged (domain.late_interest).
RATES_CHECKED = "rates-checked"
# Claims from here on: interest to the day of payment, a final statement when only charges
# are left, small remainders waived (domain.dunning, rules 2).
COLLECTION_RULES_2 = "collection-rules-2"


class CollectionBranch(FinanceCase, Refunds):
    _invoice: InvoiceIssued | None
    _claim: Claim | None
    _plan: list[Instalment]  # finance's instalments while the phase is PAYMENT_PLAN
    _plan_paid_from: int  # paid when the plan was agreed
    _fund_advanced: int  # advanced by the guarantee fund with the wage, not yet repaid

    def _init_collection(self) -> None:
        self._invoice = None
        self._claim = None
        self._breakdown = None
        self._collection = None
        self._plan = []
        self._plan_paid_from = 0
        self._fund_advanced = 0
        self._init_finance_case()
        self._init_refunds()

    # ------------------------------------------------------------------ the claim, read-only

    def _principal_due(self) -> int:
        return self._claim.principal_due if self._claim else 0

    def _charges_due(self) -> int:
        return self._claim.charges_due if self._claim else 0

    def _amount_due(self) -> int:
        return self._principal_due() + self._charges_due()

    def _paid(self) -> int:
        return self._claim.paid if self._claim else 0

    def _dunning_level(self) -> int:
        return self._claim.level if self._claim else 0

    def _due_date(self) -> date | None:
        return self._claim.due_date if self._claim else None

    def _invoice_settled(self) -> bool:
        return self._invoice is not None and self._amount_due() == 0

    def _advance_by_fund(self, cents: int) -> None:
        self._fund_advanced = cents

    # the wage branch's, read here
    _wage: WagePaid | None
    _wage_started: bool
    _monthly_salary: bool

    # ------------------------------------------------------------------ the invoice

    async def _issue_invoice(self, completion: Completion, issued_on: date) -> None:
        order = self._order
        policy = self._policy(issued_on)
        vat = decide_vat(
            policy,
            client_country=order.client_country,
            client_is_business=order.client_is_business,
            client_vat_id=order.client_vat_id,
            category=order.vat_category,
        )
        self._breakdown = compute_breakdown(
            policy,
            net_cents=order.net_amount_cents,
            vat_rate=vat.rate,
            expenses_cents=completion.expenses_cents,
        )
        self._invoice = await self._steps.run(
            step.ISSUE_INVOICE,
            steps.IssueInvoice(
                order=order,
                breakdown=self._breakdown,
                vat=vat,
                issue_date=issued_on,
                due_date=issued_on + timedelta(days=order.payment_terms_days),
                actual_start=completion.actual_start,
                actual_end=completion.actual_end,
                work_days=completion.work_days,
            ),
            f"Issue and send the invoice ({format_eur(self._breakdown.gross_invoice_cents)})",
            "order",
        )
        self._claim = Claim(
            policy=policy,
            client_is_business=order.client_is_business,
            due_date=self._invoice.due_date,
            principal_due=self._invoice.gross_cents,
            rules=2 if workflow.patched(COLLECTION_RULES_2) else 1,
        )
        await self._enter(
            "the client's payment",
            self._due_date(),
            stage=OrderStatus.INVOICED,
            collection=CollectionPhase.NOT_DUE,
        )

    # ------------------------------------------------------------------ the branch

    async def _collection_branch(self) -> None:
        inbox = self._inbox
        while True:
            if inbox.cancel is not None:
                await self._cancel_invoice(inbox.cancel)
                return
            await self._apply_payments()
            await self._apply_refunds()
            if self._claim is not None and self._claim.waivable():
                await self._waive_small_charges()
            if self._invoice_settled():
                if self._monthly_salary:
                    return  # no wage waits on this order: paid is done
                if self._wage is None:
                    await self._enter("the wage day", None, collection=CollectionPhase.SETTLED)
                if self._wage_started:
                    return
                # Until the wage goes out, finance may still cancel the invoice, and a refund
                # may re-open it.
                await workflow.wait_condition(
                    lambda: self._wage_started or inbox.cancel is not None or bool(inbox.refunds)
                )
                if self._wage_started and not inbox.refunds:
                    return
                continue
            if self._collection is not None and self._collection.has_finance_case:
                await self._await_decision()
            elif self._collection == CollectionPhase.PAYMENT_PLAN:
                await self._follow_plan()
            else:
                await self._dun()

    async def _dun(self) -> None:
        assert self._claim is not None
        due_date = self._claim.due_date
        when, stage = self._claim.next_step()
        what = stage.name if stage else "escalation to finance"
        news = self._inbox.collection_news
        if self._today() <= due_date:
            # Not yet due: wake the day after the due date to show the order as overdue.
            await self._enter(
                f"the client's payment of {format_eur(self._amount_due())}",
                due_date,
                collection=CollectionPhase.NOT_DUE,
            )
            await self._clock.wait(news, due_date + timedelta(days=1), "Due date")
            return
        await self._enter(
            f"payment of {format_eur(self._amount_due())}; next: {what}",
            when,
            collection=CollectionPhase.OVERDUE,
        )
        if await self._clock.wait(news, when, what):
            return  # a payment arrived: the loop applies it and looks again
        # Reconcile before acting: a payment recorded but not yet signalled stops a reminder.
        for payment in await self._steps.run(
            step.UNAPPLIED_PAYMENTS,
            steps.UnappliedPayments(order_id=self._order.order_id),
            "Look for unapplied payments",
            "collection",
        ):
            self._inbox.add_payment(payment)
        if self._inbox.payments:
            return
        if stage is None:
            await self._escalate()
        else:
            await self._send_reminder(stage)

    async def _send_reminder(self, stage: DunningStage) -> None:
        assert self._invoice is not None
        assert self._claim is not None
        if workflow.patched(RATES_CHECKED):
            # A half-year's interest rate missing from the policy data too long: ops add it
            # (a release), then retry; nothing is charged at a guessed rate meanwhile.
            while missing := self._claim.unpublished_rate(self._today()):
                await self._steps.hold("collection", f"ops: {stage.name} waits: {missing}")
        today = self._today()
        principal_due = self._claim.principal_due
        earlier_charges = self._claim.charges_due
        charges = self._claim.remind(stage, today)
        await self._steps.run(
            step.SEND_REMINDER,
            steps.SendReminder(
                order=self._order,
                invoice_id=self._invoice.invoice_id,
                level=stage.level,
                name=stage.name,
                issue_date=today,
                pay_by=charges.pay_by,
                principal_due_cents=principal_due,
                fee_cents=charges.fee,
                flat_compensation_cents=charges.flat_compensation,
                interest_cents=charges.interest,
                interest_rate=charges.interest_rate,
                earlier_charges_due_cents=earlier_charges,
            ),
            f"{stage.name} for {self._invoice.number}",
            "collection",
        )

    async def _charge_interest_to(self, payment_key: str, received_on: date) -> None:
        """Rules 2: interest up to the payment's day becomes a charge of its own first, so the
        payment settles it (never lost because the principal was paid between reminders)."""
        assert self._invoice is not None
        assert self._claim is not None
        on = min(received_on, self._today())
        principal = self._claim.principal_due
        interest = self._claim.charge_interest_to(on)
        if interest:
            await self._steps.run(
                step.CHARGE_INTEREST,
                steps.ChargeInterest(
                    order_id=self._order.order_id,
                    invoice_id=self._invoice.invoice_id,
                    payment_key=payment_key,
                    on=on,
                    interest_cents=interest,
                    interest_rate=self._claim.rate_on(on).rate,
                    principal_due_cents=principal,
                ),
                f"Charge {format_eur(interest)} interest up to {on}",
                "collection",
            )

    async def _waive_small_charges(self) -> None:
        assert self._invoice is not None
        assert self._claim is not None
        charges = self._claim.charges_due
        await self._book_waiver(
            charges, f"Waive the remaining {format_eur(charges)} of charges (below the threshold)"
        )
        self._claim.waive_charges()

    async def _follow_plan(self) -> None:
        planned = 0
        for instalment in self._plan:
            planned += instalment.amount_cents
            if self._paid() - self._plan_paid_from >= planned:
                continue
            what = "promised payment" if len(self._plan) == 1 else "instalment"
            await self._enter(
                f"{what} of {format_eur(instalment.amount_cents)}",
                instalment.due_on,
                collection=CollectionPhase.PAYMENT_PLAN,
            )
            check_on = instalment.due_on + timedelta(days=1)
            if await self._clock.wait(self._inbox.collection_news, check_on, "Instalment due"):
                return
            if self._paid() - self._plan_paid_from < planned:
                await self._escalate()  # a missed instalment goes back to finance
            return
        await self._escalate()  # plan finished but something is still owed

    async def _apply_payments(self) -> None:
        assert self._invoice is not None
        assert self._claim is not None
        pending = self._inbox.payments
        while pending:
            payment = pending[0]
            await self._charge_interest_to(payment.payment_key, payment.received_on)
            split = self._claim.apply_payment(
                payment.amount_cents, min(payment.received_on, self._today())
            )
            repaid = min(self._fund_advanced, split.to_principal)
            await self._steps.run(
                step.APPLY_PAYMENT,
                steps.ApplyPayment(
                    order_id=self._order.order_id,
                    invoice_id=self._invoice.invoice_id,
                    payment=payment,
                    to_principal_cents=split.to_principal,
                    to_charges_cents=split.to_charges,
                    overpaid_cents=split.overpaid,
                    fund_repaid_cents=repaid,
                ),
                f"Book payment of {format_eur(payment.amount_cents)}",
                "collection",
            )
            pending.pop(0)
            self._fund_advanced -= repaid
        if (
            self._collection is not None
            and self._collection.has_finance_case
            and self._invoice_settled()
        ):
            self._collection = CollectionPhase.SETTLED
        await self._publisher.publish()

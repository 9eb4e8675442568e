"""The wage branch: on the wage day (the policy's delay after completion) payroll, the payout
of the net wage and the end-of-employment declaration, whether or not the client has paid: the
guarantee fund advances what the client still owes. Outside the guarantee (a non-EU client, a
blocked client) the client pays first. Until the wage day finance may cancel the invoice by a
credit note; then no wage is paid from the order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import order_steps as steps
    from domain import payout_runs as runs
    from domain.breakdown import OrderBreakdown
    from domain.guarantee import guarantee_applies
    from domain.money import format_eur
    from domain.order_messages import Completion, WagePaid
    from domain.order_phases import WagePhase

from workflows.order import steps as step
from workflows.order.base import OrderBase

# Wages go out in payout runs (one pain.001 batch per cut-off) instead of a file each.
PAYOUT_RUNS = "payout-runs"
# After the hand-over the order watches for the wage coming back (rejected, returned) until
# the return window closes; ops fix the bank details and it goes out again, under a new id.
PAYOUT_RETURNS = "payout-returns"
# The guarantee fund's advance counts from the moment it is decided (the payout is queued with
# it, the run books it at its cut-off): a client's payment that arrives before the cut repays
# it. Before, it counted only once the run had sent the payout, and such a payment left the
# advance outstanding on a closed order (found by chaos.kill_worker).
ADVANCE_COUNTED_AT_ONCE = "advance-counted-at-once"


class WageBranch(OrderBase):
    _monthly_salary: bool  # the member is paid a monthly salary (read when the client signs)
    _wage_phase: WagePhase
    _wage_day: date | None
    _payroll: steps.PayrollDone | None
    _wage: WagePaid | None
    _breakdown: OrderBreakdown | None  # computed with the invoice
    _payout_run: str | None  # the run the payout waits for, or went out in

    def _init_wage(self) -> None:
        self._wage_phase = WagePhase.WAITING
        self._wage_day = None
        self._payroll = None
        self._wage = None
        self._payout_run = None

    @property
    def _wage_started(self) -> bool:
        return self._wage_phase in (WagePhase.PAYING, WagePhase.PAID, WagePhase.RETURNED)

    # the collection's, read here
    _invoice_settled: Callable[[], bool]
    _principal_due: Callable[[], int]
    _advance_by_fund: Callable[[int], None]

    async def _wage_branch(self, completion: Completion, completed_on: date) -> None:
        assert self._breakdown is not None
        if self._monthly_salary:
            # The employment budget stays in the member's budget for the monthly salary.
            self._wage_phase = WagePhase.MONTHLY_SALARY
            return
        policy = self._policy(completed_on)
        wage_day = completed_on + timedelta(days=policy.wage_delay_days)
        self._wage_day = wage_day
        why = f"Wage day {wage_day} ({policy.wage_delay_days} days after completion)"
        if self._lean or workflow.patched("credit-notes"):
            # Finance may cancel the invoice by a credit note until the wage day.
            await self._clock.wait(lambda: self._inbox.cancel is not None, wage_day, why)
        else:
            await self._clock.sleep_until(wage_day, why)
        if self._order.prepayment_required or not guarantee_applies(self._order.client_country):
            # No guarantee outside the EU or for a blocked client: the client pays first, then
            # the wage follows.
            self._wage_phase = WagePhase.AWAITING_PREPAYMENT
            await workflow.wait_condition(
                lambda: self._invoice_settled() or self._inbox.cancel is not None
            )
        if self._inbox.cancel is not None:
            self._wage_phase = WagePhase.NOT_PAID
            await self._declare_end(
                completion, "End-of-employment declaration (invoice cancelled, no wage)"
            )
            return
        self._wage_phase = WagePhase.PAYING
        pay_date = self._today()
        payslip_id, payout = await self._run_payroll(completion, self._breakdown, pay_date)
        advanced = min(payout, self._principal_due())
        summary = f"Pay out {format_eur(payout)}" + (
            f" ({format_eur(advanced)} advanced by the guarantee fund)" if advanced else ""
        )
        if workflow.patched(PAYOUT_RUNS):
            counted_at_once = workflow.patched(ADVANCE_COUNTED_AT_ONCE)
            if counted_at_once:
                self._advance_by_fund(advanced)
            self._wage = await self._pay_in_run(payslip_id, payout, advanced, pay_date, summary)
            if not counted_at_once:
                self._advance_by_fund(advanced)
        else:  # orders whose wage went out as a file of its own
            self._wage = await self._steps.run(
                step.PAY_WAGE,
                steps.PayWage(
                    order=self._order,
                    payslip_id=payslip_id,
                    payout_cents=payout,
                    advanced_cents=advanced,
                    execution_date=pay_date,
                ),
                summary,
                "wage",
            )
            self._advance_by_fund(advanced)
        await self._declare_end(completion, "End-of-employment declaration")
        self._wage_phase = WagePhase.PAID
        if self._wage is not None and workflow.patched(PAYOUT_RETURNS):
            await self._watch_payout(self._wage, summary)

    async def _watch_payout(self, wage: WagePaid, summary: str) -> None:
        """Until the return window after the payout closes, a rejection (pain.002) or a return
        (camt) of the wage stops the order for ops: they fix the member's bank details and
        retry, and the wage goes out in the next run under the next payout id. The guarantee
        fund's advance is not repeated."""
        attempt = 1
        while True:
            key = wage.payout_id
            window_closes = wage.paid_on + timedelta(days=runs.RETURN_WINDOW_DAYS)
            failed_now = await self._clock.wait(
                lambda key=key: key in self._inbox.payouts_failed,
                window_closes,
                f"The bank's return window for payout {key}",
            )
            if not failed_now:
                return
            failed = self._inbox.payouts_failed[key]
            self._wage, self._wage_phase = None, WagePhase.RETURNED
            await self._steps.hold(
                "wage",
                f"ops: the bank {failed.kind} the wage of {format_eur(failed.amount_cents)} to "
                f"{failed.iban}: {failed.reason}. Fix the member's bank details, then retry",
            )
            attempt += 1
            self._wage_phase = WagePhase.PAYING
            again = await self._pay_in_run(
                wage.payslip_id,
                wage.payout_cents,
                0,
                self._today(),
                f"{summary} (again, attempt {attempt})",
                attempt=attempt,
            )
            wage = again.model_copy(update={"advanced_cents": wage.advanced_cents})
            self._wage, self._wage_phase = wage, WagePhase.PAID

    async def _pay_in_run(
        self,
        payslip_id: int,
        payout: int,
        advanced: int,
        pay_date: date,
        summary: str,
        attempt: int = 1,
    ) -> WagePaid:
        """Queue the payout for the next payout run and wait until the run handed it to the
        bank (``payout_sent``); bad bank details stop the order here (NeedsAttention)."""
        queued = await self._steps.run(
            step.QUEUE_PAYOUT,
            runs.QueuePayout(
                order=self._order,
                payslip_id=payslip_id,
                payout_cents=payout,
                advanced_cents=advanced,
                execution_date=pay_date,
                now=workflow.now(),
                workflow_id=workflow.info().workflow_id,
                attempt=attempt,
            ),
            f"{summary}: into the payout run of the next cut-off",
            "wage",
        )
        self._payout_run = queued.run_key
        sent_ones = self._inbox.payouts_sent
        if queued.already_sent is not None:
            self._inbox.payout_sent = queued.already_sent
            sent_ones.setdefault(queued.payout_key, queued.already_sent)
        await workflow.wait_condition(lambda: queued.payout_key in sent_ones)
        sent = sent_ones[queued.payout_key]
        return WagePaid(
            payslip_id=payslip_id,
            payout_id=queued.payout_key,
            payout_cents=payout,
            advanced_cents=advanced,
            paid_on=sent.execution_date,
        )

    async def _run_payroll(
        self, completion: Completion, breakdown: OrderBreakdown, pay_date: date
    ) -> tuple[int, int]:
        """The payslip's id and the payout (net wage + reimbursed expenses)."""
        request = steps.RunPayroll(
            order=self._order,
            breakdown=breakdown,
            pay_date=pay_date,
            actual_start=completion.actual_start,
            actual_end=completion.actual_end,
            work_days=completion.work_days,
        )
        if self._lean or workflow.patched("exact-payroll"):
            self._payroll = await self._steps.run(
                step.RUN_EXACT_PAYROLL,
                request,
                "Payroll from the employment budget "
                f"{format_eur(breakdown.employment_budget_cents)}",
                "wage",
            )
            return self._payroll.payslip_id, self._payroll.payout_cents
        # orders whose wage step ran before the exact engines
        payslip_id = await self._steps.run(
            step.RUN_PAYROLL,
            request,
            f"Payroll: gross wage {format_eur(breakdown.gross_wage_cents)}",
            "wage",
        )
        return payslip_id, breakdown.payout_cents

    async def _declare_end(self, completion: Completion, summary: str) -> None:
        await self._steps.run(
            step.DECLARE_EMPLOYMENT,
            steps.DeclareEmployment(
                order_id=self._order.order_id,
                kind="end",
                period_start=completion.actual_start,
                period_end=completion.actual_end,
            ),
            summary,
            "wage",
        )

"""One member's monthly salary: a workflow per member (``salary-<member id>``) that runs one
month at a time and continues as new at each month end (see docs/decisions.md, 50–51).

Each month: wait for the month's last day (business time), then ask the database for the plan
(``salary_month_plan``: the arrangement in force on the month's first day, the budget's
available amount, the policy's rule) and either

- **pay**: the exact payroll of the whole month for the salary category, booked against the
  member's budget (``run_monthly_salary``), the net queued for the payout run of the next
  cut-off (``queue_salary_payout``), then wait until the run handed it to the bank;
- **pause**: the budget would stay below zero longer than the policy allows; the month is
  recorded as paused with the reason (finance finds it: ``CoopOrderStatus = SalaryPaused``), no
  salary, no guarantee fund: it resumes by itself at a month end the budget carries it;
- **stop**: the member went back to per-order wages or left; the continuing employment ends
  with its declaration and the workflow ends.

The first run declares the continuing employment's start (DEÜV registration in Germany, Dimona
IN in Belgium) once; the last run its end.
"""

from __future__ import annotations

from datetime import date, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain import order_contract as contract
    from domain import salary_messages as msg
    from domain.money import format_eur
    from domain.payout_runs import PayoutQueued, PayoutSent
    from domain.payroll.monthly_salary import month_end
    from domain.ui_text import literal

from workflows import search_attributes as sa
from workflows.order.clock import BusinessClock

_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(minutes=5),
    non_retryable_error_types=["PermanentError"],
)
_SHORT = timedelta(seconds=60)


@workflow.defn(name=msg.SALARY_WORKFLOW_TYPE)
class MonthlySalaryWorkflow:
    def __init__(self) -> None:
        self._view: msg.SalaryView | None = None
        self._sent: dict[str, PayoutSent] = {}
        self._retry = False

    @workflow.query
    def state(self) -> msg.SalaryView | None:
        return self._view

    @workflow.signal
    def arrangement_changed(self) -> None:
        """The member changed mode or salary category. Nothing waits on it: a change is in
        force from a month's first day and the month end's plan reads it from the database;
        the signal leaves the change in the workflow's history for ops."""

    @workflow.signal(name=contract.PAYOUT_SENT)
    def payout_sent(self, sent: PayoutSent) -> None:
        self._sent.setdefault(sent.payout_key, sent)

    def _show(self, inp: msg.SalaryInput, status: str, message: str, gross: int = 0) -> None:
        self._view = msg.SalaryView(
            member_id=inp.member_id,
            month=inp.month,
            status=status,  # type: ignore[arg-type]
            message=message,
            gross_cents=gross,
            negative_months=inp.negative_months,
        )
        workflow.set_current_details(f"**{msg.month_key(inp.month)}**: {status}. {message}")
        label = {"paused": "SalaryPaused", "stopped": "SalaryStopped", "held": "SalaryHeld"}.get(
            status, "Salary"
        )
        workflow.upsert_search_attributes([sa.ORDER_STATUS.value_set(label)])

    @workflow.run
    async def run(self, inp: msg.SalaryInput) -> str:
        workflow.upsert_search_attributes([sa.MEMBER_ID.value_set(str(inp.member_id))])
        clock = BusinessClock(inp.started_on or inp.month, inp.seconds_per_day)
        pay_day = month_end(inp.month)
        if not inp.employment_declared:
            await self._declare(inp, "start", max(inp.month, clock.today()))
            inp = inp.model_copy(update={"employment_declared": True})
        if inp.paused:
            self._show(inp, "paused", f"{inp.paused}; checked again on {pay_day}")
        else:
            self._show(
                inp,
                "waiting for the month end",
                f"the salary of {msg.month_key(inp.month)} is paid on {pay_day}",
            )
        await clock.sleep_until(pay_day, f"Month end {pay_day}")

        plan = await self._run(
            inp,
            msg.SALARY_MONTH_PLAN,
            msg.MonthPlanRequest(
                member_id=inp.member_id, month=inp.month, negative_months=inp.negative_months
            ),
            result_type=msg.MonthPlan,
            start_to_close_timeout=_SHORT,
            retry_policy=_RETRY,
            summary=literal(f"Plan the salary of {msg.month_key(inp.month)}"),
        )
        if plan.action == "stop":
            await self._declare(inp, "end", plan.left_on or pay_day)
            self._show(inp, "stopped", plan.message)
            return plan.message
        if plan.action == "pause":
            await self._run(
                inp,
                msg.RUN_MONTHLY_SALARY,
                self._request(inp, plan, pay_day, "paused"),
                result_type=msg.SalaryPaid,
                start_to_close_timeout=_SHORT,
                retry_policy=_RETRY,
                summary=literal(f"Record the paused salary of {msg.month_key(inp.month)}"),
            )
            self._show(inp, "paused", plan.message)
        else:
            self._show(inp, "paying", plan.message, plan.gross_cents)
            paid = await self._run(
                inp,
                msg.RUN_MONTHLY_SALARY,
                self._request(inp, plan, pay_day, "paid"),
                result_type=msg.SalaryPaid,
                start_to_close_timeout=timedelta(minutes=5),
                retry_policy=_RETRY,
                summary=literal(
                    f"Payroll of {msg.month_key(inp.month)}: gross {format_eur(plan.gross_cents)}"
                ),
            )
            queued = await self._run(
                inp,
                msg.QUEUE_SALARY_PAYOUT,
                msg.QueueSalaryPayout(
                    member_id=inp.member_id,
                    month=inp.month,
                    salary_month_id=paid.salary_month_id,
                    payout_cents=paid.net_cents,
                    execution_date=pay_day,
                    now_iso=workflow.now().isoformat(),
                    workflow_id=workflow.info().workflow_id,
                ),
                result_type=PayoutQueued,
                start_to_close_timeout=_SHORT,
                retry_policy=_RETRY,
                summary=literal(f"Pay out {format_eur(paid.net_cents)} in the next payout run"),
            )
            if queued.already_sent is not None:
                self._sent.setdefault(queued.payout_key, queued.already_sent)
            await workflow.wait_condition(lambda: queued.payout_key in self._sent)
            self._show(
                inp,
                "paid",
                f"{format_eur(paid.net_cents)} net paid in run {queued.run_key}; {plan.message}",
                plan.gross_cents,
            )
        if plan.last_month:
            await self._declare(inp, "end", pay_day)
            self._show(inp, "stopped", f"last salary paid for {msg.month_key(inp.month)}")
            return f"monthly salary ended after {msg.month_key(inp.month)}"
        workflow.continue_as_new(
            msg.SalaryInput(
                member_id=inp.member_id,
                month=month_end(inp.month) + timedelta(days=1),
                negative_months=plan.negative_months,
                employment_declared=True,
                seconds_per_day=inp.seconds_per_day,
                started_on=max(pay_day, clock.today()),
                paused=plan.message if plan.action == "pause" else "",
            )
        )

    def _request(
        self, inp: msg.SalaryInput, plan: msg.MonthPlan, pay_day: date, status: str
    ) -> msg.RunMonthlySalary:
        return msg.RunMonthlySalary(
            member_id=inp.member_id,
            month=inp.month,
            status=status,  # type: ignore[arg-type]
            pay_date=pay_day,
            gross_cents=plan.gross_cents if status == "paid" else 0,
            negative_months=plan.negative_months,
            available_cents=plan.available_cents,
            message=plan.message,
        )

    async def _run(  # type: ignore[no-untyped-def]
        self, inp: msg.SalaryInput, activity: str, arg: object, **options
    ):
        """Run an activity; a permanent refusal (a payroll figure not published, bad bank
        details) holds the salary for ops, findable as ``SalaryHeld``, until ``retry``."""
        options.setdefault("start_to_close_timeout", _SHORT)
        options.setdefault("retry_policy", _RETRY)
        while True:
            try:
                return await workflow.execute_activity(activity, arg, **options)
            except ActivityError as err:
                cause = err.cause
                if not isinstance(cause, ApplicationError) or not cause.non_retryable:
                    raise
                self._retry = False
                self._show(inp, "held", f"ops: {activity} was refused: {cause.message}")
                await workflow.wait_condition(lambda: self._retry)

    @workflow.signal
    def retry(self) -> None:
        """Ops fixed what a refused step needed (published figures, bank details): try again."""
        self._retry = True

    async def _declare(self, inp: msg.SalaryInput, kind: str, on: date) -> None:
        await self._run(
            inp,
            msg.DECLARE_SALARY_EMPLOYMENT,
            msg.DeclareSalaryEmployment(member_id=inp.member_id, kind=kind, on=on),  # type: ignore[arg-type]
            start_to_close_timeout=timedelta(minutes=15),
            retry_policy=_RETRY,
            summary=literal(f"Declare the continuing employment's {kind} ({on})"),
        )

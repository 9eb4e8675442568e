"""Periodic declarations, each run started by a Temporal Schedule (``workflows/schedules.py``).

``MonthlyDeclarationsWorkflow``: for a month, the DEÜV reports of the employments paid in it,
one contribution statement (Beitragsnachweis) per health fund, and the wage-tax return
(Lohnsteuer-Anmeldung). ``QuarterlyDmfaWorkflow``: the Belgian DmfA of a quarter.

Which period: the input names it (``2026-03``, ``2026-Q1``) when ops starts a run by hand; a
schedule passes no period and the workflow declares the period *before* its scheduled time,
read from the ``TemporalScheduledStartTime`` search attribute the schedule sets (the nominal
time, not the moment the run actually started, so a run caught up late still declares the
right period), as a date in Europe/Berlin (``domain.declarations.periods.berlin_date``: the
sandbox does not let a workflow read the time-zone database). Without either, the workflow's
start time is used.

Running a period twice declares nothing twice: every declaration is recorded once under its
period key by the activities. A refused step (missing member data, an unsupported case) is not
swallowed: the workflow says so in its current details and waits for ``retry_step``.
"""

from __future__ import annotations

from datetime import date, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.declarations import steps
    from domain.declarations.periods import Month, Quarter, berlin_date

SCHEDULED_START = SearchAttributeKey.for_datetime("TemporalScheduledStartTime")
PERIOD_TIME_ZONE = "Europe/Berlin"

_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(minutes=5),
    non_retryable_error_types=["PermanentError"],
)


def _reference_date() -> date:
    scheduled = workflow.info().typed_search_attributes.get(SCHEDULED_START)
    return berlin_date(scheduled if scheduled is not None else workflow.now())


class _PeriodicWorkflow:
    def __init__(self) -> None:
        self._retry_requested = False
        self._waiting_for = "starting"

    @workflow.signal
    def retry_step(self) -> None:
        """Ops fixed the cause of a refused step (e.g. a member's data): try it again."""
        self._retry_requested = True

    @workflow.query
    def waiting_for(self) -> str:
        return self._waiting_for

    async def _step(self, name: str, period: str, summary: str) -> steps.StepResult:
        while True:
            self._waiting_for = summary
            workflow.set_current_details(f"**{summary}** ({period})")
            try:
                result: steps.StepResult = await workflow.execute_activity(
                    name,
                    steps.PeriodRequest(period=period),
                    start_to_close_timeout=timedelta(minutes=5),
                    retry_policy=_RETRY,
                    summary=f"{summary} {period}",
                    result_type=steps.StepResult,
                )
                return result
            except ActivityError as err:
                cause = err.cause
                if not isinstance(cause, ApplicationError) or not cause.non_retryable:
                    raise
                self._waiting_for = f"ops: {summary} was refused: {cause.message}"
                workflow.set_current_details(
                    f"**Needs attention**: {summary} for {period} was refused.\n\n"
                    f"{cause.message}\n\nFix the cause, then send the `retry_step` signal."
                )
                workflow.logger.warning("%s for %s refused: %s", name, period, cause.message)
                self._retry_requested = False
                await workflow.wait_condition(lambda: self._retry_requested)

    def _done(self, period: str, results: list[steps.StepResult]) -> steps.PeriodOutcome:
        outcome = steps.PeriodOutcome(
            period=period,
            declarations=tuple(d for r in results for d in r.declared),
            manual=tuple(m for r in results for m in r.manual),
        )
        declared = outcome.declarations
        lines = [f"**{period}**: {outcome.created} declared, {len(declared) - outcome.created} "
                 "already declared"]  # fmt: skip
        late = [d.period_key for d in declared if d.late]
        if late:
            lines.append(f"Filed late: {', '.join(late)}")
        for d in declared:
            if d.unreported_payslips:
                lines.append(
                    f"Not in the recorded {d.period_key} (correct by hand): "
                    f"{', '.join(d.unreported_payslips)}"
                )
        for m in outcome.manual:
            lines.append(f"By hand: {m.payslip_ref} in the {m.declaration}: {m.reason}")
        self._waiting_for = "nothing: done"
        workflow.set_current_details("\n\n".join(lines))
        return outcome


@workflow.defn
class MonthlyDeclarationsWorkflow(_PeriodicWorkflow):
    @workflow.run
    async def run(self, request: steps.PeriodInput) -> steps.PeriodOutcome:
        if request.period:
            month = Month.parse(request.period)
        else:
            month = Month.of(_reference_date()).previous()
        period = month.key()
        results = [
            await self._step(
                steps.DECLARE_DEUEV_REPORTS, period, "DEÜV reports of the employments paid"
            ),
            await self._step(
                steps.DECLARE_BEITRAGSNACHWEISE, period, "Contribution statements per health fund"
            ),
            await self._step(steps.DECLARE_LOHNSTEUERANMELDUNG, period, "Wage-tax return"),
        ]
        return self._done(period, results)


@workflow.defn
class QuarterlyDmfaWorkflow(_PeriodicWorkflow):
    @workflow.run
    async def run(self, request: steps.PeriodInput) -> steps.PeriodOutcome:
        if request.period:
            quarter = Quarter.parse(request.period)
        else:
            quarter = Quarter.of(_reference_date()).previous()
        period = quarter.key()
        return self._done(period, [await self._step(steps.DECLARE_DMFA, period, "DmfA per worker")])

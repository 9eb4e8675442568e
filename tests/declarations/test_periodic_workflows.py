"""The periodic declaration workflows on the time-skipping server, with the real activities
and database: one statement per health fund, one wage-tax return, the DmfA per worker; a
rerun declares nothing twice; a refused step waits for ops and resumes on retry."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.declaration_activities import DeclarationActivities, EmployerIdentifiers
from db.models_declarations import MemberSocialInsurance, PeriodicDeclaration
from db.models_salary import SalaryMonth
from domain.declarations.periods import Month, Quarter, berlin_date
from domain.declarations.steps import PeriodInput, PeriodOutcome
from tests.declarations.periodic_data import (
    AOK,
    TK,
    be_member,
    de_member,
    exact_de_payslip,
    payslip,
)
from tests.payroll_de.factories import record as de_record
from tests.workflows.conftest import save_history
from workflows.periodic_declarations import MonthlyDeclarationsWorkflow, QuarterlyDmfaWorkflow

EMPLOYER = EmployerIdentifiers(
    de_betriebsnummer="12345678",
    de_steuernummer="2893081508152",
    be_nsso_number="1234567",
    be_employer_category="010",
)


@dataclass
class Periodic:
    env: WorkflowEnvironment
    sessions: async_sessionmaker[AsyncSession]
    task_queue: str
    out_dir: Path

    async def run(
        self, workflow: type, period: str | None, history: str | None = None
    ) -> PeriodOutcome:
        handle = await self.start(workflow, period)
        outcome: PeriodOutcome = await handle.result()
        if history:
            await save_history(handle, history)
        return outcome

    async def start(self, workflow: type, period: str | None) -> WorkflowHandle:
        return await self.env.client.start_workflow(
            workflow.run,  # type: ignore[attr-defined]
            PeriodInput(period=period),
            id=f"{workflow.__name__}-{period}-{uuid.uuid4().hex[:6]}",
            task_queue=self.task_queue,
            result_type=PeriodOutcome,
        )

    async def rows(self) -> list[PeriodicDeclaration]:
        async with self.sessions() as session:
            return list(
                await session.scalars(select(PeriodicDeclaration).order_by(PeriodicDeclaration.id))
            )


@pytest.fixture
async def periodic(
    workflow_env: WorkflowEnvironment,
    session_factory: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> AsyncIterator[Periodic]:
    task_queue = f"declarations-{uuid.uuid4().hex[:8]}"
    activities = DeclarationActivities(
        session_factory, EMPLOYER, tmp_path / "declarations", today=lambda: date(2026, 4, 5)
    )
    async with Worker(
        workflow_env.client,
        task_queue=task_queue,
        workflows=[MonthlyDeclarationsWorkflow, QuarterlyDmfaWorkflow],
        activities=activities.all(),
    ):
        yield Periodic(workflow_env, session_factory, task_queue, tmp_path / "declarations")


async def test_month_with_two_health_funds_gives_one_statement_each_and_one_tax_return(
    periodic: Periodic,
) -> None:
    s = periodic.sessions
    ada = await de_member(s, fund=TK)
    bob = await de_member(s, fund=AOK, childless=True)
    await payslip(s, ada, paid=date(2026, 3, 3), employee=63_450, employer=71_100, tax=30_000)
    await payslip(s, ada, paid=date(2026, 3, 27), employee=42_300, employer=47_400, tax=20_000)
    await payslip(s, bob, paid=date(2026, 3, 31), employee=21_150, employer=23_700, tax=9_999)
    await payslip(s, bob, paid=date(2026, 4, 1))  # April: not in March
    await payslip(s, await be_member(s, inss="85073003328"), paid=date(2026, 3, 10))  # BE

    outcome = await periodic.run(MonthlyDeclarationsWorkflow, "2026-03", "monthly_declarations")

    assert outcome.period == "2026-03"
    by_kind: dict[str, list[PeriodicDeclaration]] = {}
    for row in await periodic.rows():
        by_kind.setdefault(row.kind, []).append(row)
    statements = {
        row.payload["betriebsnummer_krankenkasse"]: row for row in by_kind["beitragsnachweis"]
    }
    assert set(statements) == {TK, AOK}
    assert statements[TK].period_key == f"DE-BN-2026-03-{TK}"
    assert statements[TK].payload["gesamtsumme_cents"] == 63_450 + 71_100 + 42_300 + 47_400
    assert statements[AOK].payload["gesamtsumme_cents"] == 21_150 + 23_700
    assert sum(statements[TK].payload["positionen"].values()) == 63_450 + 71_100 + 42_300 + 47_400
    assert {"1000", "ZBP", "0100", "0010", "0001", "0050", "U1", "U2"} == set(
        statements[TK].payload["positionen"]
    )
    [lsta] = by_kind["lohnsteueranmeldung"]
    assert lsta.period_key == "DE-LSTA-2026-03"
    assert lsta.payload["kz86_zahl_arbeitnehmer"] == 2
    assert lsta.payload["kz42_lohnsteuer_cents"] == 30_000 + 20_000 + 9_999
    assert lsta.payload["kz83_gesamtbetrag_cents"] == 59_999
    assert lsta.payload["abgabe_bis"] == "2026-04-10"
    # Each employment paid in March: its registration (10) and deregistration (30).
    reasons = sorted(row.payload["abgabegrund"] for row in by_kind["deuev"])
    assert reasons == ["10", "10", "10", "30", "30", "30"]
    assert outcome.created == 2 + 1 + 6
    # The data files, one per declaration, with stable content.
    exported = json.loads((periodic.out_dir / "DE" / f"DE-BN-2026-03-{TK}.json").read_text())
    assert exported == statements[TK].payload


async def test_exact_payslips_give_exact_positions_and_tax_lines(periodic: Periodic) -> None:
    s = periodic.sessions
    catholic = await de_member(s, fund=TK, church_tax="rk")
    record = de_record(church_member=True)
    row, slip = await exact_de_payslip(s, catholic, record, paid=date(2026, 3, 27), gross=1_500_000)
    assert slip.solidarity_cents > 0  # a high month wage: the surcharge applies
    assert slip.church_tax_cents > 0

    await periodic.run(MonthlyDeclarationsWorkflow, "2026-03")

    by_key = {r.period_key: r.payload for r in await periodic.rows()}
    statement = by_key[f"DE-BN-2026-03-{TK}"]
    c = slip.contributions
    assert statement["positionen"]["1000"] == c.branch("KV").total_cents
    assert statement["positionen"]["ZBP"] == c.branch("KV_ZUSATZ").total_cents
    assert statement["positionen"]["0001"] == c.branch("PV").total_cents
    assert statement["positionen"]["0050"] == c.insolvency_cents
    assert statement["gesamtsumme_cents"] == (
        row.employee_contributions_cents + row.employer_contributions_cents
    )
    lsta = by_key["DE-LSTA-2026-03"]
    assert lsta["kz42_lohnsteuer_cents"] == slip.wage_tax_cents
    assert lsta["kz49_solidaritaetszuschlag_cents"] == slip.solidarity_cents
    assert lsta["kz62_kirchensteuer_rk_cents"] == slip.church_tax_cents
    assert lsta["kz61_kirchensteuer_ev_cents"] == 0
    # The deregistration reports the engine's pension base (capped at the ceiling), in euros.
    [deregistration] = [p for p in by_key.values() if p.get("abgabegrund") == "30"]
    assert deregistration["entgelt_euro"] == round(c.branch("RV").base_cents / 100)


async def test_a_minijob_is_left_to_ops_and_the_rest_of_the_month_is_declared(
    periodic: Periodic,
) -> None:
    s = periodic.sessions
    await payslip(s, await de_member(s, fund=TK), paid=date(2026, 3, 3))
    mini = await de_member(s, fund=TK, person_group="109", contribution_groups="6500")
    row, _ = await exact_de_payslip(
        s, mini, de_record(minijob=True), paid=date(2026, 3, 20), gross=50_000
    )

    outcome = await periodic.run(MonthlyDeclarationsWorkflow, "2026-03")

    assert outcome.created == 4  # the other member's 10, 30, statement, and the return
    assert {(m.payslip_ref, m.declaration) for m in outcome.manual} == {
        (f"payslip-{row.id}", "DEÜV reports"),
        (f"payslip-{row.id}", "Beitragsnachweis"),
        (f"payslip-{row.id}", "Lohnsteuer-Anmeldung"),
    }
    assert all("Minijob-Zentrale" in m.reason for m in outcome.manual)


async def test_running_the_same_month_twice_declares_nothing_new(periodic: Periodic) -> None:
    s = periodic.sessions
    await payslip(s, await de_member(s, fund=TK), paid=date(2026, 3, 3))
    first = await periodic.run(MonthlyDeclarationsWorkflow, "2026-03")
    files = sorted(p.name for p in (periodic.out_dir / "DE").iterdir())

    second = await periodic.run(MonthlyDeclarationsWorkflow, "2026-03")

    assert first.created == len(first.declarations) == 4  # 10, 30, one statement, one return
    assert second.created == 0
    assert [d.period_key for d in second.declarations] == [d.period_key for d in first.declarations]
    assert len(await periodic.rows()) == 4
    assert sorted(p.name for p in (periodic.out_dir / "DE").iterdir()) == files


async def test_a_payslip_after_the_declaration_is_reported_not_redeclared(
    periodic: Periodic,
) -> None:
    s = periodic.sessions
    ada = await de_member(s, fund=TK)
    await payslip(s, ada, paid=date(2026, 3, 3))
    await periodic.run(MonthlyDeclarationsWorkflow, "2026-03")
    late = await payslip(s, ada, paid=date(2026, 3, 30))  # recorded after the run

    again = await periodic.run(MonthlyDeclarationsWorkflow, "2026-03")

    statement = next(d for d in again.declarations if d.kind == "beitragsnachweis")
    assert statement.created is False
    assert statement.unreported_payslips == (f"payslip-{late.id}",)


async def test_missing_member_data_waits_for_ops_then_resumes_on_retry(periodic: Periodic) -> None:
    s = periodic.sessions
    ada = await de_member(s, fund=None)  # no health fund on record
    await payslip(s, ada, paid=date(2026, 3, 3))

    handle = await periodic.start(MonthlyDeclarationsWorkflow, "2026-03")
    waiting = await _wait_for(handle, lambda text: text.startswith("ops:"))
    assert f"members {ada.id}" in waiting
    assert await periodic.rows() == []  # nothing half-declared

    async with s.begin() as session:
        (await session.get(MemberSocialInsurance, ada.id)).health_fund_number = TK  # type: ignore[union-attr]
    await handle.signal(MonthlyDeclarationsWorkflow.retry_step)
    outcome = await handle.result()
    assert outcome.created == 4
    await save_history(handle, "monthly_declarations_retried")


async def test_quarter_dmfa_aggregates_per_worker_once(periodic: Periodic) -> None:
    s = periodic.sessions
    anna = await be_member(s, inss="85073003328")
    jef = await be_member(s, inss="90010100123", contract_type="blue_collar")
    await payslip(s, anna, paid=date(2026, 1, 20), gross=200_000, employee=26_140, employer=54_000)
    await payslip(s, anna, paid=date(2026, 3, 31), gross=100_000, employee=13_070, employer=27_000)
    await payslip(s, jef, paid=date(2026, 2, 14), gross=150_000, employee=21_172, employer=43_740)
    await payslip(s, jef, paid=date(2026, 4, 1), gross=999_999)  # Q2
    await payslip(s, await de_member(s), paid=date(2026, 2, 2))  # DE

    outcome = await periodic.run(QuarterlyDmfaWorkflow, "2026-Q1", "quarterly_dmfa")
    rerun = await periodic.run(QuarterlyDmfaWorkflow, "2026-Q1")

    [row] = await periodic.rows()
    assert row.period_key == "BE-DMFA-2026-Q1"
    workers = {w["worker_ref"]: w for w in row.payload["workers"]}
    assert set(workers) == {f"member-{anna.id}", f"member-{jef.id}"}
    assert workers[f"member-{anna.id}"]["gross_cents"] == 300_000
    assert workers[f"member-{anna.id}"]["employee_contributions_cents"] == 39_210
    assert workers[f"member-{anna.id}"]["days"] == 10
    assert workers[f"member-{jef.id}"]["onss_base_cents"] == 162_000  # 108 % for blue collar
    assert row.payload["due_date"] == "2026-04-30"
    assert outcome.created == 1
    assert rerun.created == 0


async def test_without_a_period_the_one_before_the_start_is_declared(periodic: Periodic) -> None:
    monthly_run = await periodic.start(MonthlyDeclarationsWorkflow, None)
    quarterly_run = await periodic.start(QuarterlyDmfaWorkflow, None)
    monthly, quarterly = await monthly_run.result(), await quarterly_run.result()
    # (The time-skipping server's clock is wherever earlier tests left it.)
    month_start = berlin_date((await monthly_run.describe()).start_time)
    quarter_start = berlin_date((await quarterly_run.describe()).start_time)
    assert monthly.period == Month.of(month_start).previous().key()
    assert quarterly.period == Quarter.of(quarter_start).previous().key()
    # Nothing was paid then: a nil wage-tax return and an empty DmfA are still declared.
    assert [d.kind for d in monthly.declarations] == ["lohnsteueranmeldung"]
    assert [d.kind for d in quarterly.declarations] == ["dmfa"]


async def _wait_for(handle: WorkflowHandle, predicate) -> str:  # type: ignore[no-untyped-def]
    text = ""
    for _ in range(200):
        text = await handle.query(MonthlyDeclarationsWorkflow.waiting_for)
        if predicate(text):
            return text
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out; waiting for: {text}")


async def test_a_monthly_salary_is_in_the_month_s_statements_but_not_re_registered(
    periodic: Periodic,
) -> None:
    s = periodic.sessions
    grete = await de_member(s, fund=TK)
    async with s.begin() as session:
        session.add(
            SalaryMonth(
                member_id=grete.id,
                month=date(2026, 3, 1),
                status="paid",
                message="salary paid",
                jurisdiction="DE",
                engine="provisional",
                pay_date=date(2026, 3, 31),
                gross_wage_cents=250_000,
                employee_contributions_cents=52_500,
                employer_contributions_cents=52_500,
                wage_tax_cents=25_000,
                net_wage_cents=172_500,
                employer_cost_cents=302_500,
                available_before_cents=900_000,
                negative_months=0,
            )
        )
    await periodic.run(MonthlyDeclarationsWorkflow, "2026-03")
    by_kind: dict[str, list[PeriodicDeclaration]] = {}
    for row in await periodic.rows():
        by_kind.setdefault(row.kind, []).append(row)
    [statement] = by_kind["beitragsnachweis"]
    assert statement.payload["gesamtsumme_cents"] == 52_500 + 52_500
    assert f"salary-{grete.id}-2026-03" in json.dumps(statement.payload)
    [lsta] = by_kind["lohnsteueranmeldung"]
    assert lsta.payload["kz42_lohnsteuer_cents"] == 25_000
    # the continuing employment was registered once, by the salary workflow: no DEÜV each month
    assert "deuev" not in by_kind

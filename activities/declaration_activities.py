"""Activities of the periodic declarations: read the period's payslips, compute the
declarations with the pure domain rules, record each once.

Idempotent per declaration: ``periodic_declarations.period_key`` is unique, so a rerun of the
period (a retried activity, a schedule firing twice, ops starting it by hand) finds what was
declared and declares nothing again. Each recorded declaration is also exported as a stable
JSON file (sorted keys) under ``out_dir``, the data a transmission channel is fed from.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from activities.declaration_rows import (
    MIDIJOB_REPORTS,
    MINIJOB,
    Row,
    belgian,
    contract_type,
    de_complete,
    exact_positions,
    german,
    payslip_ref,
    payslip_refs,
    require,
    salary_payslip,
    set_aside,
    wage_tax_line,
)
from activities.errors import permanent_errors
from adapters.files import write_once
from db.models import Payslip
from db.models_declarations import MemberSocialInsurance, PeriodicDeclaration
from db.models_salary import SalaryMonth
from domain.declarations import steps
from domain.declarations.de_monthly import (
    ContributionLine,
    beitragsnachweise,
    lohnsteueranmeldung,
    rates_for,
)
from domain.declarations.deuev import Employment, reports_for_completed_employment
from domain.declarations.dmfa import DmfaLine, dmfa
from domain.declarations.periods import Month, Quarter
from domain.order_contract import order_workflow_id

log = logging.getLogger(__name__)


class EmployerIdentifiers(BaseModel):
    """The cooperative's numbers with each authority (``worker.py`` passes them)."""

    model_config = ConfigDict(frozen=True)

    de_betriebsnummer: str  # Betriebsnummer of the German establishment (8 digits)
    de_steuernummer: str  # tax number of the Betriebsstätte for the Lohnsteuer-Anmeldung
    be_nsso_number: str  # ONSS registration number
    be_employer_category: str = "000"  # ONSS employer category (provisional, see docs)


class DeclarationActivities:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        employer: EmployerIdentifiers,
        out_dir: Path,
        *,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._sessions = sessions
        self._employer = employer
        self._out_dir = Path(out_dir)
        self._today = today

    def all(self) -> list[Callable[..., Any]]:
        return [
            self.declare_deuev_reports,
            self.declare_beitragsnachweise,
            self.declare_lohnsteueranmeldung,
            self.declare_dmfa,
        ]

    # ------------------------------------------------------------------ Germany

    @activity.defn(name=steps.DECLARE_DEUEV_REPORTS)
    @permanent_errors
    async def declare_deuev_reports(self, request: steps.PeriodRequest) -> steps.StepResult:
        """Registration, annual and deregistration reports of the employments paid in the
        month (each order is one employment; its payslip carries its dates and wage)."""
        month = Month.parse(request.period)
        rows, manual = set_aside(
            await self._payslips("DE", month.first_day(), month.last_day(), salaries=False),
            "DEÜV reports",
            {"minijob": MINIJOB, "midijob": MIDIJOB_REPORTS},
        )
        require(rows, "an insurance number, health fund and occupation key", de_complete)
        declared = []
        for payslip, insurance in rows:
            assert insurance is not None  # require checked it
            assert insurance.occupation_key is not None
            assert insurance.health_fund_number is not None
            employment = Employment(
                reference=order_workflow_id(payslip.order_id),
                versicherungsnummer=insurance.insurance_number,
                familienname=insurance.family_name,
                vorname=insurance.given_name,
                personengruppe=insurance.person_group,
                beitragsgruppen=insurance.contribution_groups,
                taetigkeitsschluessel=insurance.occupation_key,
                betriebsnummer_krankenkasse=insurance.health_fund_number,
                start=payslip.period_start,
                end=payslip.period_end,
            )
            exact = german(payslip)
            # The engine's pension base is the wage its contributions were paid on: reported
            # as is. A provisional payslip's gross is capped here, pro rata per day.
            if exact is not None:
                wage, ceiling = exact.contributions.branch("RV").base_cents, None
            else:
                wage = payslip.gross_wage_cents
                ceiling = rates_for(payslip.pay_date).rv_ceiling_month_cents
            reports = reports_for_completed_employment(
                employment, self._employer.de_betriebsnummer, wage, ceiling
            )
            for report in reports:
                recorded = await self._record(
                    report.key(),
                    "deuev",
                    "DE",
                    month.key(),
                    report.model_dump(mode="json"),
                    late=not report.deadline(self._today()).on_time,
                )
                declared.append(recorded)
        return steps.StepResult(declared=tuple(declared), manual=manual)

    @activity.defn(name=steps.DECLARE_BEITRAGSNACHWEISE)
    @permanent_errors
    async def declare_beitragsnachweise(self, request: steps.PeriodRequest) -> steps.StepResult:
        month = Month.parse(request.period)
        rows, manual = set_aside(
            await self._payslips("DE", month.first_day(), month.last_day()),
            "Beitragsnachweis",
            {"minijob": MINIJOB},
        )
        require(rows, "a health fund", lambda i: bool(i.health_fund_number))
        lines = [
            ContributionLine(
                payslip_ref=payslip_ref(payslip),
                employee_ref=f"member-{payslip.member_id}",
                betriebsnummer_krankenkasse=str(insurance.health_fund_number),
                beitragsgruppen=insurance.contribution_groups,
                childless=insurance.childless,
                pay_date=payslip.pay_date,
                gross_cents=payslip.gross_wage_cents,
                employee_contributions_cents=payslip.employee_contributions_cents,
                employer_contributions_cents=payslip.employer_contributions_cents,
                exact_positions=exact_positions(payslip, insurance.contribution_groups),
            )
            for payslip, insurance in rows
            if insurance is not None
        ]
        statements = beitragsnachweise(month, self._employer.de_betriebsnummer, lines)
        declared = [
            await self._record(
                s.period_key(),
                s.kind,
                "DE",
                month.key(),
                s.model_dump(mode="json"),
                s.gesamtsumme_cents,
                late=self._today() >= s.einzureichen_bis,
            )
            for s in statements
        ]
        return steps.StepResult(declared=tuple(declared), manual=manual)

    @activity.defn(name=steps.DECLARE_LOHNSTEUERANMELDUNG)
    @permanent_errors
    async def declare_lohnsteueranmeldung(self, request: steps.PeriodRequest) -> steps.StepResult:
        """The month's return, also when nothing was paid (a nil return is still due)."""
        month = Month.parse(request.period)
        rows, manual = set_aside(
            await self._payslips("DE", month.first_day(), month.last_day()),
            "Lohnsteuer-Anmeldung",
            {"minijob": MINIJOB},
        )
        lines = [wage_tax_line(payslip, insurance) for payslip, insurance in rows]
        lsta = lohnsteueranmeldung(month, self._employer.de_steuernummer, lines)
        declared = await self._record(
            lsta.period_key(),
            lsta.kind,
            "DE",
            month.key(),
            lsta.model_dump(mode="json"),
            lsta.kz83_gesamtbetrag_cents,
            late=self._today() > lsta.abgabe_bis,
        )
        return steps.StepResult(declared=(declared,), manual=manual)

    # ------------------------------------------------------------------ Belgium

    @activity.defn(name=steps.DECLARE_DMFA)
    @permanent_errors
    async def declare_dmfa(self, request: steps.PeriodRequest) -> steps.StepResult:
        quarter = Quarter.parse(request.period)
        rows = await self._payslips("BE", quarter.first_day(), quarter.last_day())
        require(rows, "a national number (INSS)", lambda i: len(i.insurance_number) == 11)
        lines = [
            DmfaLine(
                payslip_ref=payslip_ref(payslip),
                worker_ref=f"member-{payslip.member_id}",
                inss=insurance.insurance_number,
                contract_type=contract_type(payslip, insurance),
                onss_base_cents=exact.total_social_security_base_cents if exact else None,
                pay_date=payslip.pay_date,
                work_days=payslip.work_days,
                gross_cents=payslip.gross_wage_cents,
                employee_contributions_cents=payslip.employee_contributions_cents,
                employer_contributions_cents=payslip.employer_contributions_cents,
            )
            for payslip, insurance in rows
            if insurance is not None
            for exact in [belgian(payslip)]
        ]
        declaration = dmfa(
            quarter, self._employer.be_nsso_number, self._employer.be_employer_category, lines
        )
        declared = await self._record(
            declaration.period_key(),
            declaration.kind,
            "BE",
            quarter.key(),
            declaration.model_dump(mode="json"),
            declaration.employee_contributions_cents + declaration.employer_contributions_cents,
            late=self._today() > declaration.due_date,
        )
        return steps.StepResult(declared=(declared,))

    # ------------------------------------------------------------------ persistence

    async def _payslips(
        self, jurisdiction: str, first: date, last: date, *, salaries: bool = True
    ) -> list[Row]:
        """The jurisdiction's payslips paid in [first, last] with their member's data; with
        ``salaries``, the monthly salaries paid then too (``salary_payslip``; the DEÜV reports
        leave them out: a continuing employment is registered once, not each month)."""
        rows = await self._order_payslips(jurisdiction, first, last)
        if not salaries:
            return rows
        async with self._sessions() as session:
            found = await session.execute(
                select(SalaryMonth, MemberSocialInsurance)
                .outerjoin(
                    MemberSocialInsurance, MemberSocialInsurance.member_id == SalaryMonth.member_id
                )
                .where(
                    SalaryMonth.jurisdiction == jurisdiction,
                    SalaryMonth.status == "paid",
                    SalaryMonth.pay_date >= first,
                    SalaryMonth.pay_date <= last,
                )
                .order_by(SalaryMonth.id)
            )
            return rows + [(salary_payslip(m), insurance) for m, insurance in found.all()]

    async def _order_payslips(self, jurisdiction: str, first: date, last: date) -> list[Row]:
        async with self._sessions() as session:
            result = await session.execute(
                select(Payslip, MemberSocialInsurance)
                .outerjoin(
                    MemberSocialInsurance, MemberSocialInsurance.member_id == Payslip.member_id
                )
                .where(
                    Payslip.jurisdiction == jurisdiction,
                    Payslip.pay_date >= first,
                    Payslip.pay_date <= last,
                )
                .order_by(Payslip.id)
            )
            return [(payslip, insurance) for payslip, insurance in result.all()]

    async def _record(
        self,
        period_key: str,
        kind: str,
        jurisdiction: str,
        period: str,
        payload: dict[str, Any],
        total_cents: int = 0,
        *,
        late: bool = False,
    ) -> steps.Declared:
        """Insert the declaration unless its key exists; export it; say which happened."""
        created = True
        try:
            async with self._sessions.begin() as session:
                stored = await session.scalar(
                    select(PeriodicDeclaration).where(PeriodicDeclaration.period_key == period_key)
                )
                if stored is None:
                    session.add(
                        PeriodicDeclaration(
                            period_key=period_key,
                            kind=kind,
                            jurisdiction=jurisdiction,
                            period=period,
                            payload=payload,
                        )
                    )
                else:
                    created = False
        except IntegrityError:  # a concurrent run inserted it first
            created = False
        if not created:
            async with self._sessions() as session:
                stored = await session.scalar(
                    select(PeriodicDeclaration).where(PeriodicDeclaration.period_key == period_key)
                )
            assert stored is not None
            unreported = sorted(set(payslip_refs(payload)) - set(payslip_refs(stored.payload)))
            if unreported:
                log.warning("%s was declared without payslips %s", period_key, unreported)
            payload = stored.payload
        else:
            unreported = []
        self._export(jurisdiction, period_key, payload)
        return steps.Declared(
            period_key=period_key,
            kind=kind,
            created=created,
            total_cents=total_cents,
            late=late and created,
            unreported_payslips=tuple(unreported),
        )

    def _export(self, jurisdiction: str, period_key: str, payload: dict[str, Any]) -> None:
        """The declaration's data file; written once (a rerun finds it, or writes it if the
        previous run stopped between the database and the file)."""
        data = json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        write_once(self._out_dir / jurisdiction / f"{period_key}.json", data.encode())

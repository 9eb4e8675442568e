"""The exact wage step of an order: payslip by the member's employment record, once per order.

Called by the ``run_exact_payroll`` activity (``activities.order_activities``). The order's
actual start and end are the employment's period: a German order shorter than its month is
priced as a part month (pro-rata ceilings, daily wage-tax table). Idempotent by
order: a retried step finds the payslip it stored and returns it; the ledger entry is keyed by
the order, so it is never posted twice.

After the payslip row is committed, the step files what goes out of it, each once per payslip
and built from the stored row (never from a fresh computation), so a retry files the same:

- the payslip PDF in the member's language (``adapters.documents.payslip_pdf.PayslipPdfs``), when
  configured: exact German or Belgian, or marked provisional without an employment record;
- with the bureau backend, the payslip's line in the bureau's period file
  (``adapters.payroll_bureau.export.PayrollBureauExport.export``).

A failure there (a render, a full disk) fails the step after the payslip exists; the retry
finds the payslip and files what is still missing.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.documents.payslip_builders import (
    belgian_payslip_document,
    german_payslip_document,
    provisional_payslip_document,
)
from adapters.documents.payslip_document import (
    LANGUAGES,
    Language,
    PayslipDocument,
    PayslipEmployer,
    PayslipMember,
)
from adapters.documents.payslip_pdf import PayslipPdfs
from adapters.payroll_bureau.export import PayrollBureauExport, bureau_line
from db import ledger
from db.models import Member, Payslip
from db.models_payroll import EmploymentRecord
from domain import ledger as entries
from domain import order_steps as steps
from domain.order_contract import order_workflow_id
from domain.payroll.be_payroll import BelgianPayslip
from domain.payroll.de_engine import GermanPayslip
from domain.payroll.employment import BelgianEmployment, MemberEmployment, parse_record
from domain.payroll.protocol import Payroll, PayrollRequest, PayslipData

log = logging.getLogger(__name__)

# A member row's language outside the payslip languages (the API refuses those; older rows
# may hold one): the payslip goes out in the Member column's default rather than not at all.
_FALLBACK_LANGUAGE: Language = "en"


@dataclass(frozen=True)
class _Filed:
    """What the files of one payslip are made of, read in the payslip's transaction."""

    payslip_id: str
    jurisdiction: str
    engine: str  # DE | BE | provisional
    member_id: str
    member_name: str
    language: Language
    period_start: date
    period_end: date
    details: str | None
    data: PayslipData
    employment: BelgianEmployment | None  # the BE record, None if unknown


def payroll_request(
    request: steps.RunPayroll, employment: MemberEmployment | None = None
) -> PayrollRequest:
    """The wage of an order to compute: its period is the order's actual start and end."""
    order = request.order
    return PayrollRequest(
        payslip_id=order_workflow_id(order.order_id),
        jurisdiction=order.jurisdiction,
        member_id=str(order.member_id),
        member_name=order.member_name,
        breakdown=request.breakdown,
        pay_date=request.pay_date,
        period_start=request.actual_start,
        period_end=request.actual_end,
        employment=employment,
    )


class ExactPayrollStep:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        payroll: Payroll,
        *,
        pdfs: PayslipPdfs | None = None,
        bureau: PayrollBureauExport | None = None,
    ) -> None:
        self._sessions = sessions
        self._payroll = payroll
        self._pdfs = pdfs
        self._bureau = bureau

    async def run(self, request: steps.RunPayroll) -> steps.PayrollDone:
        order = request.order
        async with self._sessions.begin() as session:
            existing = await session.scalar(
                select(Payslip).where(Payslip.order_id == order.order_id)
            )
            stored = await session.get(EmploymentRecord, order.member_id)
            if existing is None:
                record = parse_record(stored.jurisdiction, stored.data) if stored else None
                slip = await self._payroll.run(payroll_request(request, record))
                existing = Payslip(
                    order_id=order.order_id,
                    member_id=order.member_id,
                    jurisdiction=order.jurisdiction,
                    period_start=request.actual_start,
                    period_end=request.actual_end,
                    work_days=request.work_days,
                    details=slip.details,
                    **slip.data.model_dump(),
                )
                session.add(existing)
                await session.flush()
                d = slip.data
                await ledger.post(
                    session,
                    entries.payslip_posted(
                        order_workflow_id(order.order_id),
                        employer_cost=d.employer_cost_cents,
                        employee_contributions=d.employee_contributions_cents,
                        employer_contributions=d.employer_contributions_cents,
                        wage_tax=d.wage_tax_cents,
                        net_wage=d.net_wage_cents,
                        expenses=d.expenses_cents,
                        remainder=slip.remainder_cents,
                    ),
                    order_id=order.order_id,
                    posted_on=request.pay_date,
                )
            engine = "provisional"
            if existing.details and '"provisional"' not in existing.details:
                engine = existing.jurisdiction
            done = steps.PayrollDone(
                payslip_id=existing.id,
                engine=engine,
                gross_wage_cents=existing.gross_wage_cents,
                net_wage_cents=existing.net_wage_cents,
                payout_cents=existing.net_wage_cents + existing.expenses_cents,
            )
            filed = None
            if self._pdfs is not None or self._bureau is not None:
                member = await session.get(Member, order.member_id)
                filed = _filed(existing, engine, order.member_name, member, stored)
        if filed is not None:
            if self._pdfs is not None:
                await self._write_pdf(self._pdfs, filed)
            if self._bureau is not None:
                await self._export(self._bureau, filed, request)
        return done

    async def _write_pdf(self, pdfs: PayslipPdfs, filed: _Filed) -> None:
        path = pdfs.path_for(filed.jurisdiction, filed.data.pay_date, filed.payslip_id)
        await pdfs.write(path, lambda: payslip_document(filed, pdfs.employer(filed.jurisdiction)))

    async def _export(
        self, bureau: PayrollBureauExport, filed: _Filed, request: steps.RunPayroll
    ) -> None:
        filed_request = PayrollRequest(
            payslip_id=filed.payslip_id,
            jurisdiction=filed.jurisdiction,
            member_id=filed.member_id,
            member_name=filed.member_name,
            breakdown=request.breakdown,
            pay_date=filed.data.pay_date,
            period_start=filed.period_start,
            period_end=filed.period_end,
            employment=filed.employment,
        )
        line = bureau_line(filed_request, filed.data)
        await asyncio.to_thread(bureau.export, line)


def _filed(
    row: Payslip,
    engine: str,
    member_name: str,
    member: Member | None,
    stored: EmploymentRecord | None,
) -> _Filed:
    wanted = member.language if member is not None else None
    language = cast(Language, wanted) if wanted in LANGUAGES else _FALLBACK_LANGUAGE
    if wanted != language:
        log.warning(
            "member %s has language %r; payslip %s goes out in %r",
            row.member_id,
            wanted,
            row.id,
            language,
        )
    employment = None
    if engine == "BE" and stored is not None and stored.jurisdiction == "BE":
        employment = BelgianEmployment.model_validate_json(stored.data)
    return _Filed(
        payslip_id=str(row.id),
        jurisdiction=row.jurisdiction,
        engine=engine,
        member_id=str(row.member_id),
        member_name=member_name,
        language=language,
        period_start=row.period_start,
        period_end=row.period_end,
        details=row.details,
        data=PayslipData.model_validate(row, from_attributes=True),
        employment=employment,
    )


def payslip_document(filed: _Filed, employer: PayslipEmployer) -> PayslipDocument:
    """The payslip as stored: the exact engine's details when there are some, else the
    provisional totals."""
    member = PayslipMember(
        member_id=filed.member_id, name=filed.member_name, language=filed.language
    )
    if filed.engine == "BE" and filed.details:
        return belgian_payslip_document(
            payslip_id=filed.payslip_id,
            payslip=BelgianPayslip.model_validate_json(filed.details),
            member=member,
            employer=employer,
            period_start=filed.period_start,
            period_end=filed.period_end,
            expenses_cents=filed.data.expenses_cents,
        )
    if filed.engine == "DE" and filed.details:
        return german_payslip_document(
            payslip_id=filed.payslip_id,
            payslip=GermanPayslip.model_validate_json(filed.details),
            member=member,
            employer=employer,
            period_start=filed.period_start,
            period_end=filed.period_end,
            expenses_cents=filed.data.expenses_cents,
        )
    return provisional_payslip_document(
        payslip_id=filed.payslip_id,
        jurisdiction=filed.jurisdiction,
        data=filed.data,
        member=member,
        employer=employer,
        period_start=filed.period_start,
        period_end=filed.period_end,
    )

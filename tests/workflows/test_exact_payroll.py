"""The lifecycle's wage by the member's employment record: exact German and Belgian engines,
the budget spent to the cent, the member budget closed at zero; without a record, the
provisional wage."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from db import ledger
from db.models import Payslip
from domain.payroll.de_engine import german_payslip
from domain.payroll.employment import BelgianEmployment, EmploymentPeriod
from tests.payroll_de.factories import record as de_record
from tests.workflows.conftest import Lifecycle
from tests.workflows.paid_order import run_paid


async def test_german_wage_from_the_employment_record(lifecycle: Lifecycle) -> None:
    rec = de_record()
    summary, order_id = await run_paid(lifecycle, rec.model_dump_json(), history="exact_payroll_de")
    async with lifecycle.sessions() as session:
        slip = await session.scalar(select(Payslip).where(Payslip.order_id == order_id))
        balances = await ledger.balances(session, order_id=order_id)
    assert slip is not None
    # The budget is spent on the largest gross whose employer cost fits; a few cents remain.
    assert 0 <= slip.employment_budget_cents - slip.employer_cost_cents <= 13
    # The order's 5 days are the employment: a part month (pro-rata ceilings, daily table).
    period = EmploymentPeriod(start=slip.period_start, end=slip.period_end)
    exact = german_payslip(slip.gross_wage_cents, rec, slip.pay_date, period)
    assert (exact.sv_days, exact.wage_tax_table) == (5, "day")
    assert slip.net_wage_cents == exact.net_cents
    assert (
        slip.wage_tax_cents
        == exact.wage_tax_cents + exact.solidarity_cents + exact.church_tax_cents
    )
    assert json.loads(slip.details or "{}")["regime"] == exact.regime
    assert summary.payout_cents == exact.net_cents
    assert summary.net_wage_cents == exact.net_cents
    assert balances.get("member_budget", 0) == 0
    assert sum(balances.values()) == 0


async def test_belgian_artist_wage_from_the_employment_record(
    lifecycle: Lifecycle, einvoice_rules_dir: Path
) -> None:
    """The Belgian business client gets a Peppol UBL, checked by the official rules."""
    employment = BelgianEmployment(contract="artist")
    summary, order_id = await run_paid(
        lifecycle,
        employment.model_dump_json(),
        jurisdiction="BE",
        net_amount_cents=900_000,
        client_country="BE",
        client_vat_id="BE0123456749",
        client_name="Atomium SRL",
    )
    async with lifecycle.sessions() as session:
        slip = await session.scalar(select(Payslip).where(Payslip.order_id == order_id))
        balances = await ledger.balances(session, order_id=order_id)
    assert slip is not None
    details = json.loads(slip.details or "{}")
    assert details["contract"] == "artist"
    # ONSS on 108 % of the gross for artists.
    assert details["social_security_base_cents"] == round(slip.gross_wage_cents * 108 / 100)
    assert summary.payout_cents == slip.net_wage_cents
    assert balances.get("member_budget", 0) == 0


async def test_without_a_record_the_wage_is_provisional(lifecycle: Lifecycle) -> None:
    summary, order_id = await run_paid(lifecycle, None)
    async with lifecycle.sessions() as session:
        slip = await session.scalar(select(Payslip).where(Payslip.order_id == order_id))
    assert slip is not None
    assert json.loads(slip.details or "{}") == {"provisional": True}
    assert summary.payout_cents == slip.net_wage_cents

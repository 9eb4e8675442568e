"""The lifecycle's wage by the member's employment record: exact German and Belgian engines,
the budget spent to the cent, the member budget closed at zero."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from adapters.payroll_de import german_payslip
from adapters.payroll_exact import BelgianEmployment
from db import ledger
from db.models import Payslip
from db.models_payroll import EmploymentRecord
from domain.order_messages import (
    Completion,
    OfferResponse,
    OrderSummary,
    OrderView,
    PaymentReceived,
)
from tests.payroll_de.factories import record as de_record
from tests.workflows.conftest import Lifecycle


async def _run_paid(
    lc: Lifecycle, record_json: str | None, **order: object
) -> tuple[OrderSummary, int]:
    handle, inp = await lc.start(**order)
    if record_json is not None:
        async with lc.sessions.begin() as session:
            session.add(
                EmploymentRecord(
                    member_id=inp.member_id, jurisdiction=inp.jurisdiction, data=record_json
                )
            )
    await handle.execute_update(
        "respond_to_offer",
        OfferResponse(decision="accept", signer_name="G", token_id="t"),
        result_type=OrderView,
    )
    await lc.wait_for(handle, lambda v: "completion" in v.waiting_for, "signed")
    view = await handle.execute_update(
        "complete",
        Completion(
            member_id=inp.member_id,
            actual_start=inp.period_start,
            actual_end=inp.period_end,
            work_days=5,
        ),
        result_type=OrderView,
    )
    await handle.signal(
        "payment_received",
        PaymentReceived(
            payment_key="p", amount_cents=view.gross_cents, received_on=view.business_today
        ),
    )
    await lc.env.sleep(timedelta(days=8))
    return await handle.result(), inp.order_id


async def test_german_wage_from_the_employment_record(lifecycle: Lifecycle) -> None:
    rec = de_record()
    summary, order_id = await _run_paid(lifecycle, rec.model_dump_json())
    async with lifecycle.sessions() as session:
        slip = await session.scalar(select(Payslip).where(Payslip.order_id == order_id))
        balances = await ledger.balances(session, order_id=order_id)
    assert slip is not None
    # The budget is spent on the largest gross whose employer cost fits; a few cents remain.
    assert 0 <= slip.employment_budget_cents - slip.employer_cost_cents <= 13
    exact = german_payslip(slip.gross_wage_cents, rec, slip.pay_date)
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


async def test_belgian_artist_wage_from_the_employment_record(lifecycle: Lifecycle) -> None:
    employment = BelgianEmployment(contract="artist")
    summary, order_id = await _run_paid(
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
    summary, order_id = await _run_paid(lifecycle, None)
    async with lifecycle.sessions() as session:
        slip = await session.scalar(select(Payslip).where(Payslip.order_id == order_id))
    assert slip is not None
    assert json.loads(slip.details or "{}") == {"provisional": True}
    assert summary.payout_cents == slip.net_wage_cents

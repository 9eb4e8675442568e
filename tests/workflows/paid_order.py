"""An order run through the lifecycle to its close with the member's employment record (when
given): signed, completed, paid, its wage computed; optionally its history kept for replay."""

from __future__ import annotations

from datetime import timedelta

from db.models_payroll import EmploymentRecord
from domain.order_messages import (
    Completion,
    OfferResponse,
    OrderSummary,
    OrderView,
    PaymentReceived,
)
from tests.workflows.conftest import Lifecycle
from workflows.order import OrderLifecycleWorkflow


async def run_paid(
    lc: Lifecycle, record_json: str | None, history: str | None = None, **order: object
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
        OrderLifecycleWorkflow.respond_to_offer,
        OfferResponse(decision="accept", signer_name="G", token_id="t"),
        result_type=OrderView,
    )
    await lc.wait_for(handle, lambda v: "completion" in v.waiting_for, "signed")
    view = await handle.execute_update(
        OrderLifecycleWorkflow.complete,
        Completion(
            member_id=inp.member_id,
            actual_start=inp.period_start,
            actual_end=inp.period_end,
            work_days=5,
        ),
        result_type=OrderView,
    )
    await handle.signal(
        OrderLifecycleWorkflow.payment_received,
        PaymentReceived(
            payment_key="p", amount_cents=view.gross_cents, received_on=view.business_today
        ),
    )
    await lc.env.sleep(timedelta(days=8))
    summary = await handle.result()
    if history:
        await lc.save_history(handle, history)
    return summary, inp.order_id

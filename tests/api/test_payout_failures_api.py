"""What ops and finance do over HTTP about a wage the bank refused: hand in the bank's status
report, fix the member's bank account, retry the order's step."""

from __future__ import annotations

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import LedgerEntry, Member, Order, Payout
from dev.bank_files import pain002_bytes
from tests.api.api_helpers import ADMIN, bearer, completed_order, create_member, finance_token
from tests.api.test_api_basics import assert_problem

XML = {"content-type": "application/xml"}


async def test_staff_change_a_members_bank_account_checked_as_at_creation(
    api: httpx.AsyncClient,
) -> None:
    member, token = await create_member(api)
    finance = bearer(await finance_token(api))
    changed = await api.put(
        f"/members/{member['id']}/bank-account",
        json={"iban": "de02 1203 0000 0000 2020 51"},
        headers=finance,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["iban"], changed.json()["bic"]) == (
        "DE02120300000000202051",
        "BYLADEM1001",
    )

    bad = await api.put(
        f"/members/{member['id']}/bank-account", json={"iban": "DE00123"}, headers=finance
    )
    assert bad.status_code == 422
    assert "not a valid IBAN" in bad.text
    assert_problem(
        await api.put(
            f"/members/{member['id']}/bank-account",
            json={"iban": "DE02120300000000202051"},
            headers=bearer(token),
        ),
        403,
        "forbidden",
    )
    assert_problem(
        await api.put(
            "/members/999999/bank-account", json={"iban": "DE02120300000000202051"}, headers=ADMIN
        ),
        404,
        "not-found",
    )


async def test_retry_reaches_a_running_order_and_names_an_unknown_one(
    api: httpx.AsyncClient,
) -> None:
    _, order = await completed_order(api)
    retried = await api.post(f"/finance/orders/{order['id']}/retry", headers=ADMIN)
    assert retried.status_code == 202, retried.text
    assert retried.json()["order_id"] == order["id"]
    assert_problem(await api.post("/finance/orders/999999/retry", headers=ADMIN), 404, "not-found")


async def test_a_status_report_rejects_a_payout_once_and_a_broken_one_is_refused(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    _, order = await completed_order(api)
    async with session_factory.begin() as session:
        row = await session.get_one(Order, order["id"])
        member = await session.get_one(Member, row.member_id)
        session.add(
            Payout(
                payout_key=f"WAGE-{row.id}",
                order_id=row.id,
                member_id=member.id,
                amount_cents=10_000,
                iban=member.iban,
                execution_date=row.period_end,
                status="sent",
                message_id="20261207-140000-1",
            )
        )
    report = pain002_bytes(
        original_message_id="20261207-140000-1",
        group_status="RJCT",
        group_reason_code="AM04",
    )
    first = await api.post("/finance/payment-status-reports", content=report, headers=ADMIN | XML)
    assert first.status_code == 200, first.text
    assert first.json() | {"orders_told": None} == {
        "original_message_id": "20261207-140000-1",
        "group_status": "RJCT: the bank rejected the transfer",
        "payouts": 1,
        "newly_rejected": 1,
        "orders_told": None,
    }
    again = await api.post("/finance/payment-status-reports", content=report, headers=ADMIN | XML)
    assert again.json()["newly_rejected"] == 0
    async with session_factory() as session:
        payout = await session.scalar(select(Payout).where(Payout.order_id == order["id"]))
        reversals = list(
            await session.scalars(
                select(LedgerEntry.entry_key).where(LedgerEntry.entry_key.like("payout:%:failed"))
            )
        )
    assert payout is not None
    assert (payout.status, payout.failure_code) == ("rejected", "AM04")
    assert payout.failure_reason == "AM04: there were not enough funds on the account"
    assert reversals == [f"payout:WAGE-{order['id']}:failed"]

    broken = await api.post(
        "/finance/payment-status-reports", content=b"<Document/>", headers=ADMIN | XML
    )
    body = assert_problem(broken, 422, "status-report-refused")
    assert body["line"] == 1
    assert "not an ISO 20022 payment status report" in body["detail"]
    async with session_factory.begin() as session:
        await session.execute(update(Payout).values(status="sent"))  # leave nothing odd behind

"""The finance desk's queue page: filters, sort and pages as GET parameters (paged in SQL),
and the same queue as CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import httpx
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.services.orders import utc_today
from domain.collection import interest_to_date
from domain.money import format_eur
from tests.api.api_helpers import ADMIN_TOKEN, create_member, finance_token
from tests.api.desk_rows import insert_queue_case
from tests.api.test_api_finance_desk import login


def shown(page: httpx.Response) -> list[int]:
    """The case ids the queue shows, in order."""
    assert page.status_code == 200, page.text
    return [int(n) for n in re.findall(r"<tr id='case-(\d+)'>", page.text)]


async def _cases(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    today = utc_today()
    return {
        "ada": await insert_queue_case(
            sessions, today=today, member="Ada Lovelace", client="ACME GmbH",
            days_overdue=40, amount_cents=100_00, level=4,
        ),
        "bert": await insert_queue_case(
            sessions, today=today, member="Bert Brecht", client="Brasserie Bruxelles",
            jurisdiction="BE", days_overdue=10, amount_cents=2_500_00, level=3,
        ),
        "carl": await insert_queue_case(
            sessions, today=today, member="Carl", client="Cafe", days_overdue=70,
            amount_cents=900_00, level=2,
        ),
        "done": await insert_queue_case(
            sessions, today=today, member="Dora", client="Decided AG", status="decided"
        ),
        "refund": await insert_queue_case(
            sessions, today=today, member="Eve", client="Refund SA", kind="refund", level=0,
            days_overdue=5, amount_cents=50_00,
        ),
    }  # fmt: skip


async def test_the_queue_filters_by_get_parameters(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    c = await _cases(session_factory)
    await login(api, await finance_token(api))
    opened = [c["carl"], c["ada"], c["bert"], c["refund"]]  # oldest case first
    assert shown(await api.get("/finance")) == opened
    expectations = {
        "jurisdiction=be": [c["bert"]],
        "level=4": [c["ada"]],
        "min_eur=1000": [c["bert"]],
        "max_eur=100.00": [c["ada"], c["refund"]],
        "min_eur=100&max_eur=900": [c["carl"], c["ada"]],
        "min_days=30": [c["carl"], c["ada"]],
        "max_days=20": [c["bert"], c["refund"]],
        "min_days=20&max_days=50": [c["ada"]],
        "member=LOVE": [c["ada"]],
        "client=brass": [c["bert"]],
        "client=%25": [],  # a LIKE wildcard is a character like any other
        "status=decided": [c["done"]],
        "status=all&client=de": [c["done"]],
        "kind=refund": [c["refund"]],
        "kind=overdue&jurisdiction=DE": [c["carl"], c["ada"]],
    }
    for query, expected in expectations.items():
        assert shown(await api.get(f"/finance?{query}")) == expected, query
    # The form shows what was asked; a value that does not parse is named and left out.
    page = await api.get("/finance?level=four&client=brass")
    assert shown(page) == [c["bert"]]
    # Refund cases and closed cases are the queue's own filters, one click from every page.
    assert "href='/finance?kind=refund'" in page.text
    assert "href='/finance?status=decided'" in page.text
    assert "Level must be a whole number" in page.text
    assert "value='brass'" in page.text


async def test_the_queue_sorts_by_amount_days_overdue_and_level(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    c = await _cases(session_factory)
    await login(api, await finance_token(api))
    ada, bert, carl, refund = c["ada"], c["bert"], c["carl"], c["refund"]
    assert shown(await api.get("/finance?sort=amount")) == [refund, ada, carl, bert]
    assert shown(await api.get("/finance?sort=amount&dir=desc")) == [bert, carl, ada, refund]
    assert shown(await api.get("/finance?sort=overdue&dir=desc")) == [carl, ada, bert, refund]
    assert shown(await api.get("/finance?sort=overdue")) == [refund, bert, ada, carl]
    assert shown(await api.get("/finance?sort=level&dir=desc")) == [ada, bert, carl, refund]
    page = await api.get("/finance?sort=amount&dir=desc&jurisdiction=DE")
    assert shown(page) == [carl, ada, refund]
    # The column headers link to the other direction and keep the filters.
    assert "href='/finance?jurisdiction=DE&amp;sort=amount'" in page.text
    assert "€900.00" in page.text
    assert ">70<" in page.text  # days overdue


async def test_the_queue_is_paged_in_sql_fifty_at_a_time(
    api: httpx.AsyncClient,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    today = utc_today()
    ids = [
        await insert_queue_case(session_factory, today=today, days_overdue=30 + i % 7)
        for i in range(63)
    ]
    await login(api, await finance_token(api))
    statements: list[str] = []

    def seen(_conn, _cursor, statement: str, *_args: object) -> None:  # type: ignore[no-untyped-def]
        if "FROM finance_cases" in statement:
            statements.append(statement)

    event.listen(
        Engine,  # the app's own engine, made in its lifespan
        "before_cursor_execute",
        seen,
    )
    try:
        first = await api.get("/finance")
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    assert len(shown(first)) == 50
    assert "63 cases, page 1 of 2" in first.text
    assert "href='/finance?page=2'" in first.text
    # One count and one page of rows: the cases are never loaded all at once.
    assert any("count(*)" in s for s in statements)
    assert all("LIMIT" in s for s in statements if "count(*)" not in s), statements
    second = await api.get("/finance?page=2")
    assert len(shown(second)) == 13
    assert set(shown(first)) | set(shown(second)) == set(ids)
    assert shown(await api.get("/finance?page=99")) == shown(second)  # the last page
    assert len(shown(await api.get("/finance?page=2&min_days=31"))) == 63 - 9 - 50


async def test_the_queue_shows_interest_to_date(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    today = utc_today()
    runs_from = today - timedelta(days=60)
    await insert_queue_case(
        session_factory,
        today=today,
        amount_cents=10_000_00,
        interest_runs_from=runs_from,
        interest_accrued_cents=1_23,
    )
    await login(api, await finance_token(api))
    page = await api.get("/finance")
    expected = interest_to_date(
        "DE", True, accrued=1_23, runs_from=runs_from, principal=10_000_00, today=today
    )
    assert expected > 1_23
    assert "€10,000.00" in page.text
    assert f"+ {format_eur(expected)} interest to date" in page.text


async def test_the_queue_downloads_as_csv_with_the_same_filters(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    today = utc_today()
    tricky = await insert_queue_case(
        session_factory, today=today, member='Ann "the lamp", Jr', client="=HYPERLINK(1)",
        amount_cents=1_234_567_89,
    )  # fmt: skip
    other = await insert_queue_case(session_factory, today=today, jurisdiction="BE")
    assert (await api.get("/finance/queue.csv")).status_code == 401
    await login(api, await finance_token(api))
    page = await api.get("/finance?jurisdiction=DE&sort=amount")
    assert "href='/finance/queue.csv?jurisdiction=DE&amp;sort=amount'" in page.text
    answer = await api.get("/finance/queue.csv?jurisdiction=DE&sort=amount")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert re.fullmatch(
        r'attachment; filename="finance-queue-\d{4}-\d\d-\d\d\.csv"',
        answer.headers["content-disposition"],
    )
    assert '"Ann ""the lamp"", Jr"' in answer.text  # quoted, quotes doubled
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [int(r["case_id"]) for r in rows] == [tricky]
    [row] = rows
    assert row["member"] == 'Ann "the lamp", Jr'
    assert row["client"] == "'=HYPERLINK(1)"  # not run as a formula by a spreadsheet
    assert (row["amount_due_cents"], row["amount_due"]) == ("123456789", "€1,234,567.89")
    assert (row["days_overdue"], row["dunning_level"], row["jurisdiction"]) == ("30", "4", "DE")
    every = list(csv.DictReader(io.StringIO((await api.get("/finance/queue.csv")).text)))
    assert {int(r["case_id"]) for r in every} == {tricky, other}


async def test_only_staff_open_the_queue(
    api: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _cases(session_factory)
    _, member = await create_member(api)
    assert (await login(api, member)).status_code == 403
    assert shown(await api.get("/finance")) == []
    assert "name='token'" in (await api.get("/finance")).text
    assert (await api.get("/finance/queue.csv")).status_code == 401
    # The admin may look (staff) but not decide: that is finance's.
    await login(api, ADMIN_TOKEN)
    assert len(shown(await api.get("/finance"))) == 4

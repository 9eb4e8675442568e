"""When Temporal is unreachable: actions answer 503 problem+json and change nothing; reads
still answer from the database. Plus the mapping of Temporal errors to problems."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from api.app import create_app
from api.errors import problem_of, update_refusal
from config import Settings
from tests.api.api_helpers import bearer, member_with_order
from tests.api.test_api_basics import assert_problem


@pytest.fixture
async def api_without_temporal(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"temporal_address": "127.0.0.1:1"}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def test_submit_without_temporal_is_503_and_keeps_the_draft(
    api_without_temporal: httpx.AsyncClient,
) -> None:
    api = api_without_temporal
    token, order = await member_with_order(api)
    response = await api.post(f"/orders/{order['id']}/submit", headers=bearer(token))
    body = assert_problem(response, 503, "temporal-unavailable")
    assert response.headers["retry-after"] == "5"
    assert "nothing was changed" in body["detail"]
    detail = await api.get(f"/orders/{order['id']}", headers=bearer(token))
    assert detail.status_code == 200
    assert detail.json()["status"] == "Draft"
    cancelled = await api.post(f"/orders/{order['id']}/cancel", headers=bearer(token))
    assert cancelled.json()["status"] == "Cancelled"  # a draft needs no workflow


def test_unavailable_rpc_is_503() -> None:
    problem = problem_of(RPCError("connection refused", RPCStatusCode.UNAVAILABLE, b""))
    assert problem is not None
    assert (problem.status, problem.code) == (503, "temporal-unavailable")
    gone = problem_of(RPCError("workflow not found", RPCStatusCode.NOT_FOUND, b""))
    assert gone is not None
    assert (gone.status, gone.code) == (409, "workflow-not-running")


@pytest.mark.parametrize(
    ("cause", "status", "code"),
    [
        (ApplicationError("order is Invoiced", type="invalid-state"), 409, "invalid-state"),
        (ApplicationError("order is Invoiced", type="InvalidState"), 409, "invalid-state"),
        (ApplicationError("period ends first", type="InvalidPeriod"), 422, "invalid-period"),
        (ApplicationError("too late", type="ValueError"), 409, "action-refused"),
        (ApplicationError("no", type=None), 409, "action-refused"),
    ],
)
def test_update_refusals(cause: ApplicationError, status: int, code: str) -> None:
    problem = update_refusal(cause)
    assert (problem.status, problem.code) == (status, code)
    assert problem.detail == cause.message

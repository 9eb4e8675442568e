"""The API handles again, every ``stripe_pending_interval_seconds``, the webhook events whose
handling failed: the loop survives a failed round, runs from the lifespan and stops with it."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from api.app import create_app
from api.deps import TemporalConnection
from api.services import stripe_inbox
from config import Settings
from db.models import Payment
from db.models_payments import StripeEvent
from tests.stripe.conftest import API_KEY, StripeStack, bill, eventually


class _Stop(Exception):
    """Ends the loop from the fake sleep."""


async def test_the_loop_survives_a_failed_round(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    rounds: list[str] = []
    waits: list[float] = []

    async def handle_pending(inbox: Any) -> int:
        rounds.append("round")
        if len(rounds) == 1:
            raise ConnectionError("database away")
        return 2

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) > 3:
            raise _Stop

    monkeypatch.setattr(stripe_inbox, "handle_pending", handle_pending)
    inbox = stripe_inbox.Inbox(None, None, None)  # type: ignore[arg-type]
    with caplog.at_level(logging.INFO, logger=stripe_inbox.__name__), pytest.raises(_Stop):
        await stripe_inbox.retry_pending_periodically(inbox, 7.5, sleep=sleep)

    assert waits == [7.5, 7.5, 7.5, 7.5]  # it waits first, then after every round
    assert rounds == ["round"] * 3  # the failed first round did not end it
    [failed] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert failed.exc_info is not None
    assert str(failed.exc_info[1]) == "database away"
    assert sum("2 pending Stripe event(s) handled" in r.getMessage() for r in caplog.records) == 2


async def test_an_interval_of_zero_starts_no_task(stack: StripeStack) -> None:
    assert stack.app.state.stripe_pending_retries is None
    assert stripe_inbox.start_pending_retries(None, 0) is None  # type: ignore[arg-type]


async def test_the_api_handles_pending_events_in_the_background_and_stops_on_shutdown(
    stack: StripeStack, db_url: str
) -> None:
    # A payment whose signal could not be delivered: its event stays pending.
    resources = stack.app.state.resources
    working = resources.temporal
    resources.temporal = TemporalConnection("127.0.0.1:1")
    billed = await bill(stack)
    assert (await stack.api.post(billed.path, data={"test_card": "pm_card_visa"})).is_success

    async def failed_once() -> list[StripeEvent] | None:
        async with stack.sessions() as session:
            found = list(
                await session.scalars(select(StripeEvent).where(StripeEvent.attempts >= 1))
            )
        return found or None

    [event] = await eventually(failed_once, what="a failed handling")
    assert event.handled_at is None
    resources.temporal = working
    async with stack.sessions.begin() as session:  # it failed more than a minute ago
        await session.execute(
            update(StripeEvent)
            .where(StripeEvent.id == event.id)
            .values(received_at=datetime.now(UTC) - timedelta(minutes=2))
        )

    # Another API process on the same database, retrying every 50 ms.
    app = create_app(
        Settings(
            _env_file=None,
            database_url=db_url,
            stripe_api_key=API_KEY,
            stripe_api_base=stack.localstripe,
            stripe_pending_interval_seconds=0.05,
        ),
        temporal_client=stack.env.client,
    )
    async with app.router.lifespan_context(app):
        task = app.state.stripe_pending_retries
        assert isinstance(task, asyncio.Task)

        async def handled() -> StripeEvent | None:
            async with stack.sessions() as session:
                row = await session.get_one(StripeEvent, event.id)
            return row if row.handled_at is not None else None

        done = await eventually(handled, what="the background retry")
        assert done.attempts == 2
        async with stack.sessions() as session:
            payment = await session.scalar(select(Payment))
        assert payment is not None
        assert await stack.payments_seen(billed.order.id) == [payment.payment_key]
        assert not task.done()

    assert task.cancelled()
    assert not hasattr(app.state, "stripe")  # the lifespan's own gateway is closed and gone

"""The yardstick of ``bench.api``: a bare FastAPI app whose one endpoint does the same insert
as ``POST /orders`` (a draft order for the caller's client), with no authentication, no
validation beyond pydantic's, no middleware. Run by uvicorn with ``COOPFLOW_DATABASE_URL``."""

from __future__ import annotations

import os
from datetime import date, timedelta

from fastapi import FastAPI
from pydantic import BaseModel

from db.models import Order
from db.session import make_engine, make_session_factory

app = FastAPI()
_sessions = make_session_factory(make_engine(os.environ["COOPFLOW_DATABASE_URL"]))


class Draft(BaseModel):
    member_id: int
    client_id: int
    description: str
    period_start: date
    period_end: date
    net_amount_cents: int


@app.post("/orders", status_code=201)
async def create(draft: Draft) -> dict[str, int]:
    async with _sessions.begin() as session:
        order = Order(
            **draft.model_dump(),
            jurisdiction="DE",
            offer_valid_until=date.today() + timedelta(days=14),
        )
        session.add(order)
        await session.flush()
        return {"id": order.id}

"""The FastAPI application: ``create_app(settings)`` for tests and ``app`` for uvicorn.

Run: ``uvicorn api.app:app`` (settings from ``COOPFLOW_*`` / ``.env``). Docs at ``/docs``; the
finance desk at ``/finance``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from temporalio.client import Client

from adapters.settings import Settings, get_settings
from api.deps import Resources, TemporalConnection
from api.errors import install_problem_handlers
from api.idempotency import install_idempotency_handler
from api.routers import (
    clients,
    employment,
    finance,
    health,
    invoices,
    ledger,
    members,
    orders,
    pay,
    payments,
    payslips,
    signing,
    stripe_webhooks,
)
from db.session import make_engine, make_session_factory

DESCRIPTION = """
Back office of a freelancer work cooperative. Each submitted order is one durable Temporal
workflow (`order-<id>`); actions on it are workflow Updates, reads come from the database
projection its activities write, live state from a Query.

* **Auth**: `Authorization: Bearer <token>`; roles member, finance, admin.
* **Errors**: `application/problem+json` (RFC 9457).
* **Retries**: send an `Idempotency-Key` header on POSTs; the first answer is replayed.
* **Money**: integer cents in `*_cents` fields.
* **Signing links** (`/sign/{token}`, no login): HTML for the client, JSON for programs.
* **Finance desk** (`/finance`): a web page of open cases; log in once with a finance token, kept
  in an HttpOnly, SameSite=Strict cookie limited to `/finance`.
"""


def create_app(settings: Settings, *, temporal_client: Client | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        temporal = TemporalConnection(settings, temporal_client)
        if temporal_client is None:
            await temporal.try_connect()
        app.state.resources = Resources(
            settings=settings,
            engine=engine,
            session_factory=make_session_factory(engine),
            temporal=temporal,
        )
        try:
            yield
        finally:
            await engine.dispose()

    app = FastAPI(title="coopflow", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    install_problem_handlers(app)
    install_idempotency_handler(app)
    for module in (
        health,
        members,
        employment,
        clients,
        orders,
        signing,
        invoices,
        payslips,
        payments,
        finance,
        ledger,
        pay,
        stripe_webhooks,
    ):
        app.include_router(module.router)
    return app


app = create_app(get_settings())

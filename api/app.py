"""The FastAPI application: ``create_app(settings)`` for tests and ``app`` for uvicorn.

Run: ``uvicorn api.app:app`` (settings from ``COOPFLOW_*`` / ``.env``). Docs at ``/docs``; the
finance desk at ``/finance``.

This module is the API's one reader of the settings: the lifespan turns them into what requests
need (``api.deps.ApiConfig``, the Temporal connection, the Stripe gateway) on ``app.state``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from temporalio.client import Client

from adapters.mail.mailers import mailer_for
from adapters.observability import configure_logging
from adapters.payments.stripe_gateway import StripeGateway
from api.deps import ApiConfig, Resources, TemporalConnection
from api.docs import install_docs
from api.errors import install_problem_handlers
from api.idempotency import install_idempotency_handler
from api.metrics import ApiMetrics, MetricsMiddleware
from api.metrics import router as metrics_router
from api.problem_docs import PROBLEM_RESPONSES
from api.rate_limits import RateLimits, bucket_store
from api.routers import (
    bank,
    budget,
    clients,
    codec,
    desk_bank_lines,
    desk_case,
    employment,
    finance,
    finance_desk,
    health,
    invoices,
    ledger,
    me,
    me_budget,
    me_clients,
    me_magic_links,
    members,
    orders,
    pay,
    payments,
    payslips,
    salary,
    signing,
    stripe_webhooks,
)
from api.security import BodyLimit, SecurityHeaders, redact_access_logs
from api.services import stripe_inbox
from config import Settings, get_settings
from db.session import make_engine, make_session_factory

DESCRIPTION = """
Back office of a freelancer work cooperative. Each submitted order is one durable Temporal
workflow (`order-<id>`); actions on it are workflow Updates, reads come from the database
projection its activities write, live state from a Query.

* **Auth**: `Authorization: Bearer <token>`; roles member, finance, admin. Tokens expire
  after 180 days; an admin revokes one with `DELETE /tokens/{id}`.
* **Errors**: `application/problem+json` (RFC 9457).
* **Retries**: send an `Idempotency-Key` header on POSTs; the first answer is replayed.
* **Money**: integer cents in `*_cents` fields.
* **Signing links** (`/sign/{token}`, no login): HTML for the client, JSON for programs.
* **Limits**: every field has its bounds (a 422 names the field); bodies up to 1 MB; logins,
  signing and pay links and failed tokens are rate-limited (429 with `Retry-After`); an action
  on an order is answered within 15 s (else 504: it may still take effect).
* **Finance desk** (`/finance`): web pages of the case queue (filters, sort, pages, CSV at
  `/finance/queue.csv`) and of the bank lines (`/finance/desk/bank-lines`); log in with a
  finance token: the desk keeps a session (8 hours, ended by logging out) in an HttpOnly,
  SameSite=Strict cookie limited to `/finance`, never the token; its forms carry a CSRF token.
* **Member's pages** (`/me`): my orders with their state in words, a new order and its offer,
  my invoices and payslips with their PDFs, my budget (`/me/budget`), my clients; log in
  with a member token (the same kind of session, in a cookie limited to `/me`), or with a
  one-time link e-mailed on request (`/me/magic/{token}`, short-lived, used once), in the
  member's language (en, de, fr, nl, it, pl).
* **Budget**: `GET /members/me/budget` (`?month=YYYY-MM`), a view of the ledger per member.
"""


def api_config(settings: Settings) -> ApiConfig:
    return ApiConfig(
        admin_token=settings.admin_token,
        signing_secret=settings.signing_secret,
        public_base_url=settings.public_base_url,
        task_queue=settings.task_queue,
        seconds_per_day=settings.seconds_per_day,
        payslip_dir=settings.payslip_dir,
        invoice_dir=settings.invoice_dir,
        coop_iban=settings.coop_iban,
        bank_inbox_dir=settings.bank_inbox_dir,
        payload_keys=settings.payload_keys,
        dev_mode=settings.dev_mode,
        temporal_ui_origin=settings.temporal_ui_origin,
        metrics_token=settings.metrics_token,
    )


def create_app(settings: Settings, *, temporal_client: Client | None = None) -> FastAPI:
    buckets = bucket_store(settings.redis_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.require_safe()  # uvicorn reports "Application startup failed" and exits
        if settings.log_format == "json":
            configure_logging("json", "api")
        engine = make_engine(settings.database_url)
        temporal = TemporalConnection(
            settings.temporal_address,
            settings.temporal_namespace,
            temporal_client,
            access=settings.temporal_access(),
        )
        if temporal_client is None:
            await temporal.try_connect()
        resources = Resources(
            config=api_config(settings),
            engine=engine,
            session_factory=make_session_factory(engine),
            temporal=temporal,
            mailer=mailer_for(
                settings.mail_backend,
                maildir=settings.maildir,
                smtp_host=settings.smtp_host,
                smtp_port=settings.smtp_port,
                sender=settings.mail_from,
            ),
            buckets=buckets,
        )
        app.state.resources = resources
        # Stripe: the gateway (tests may have put their own on app.state first) and the
        # periodic retry of webhook events whose handling failed.
        own_gateway: StripeGateway | None = None
        if getattr(app.state, "stripe", None) is None:
            own_gateway = StripeGateway(settings.stripe_api_key, settings.stripe_api_base)
            app.state.stripe = stripe_inbox.StripeResources(
                own_gateway, settings.stripe_webhook_secret, test_mode=settings.stripe_test_mode
            )
        stripe = stripe_inbox.stripe_resources(app.state)
        pending = stripe_inbox.start_pending_retries(
            stripe_inbox.Inbox(resources.session_factory, temporal, stripe.gateway),
            settings.stripe_pending_interval_seconds,
        )
        app.state.stripe_pending_retries = pending
        try:
            yield
        finally:
            await stripe_inbox.stop_pending_retries(pending)
            if own_gateway is not None:
                del app.state.stripe
                await own_gateway.aclose()
            await engine.dispose()

    app = FastAPI(
        title="coopflow",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served below from the app's own assets, not a CDN
        redoc_url=None,
        responses=PROBLEM_RESPONSES,
    )
    install_docs(app)
    # Outermost last: the headers go on every answer, the 429 and 413 ones too.
    app.add_middleware(BodyLimit)
    app.add_middleware(RateLimits, store=buckets)
    app.add_middleware(SecurityHeaders)
    app.state.metrics = ApiMetrics()
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)  # outermost: times all
    redact_access_logs()
    install_problem_handlers(app)
    install_idempotency_handler(app)
    for module in (
        health,
        budget,
        salary,
        codec,
        members,
        employment,
        clients,
        orders,
        signing,
        invoices,
        payslips,
        payments,
        finance,
        bank,
        finance_desk,
        desk_bank_lines,
        desk_case,
        me,
        me_clients,
        me_magic_links,
        me_budget,
        ledger,
        pay,
        stripe_webhooks,
    ):
        app.include_router(module.router)
    app.include_router(metrics_router)
    return app


app = create_app(get_settings())

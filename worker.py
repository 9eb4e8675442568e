"""The worker: builds adapters from settings, registers workflows and activities, runs.

``python worker.py`` — settings come from ``COOPFLOW_*`` environment variables.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.worker import Worker

from activities.declaration_activities import DeclarationActivities, EmployerIdentifiers
from activities.order_activities import OrderActivities
from adapters.banking import LocalSepaBanking
from adapters.invoice_documents import InvoiceDocuments
from adapters.mail import MaildirMailer, Mailer, SmtpMailer
from adapters.payroll import PolicyPayroll
from adapters.settings import Settings, get_settings
from adapters.social_security import LocalSocialSecurity
from adapters.temporal_client import connect
from db.session import make_engine, make_session_factory
from workflows.order_lifecycle import OrderLifecycleWorkflow
from workflows.periodic_declarations import MonthlyDeclarationsWorkflow, QuarterlyDmfaWorkflow
from workflows.schedules import ensure_schedules

WORKFLOWS: Sequence[type] = (
    OrderLifecycleWorkflow,
    MonthlyDeclarationsWorkflow,
    QuarterlyDmfaWorkflow,
)


def build_mailer(settings: Settings) -> Mailer:
    if settings.mail_backend == "maildir":
        return MaildirMailer(settings.maildir, settings.mail_from)
    return SmtpMailer(settings.smtp_host, settings.smtp_port, settings.mail_from)


def build_activities(
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> OrderActivities:
    return OrderActivities(
        sessions,
        mailer=build_mailer(settings),
        banking=LocalSepaBanking(
            settings.payout_dir, settings.coop_name, settings.coop_iban, settings.coop_bic
        ),
        social_security=LocalSocialSecurity(settings.declarations_dir),
        payroll=PolicyPayroll(),
        invoice_documents=InvoiceDocuments(settings.invoice_dir, settings.seller),
        public_base_url=settings.public_base_url,
        signing_secret=settings.signing_secret,
        coop_name=settings.coop_name,
    )


def build_declarations(
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> DeclarationActivities:
    employer = EmployerIdentifiers(
        de_betriebsnummer=settings.de_betriebsnummer,
        de_steuernummer=settings.de_steuernummer,
        be_nsso_number=settings.be_nsso_number,
        be_employer_category=settings.be_employer_category,
    )
    return DeclarationActivities(sessions, employer, settings.declarations_dir / "periodic")


def build_worker(
    client: Client,
    settings: Settings,
    activities: OrderActivities,
    declarations: DeclarationActivities | None = None,
    **options: Any,
) -> Worker:
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=list(WORKFLOWS),
        activities=activities.all() + (declarations.all() if declarations else []),
        **options,
    )


async def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")
    for noisy in ("weasyprint", "fontTools", "factur-x", "facturx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)  # per-invoice rendering steps
    settings = get_settings()
    engine = make_engine(settings.database_url)
    client = await connect(settings)
    sessions = make_session_factory(engine)
    worker = build_worker(
        client,
        settings,
        build_activities(settings, sessions),
        build_declarations(settings, sessions),
    )
    # Monthly (DE) and quarterly (BE DmfA) declarations run on Temporal Schedules.
    for change in await ensure_schedules(client, settings.task_queue):
        logging.info("schedule %s", change)
    logging.info("polling task queue %s on %s", settings.task_queue, settings.temporal_address)
    try:
        await worker.run()
    finally:
        await engine.dispose()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass

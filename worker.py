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

WORKFLOWS: Sequence[type] = (OrderLifecycleWorkflow,)


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


def build_worker(
    client: Client, settings: Settings, activities: OrderActivities, **options: Any
) -> Worker:
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=list(WORKFLOWS),
        activities=activities.all(),
        **options,
    )


async def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")
    for noisy in ("weasyprint", "fontTools", "factur-x", "facturx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)  # per-invoice rendering steps
    settings = get_settings()
    engine = make_engine(settings.database_url)
    client = await connect(settings)
    worker = build_worker(
        client, settings, build_activities(settings, make_session_factory(engine))
    )
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

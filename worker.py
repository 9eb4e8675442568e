"""The worker: builds adapters from settings, registers workflows and activities, runs.

``python worker.py`` — settings come from ``COOPFLOW_*`` environment variables.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
from temporalio.worker import Worker, WorkerDeploymentConfig

from activities.bank_inbox import BankInboxActivities, FolderInbox
from activities.declaration_activities import DeclarationActivities, EmployerIdentifiers
from activities.member_insurance_directory import MemberInsuranceDirectory
from activities.order_activities import OrderActivities
from activities.payout_run_steps import PayoutSchedule, temporal_run_starter
from activities.payroll_step import ExactPayrollStep
from activities.reconciliation import ReconciliationActivities
from adapters.banking.sepa import Banking, LocalSepaBanking
from adapters.documents.einvoice_validation import EinvoiceValidator
from adapters.documents.invoice_documents import InvoiceDocuments
from adapters.documents.payslip_document import PayslipEmployer
from adapters.documents.payslip_pdf import PayslipPdfs
from adapters.documents.render_pool import RenderPool, render_pool
from adapters.faults import (
    FaultInjector,
    FaultyBanking,
    FaultyMailer,
    FaultyRefunder,
    FaultySocialSecurity,
    Refunds,
    inject_database_faults,
)
from adapters.mail.mailers import Mailer, mailer_for
from adapters.observability import configure_logging, metrics_runtime
from adapters.payments.stripe_gateway import StripeGateway
from adapters.payroll_bureau.export import PayrollBureauExport
from adapters.social_security.declarations import SocialSecurity, SocialSecurityByJurisdiction
from adapters.social_security.dimona import DimonaClient
from adapters.social_security.dimona_models import DimonaEmployer
from adapters.social_security.dimona_store import FileSubmissionStore
from adapters.social_security.local_register import LocalSocialSecurity
from adapters.temporal_client import connect
from config import Settings, get_settings
from db.session import make_engine, make_session_factory
from domain.banking.matching import MatchingPolicy
from domain.late_interest import rates_to_publish
from domain.payroll.employment_payroll import EmploymentPayroll
from domain.payroll.provisional import PolicyPayroll
from workflows.order import OrderLifecycleWorkflow
from workflows.payout_run import PayoutRunWorkflow
from workflows.periodic_declarations import MonthlyDeclarationsWorkflow, QuarterlyDmfaWorkflow
from workflows.reconciliation import BankInboxWorkflow, BankReconciliationWorkflow
from workflows.salary import MonthlySalaryWorkflow
from workflows.schedules import ensure_schedules

WORKFLOWS: Sequence[type] = (
    OrderLifecycleWorkflow,
    MonthlyDeclarationsWorkflow,
    QuarterlyDmfaWorkflow,
    BankReconciliationWorkflow,
    BankInboxWorkflow,
    PayoutRunWorkflow,
    MonthlySalaryWorkflow,
)


def build_mailer(settings: Settings) -> Mailer:
    return mailer_for(
        settings.mail_backend,
        maildir=settings.maildir,
        smtp_host=settings.smtp_host,
        smtp_port=settings.smtp_port,
        sender=settings.mail_from,
    )


def payslip_employer(settings: Settings, jurisdiction: str) -> PayslipEmployer:
    """The employer on a payslip: the seller entity of the jurisdiction with its numbers
    there (BE: enterprise and ONSS numbers; DE: Betriebsnummer and Steuernummer)."""
    seller = settings.seller(jurisdiction)
    address = seller.address
    lines = (*address.lines, f"{address.postcode} {address.city}".strip())
    if jurisdiction == "BE":
        return PayslipEmployer(
            name=seller.name,
            address_lines=lines,
            enterprise_number=seller.legal_id,
            social_security_number=settings.be_nsso_number,
        )
    return PayslipEmployer(
        name=seller.name,
        address_lines=lines,
        establishment_number=settings.de_betriebsnummer,
        tax_number=settings.de_steuernummer,
    )


def build_payroll_step(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    pool: RenderPool | None = None,
) -> ExactPayrollStep:
    """The exact wage step: payslip PDFs under ``<data_dir>/payslips``; with the bureau
    backend, each payslip's line under ``<data_dir>/payroll-export`` as well."""
    bureau = None
    if settings.payroll_backend == "bureau":
        bureau = PayrollBureauExport(settings.data_dir / "payroll-export")
    return ExactPayrollStep(
        sessions,
        EmploymentPayroll(),
        pdfs=PayslipPdfs(settings.payslip_dir, partial(payslip_employer, settings), pool),
        bureau=bureau,
    )


def dimona_employer_number(nsso_number: str) -> int:
    """``be_nsso_number`` as Dimona's ``nssoRegistrationNumber`` (a number): its digits."""
    digits = re.sub(r"[\s./-]", "", nsso_number)
    if not digits.isdigit():
        raise ValueError(
            f"COOPFLOW_BE_NSSO_NUMBER {nsso_number!r} is not an ONSS number (digits, optionally "
            "with '-', '.', '/' or spaces)"
        )
    return int(digits)


def build_social_security(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    *,
    http: httpx.AsyncClient | None = None,
) -> SocialSecurity:
    """The local register, or with the Dimona backend: Belgian declarations through the
    Dimona REST API (national numbers from ``member_social_insurance``), German ones still
    in the local register. ``http``: the Dimona client's HTTP client (its own if None)."""
    local = LocalSocialSecurity(settings.declarations_dir)
    if settings.social_security_backend == "local":
        return local
    missing = [
        name
        for name in ("dimona_base_url", "dimona_token_url", "dimona_client_id")
        if not getattr(settings, name)
    ]
    if missing:
        names = ", ".join(f"COOPFLOW_{name.upper()}" for name in missing)
        raise ValueError(f"social_security_backend=dimona needs {names}")
    dimona = DimonaClient(
        settings.dimona_base_url,
        settings.dimona_token_url,
        settings.dimona_client_id,
        settings.dimona_client_secret,
        http=http,
        poll_interval=settings.dimona_poll_interval_seconds,
        poll_timeout=settings.dimona_poll_timeout_seconds,
        employer=DimonaEmployer(
            nsso_registration_number=dimona_employer_number(settings.be_nsso_number),
            joint_committee=settings.dimona_joint_committee,
        ),
        workers=MemberInsuranceDirectory(sessions),
        store=FileSubmissionStore(settings.declarations_dir / "dimona"),
    )
    return SocialSecurityByJurisdiction({"BE": dimona, "DE": local})


def einvoice_validator(settings: Settings) -> EinvoiceValidator:
    """The validator on the official rule files; says at start which rule sets are missing
    (the invoices they would check fail until the files are installed)."""
    validator = EinvoiceValidator(settings.einvoice_rules_dir)
    for problem in validator.unavailable():
        logging.warning("e-invoice validation: %s", problem)
    return validator


def warn_of_unpublished_rates(today: date) -> None:
    """Interest rates carried forward (or refused) for the current half-year, said at start."""
    for note in rates_to_publish(today):
        logging.warning("late-payment interest: %s", note)


def build_activities(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    *,
    http: httpx.AsyncClient | None = None,
    client: Client | None = None,
) -> OrderActivities:
    """``client``: the Temporal client that starts payout runs (without it, a wage cannot be
    queued: the order shows the refusal). With ``COOPFLOW_RENDER_PROCESSES`` > 0, invoices and
    payslip PDFs render in a pool of processes of their own (``render_pool``)."""
    pool = render_pool(settings.render_processes)
    mailer: Mailer = build_mailer(settings)
    banking: Banking = LocalSepaBanking(
        settings.payout_dir, settings.coop_name, settings.coop_iban, settings.coop_bic
    )
    social_security = build_social_security(settings, sessions, http=http)
    refunder: Refunds = StripeGateway(settings.stripe_api_key, settings.stripe_api_base)
    if settings.fault_rate > 0:  # chaos runs only (docs/chaos.md): transient faults injected
        faults = FaultInjector(settings.fault_rate)
        mailer, banking = FaultyMailer(mailer, faults), FaultyBanking(banking, faults)
        social_security = FaultySocialSecurity(social_security, faults)
        refunder = FaultyRefunder(refunder, faults)
        inject_database_faults(sessions.kw["bind"], faults)
    return OrderActivities(
        sessions,
        mailer=mailer,
        banking=banking,
        social_security=social_security,
        payroll=PolicyPayroll(),
        payroll_step=build_payroll_step(settings, sessions, pool),
        invoice_documents=InvoiceDocuments(
            settings.invoice_dir, settings.seller, einvoice_validator(settings), pool
        ),
        # Refunds after a credit note go back through Stripe for Stripe payments.
        refunder=refunder,
        seller=settings.seller,
        public_base_url=settings.public_base_url,
        coop_name=settings.coop_name,
        payout_schedule=PayoutSchedule(
            hour=settings.payout_cutoff_hour, every_seconds=settings.payout_run_every_seconds
        ),
        run_starter=temporal_run_starter(client, settings.task_queue) if client else None,
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


def build_banking(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], client: Client
) -> list[Any]:
    """Reconciliation's activities: matching statements, handing payments to orders (through
    ``client``), importing the statement inbox."""
    policy = MatchingPolicy(tolerance_cents=settings.matching_tolerance_cents)
    return (
        ReconciliationActivities(sessions, client, policy).all()
        + BankInboxActivities(sessions, FolderInbox(settings.bank_inbox_dir), client).all()
    )


def deployment_config(settings: Settings) -> WorkerDeploymentConfig:
    """This release as a version of the worker deployment (docs/production.md, "Releasing"):
    workflows move to a new current version at their next task (auto-upgrade), so every
    change to a workflow's code is a ``workflow.patched`` branch, as before; the version lets
    a release ramp up on a share of the work and be rolled back to the previous build."""
    return WorkerDeploymentConfig(
        version=WorkerDeploymentVersion(
            deployment_name=settings.worker_deployment_name, build_id=settings.worker_build_id
        ),
        use_worker_versioning=True,
        default_versioning_behavior=VersioningBehavior.AUTO_UPGRADE,
    )


# The worker's options beyond the SDK's defaults; the bench's minimal workflow runs with them
# too. None yet: at saturation a task waits ~20 ms for a slot and the event loop lags ~1 ms,
# and fewer or more slots measured no different (docs/performance.md).
WORKER_TUNING: dict[str, Any] = {}


def build_worker(
    client: Client,
    settings: Settings,
    activities: OrderActivities,
    declarations: DeclarationActivities | None = None,
    banking: list[Any] | None = None,
    **options: Any,
) -> Worker:
    if settings.worker_build_id and "deployment_config" not in options:
        options["deployment_config"] = deployment_config(settings)
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=list(WORKFLOWS),
        activities=activities.all()
        + (declarations.all() if declarations else [])
        + (banking or []),
        **(WORKER_TUNING | options),
    )


async def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_format, "worker")
    for noisy in ("weasyprint", "fontTools", "factur-x", "facturx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)  # per-invoice rendering steps
    settings.require_safe()
    warn_of_unpublished_rates(datetime.now(UTC).date())
    engine = make_engine(settings.database_url)
    client = await connect(
        settings.temporal_address,
        settings.temporal_namespace,
        settings.temporal_access(),
        runtime=metrics_runtime(settings.worker_metrics_address),
    )
    if settings.worker_metrics_address:
        logging.info("Temporal SDK metrics on http://%s/metrics", settings.worker_metrics_address)
    sessions = make_session_factory(engine)
    worker = build_worker(
        client,
        settings,
        build_activities(settings, sessions, client=client),
        build_declarations(settings, sessions),
        build_banking(settings, sessions, client),
    )
    # Monthly (DE) and quarterly (BE DmfA) declarations run on Temporal Schedules.
    for change in await ensure_schedules(
        client,
        settings.task_queue,
        bank_inbox_every=timedelta(minutes=settings.bank_inbox_every_minutes),
    ):
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

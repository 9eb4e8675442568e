"""Process settings, read from the environment (prefix ``COOPFLOW_``) or a ``.env`` file.

Read only where a process starts: ``worker.py`` (passes values to the adapters and activities it
builds), the API's lifespan (``api.app``: puts what requests need on ``app.state``, see
``api.deps``), the admin CLI (``api.admin``), the dev tools (``dev/``) and the migration
environment (``db/migrations/env.py``: the database URL). Routers, services, activities and
adapters get values, never ``Settings``. Workflow code never reads settings: everything a
workflow needs arrives in its input, so replay never depends on the environment.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.payload_codec import DEV_PAYLOAD_KEYS
from adapters.temporal_client import TemporalAccess
from domain.invoice_document import ElectronicAddress, PostalAddress, Seller

PROJECT_ROOT = Path(__file__).resolve().parent

# The cooperative as the seller on its invoices, one legal entity per jurisdiction. Override in
# production with COOPFLOW_SELLER_DE / COOPFLOW_SELLER_BE as JSON.
DEFAULT_SELLER_DE = Seller(
    name="coopflow eG",
    address=PostalAddress(
        lines=("Musterstraße 12",), postcode="10115", city="Berlin", country="DE"
    ),
    vat_id="DE123456789",
    tax_number="27/123/45678",
    legal_id="GnR 1234 B",
    email="billing@coopflow.example",
    contact_name="Buchhaltung",
    phone="+49 30 12345678",
    electronic_address=ElectronicAddress(scheme="EM", value="billing@coopflow.example"),
    iban="DE89370400440532013000",
    bic="COBADEFFXXX",
)
DEFAULT_SELLER_BE = Seller(
    name="coopflow SCE",
    address=PostalAddress(
        lines=("Rue Coenraets 72",), postcode="1060", city="Saint-Gilles", country="BE"
    ),
    vat_id="BE0896755397",
    legal_id="0896755397",
    legal_id_scheme="0208",
    email="billing@coopflow.example",
    contact_name="Comptabilité / Boekhouding",
    phone="+32 2 123 45 67",
    electronic_address=ElectronicAddress(scheme="0208", value="0896755397"),
    iban="BE68539007547034",
    bic="GKCCBEBB",
)


def default_seller(jurisdiction: str) -> Seller:
    """The built-in seller identities (tests, scripts); processes use ``Settings.seller``."""
    return DEFAULT_SELLER_BE if jurisdiction == "BE" else DEFAULT_SELLER_DE


# Values anyone can read in this repository: they must never guard a running system.
PUBLIC_PLACEHOLDERS = frozenset(
    {
        "dev-admin-token",
        "dev-signing-secret-change-me",
        "whsec_dev_change_me",
        "sk_test_localstripe",
        "compose-admin-token-change-me",
        "compose-signing-secret-change-me",
        "whsec_compose_change_me",
    }
)
MIN_SECRET_LENGTH = 32
MIN_WEBHOOK_SECRET_LENGTH = 24  # Stripe's whsec_… secrets are 38 characters


class UnsafeSettings(RuntimeError):
    """A process refuses to start: a secret is empty, public or too short outside dev mode."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COOPFLOW_", env_file=".env", extra="ignore")

    # Dev mode (`make run`, the tests, the benches): the public development secrets below are
    # accepted. Outside it the API and the worker refuse to start with them (require_safe).
    dev_mode: bool = False

    # Database: SQLite is the embedded default, PostgreSQL the production database.
    database_url: str = f"sqlite+aiosqlite:///{PROJECT_ROOT / '.data' / 'coopflow.db'}"

    # Temporal
    temporal_address: str = "localhost:7233"
    temporal_namespace: str = "default"
    # A real cluster (docs/production.md): an API key (Temporal Cloud) or mutual TLS.
    temporal_api_key: str = ""
    temporal_tls_cert_file: str = ""
    temporal_tls_key_file: str = ""
    temporal_tls_ca_file: str = ""
    temporal_tls_server_name: str = ""
    task_queue: str = "coopflow-orders"
    # Encrypts every Temporal payload (personal data in histories): ``<id>:<base64 32 bytes>``
    # pairs, comma-separated, the first encrypts; required outside dev mode. New key:
    # python -c "from adapters.payload_codec import new_key_setting as k; print(k('k2'))"
    payload_keys: str = ""
    # Worker versioning: this release's build id within the worker deployment ("" = the
    # unversioned task queue of the dev stack and the tests); docs/production.md, "Releasing".
    worker_deployment_name: str = "coopflow"
    worker_build_id: str = ""
    # Invoices and payslip PDFs render in this many processes of their own (0: in the worker's
    # threads, under one lock, as the tests do); adapters/documents/render_pool.py.
    render_processes: int = 0
    # Logs: "text" (the dev stack) or "json" (one object a line, with workflow and run ids).
    log_format: str = "text"
    # Prometheus: the worker serves the Temporal SDK's metrics at http://<address>/metrics
    # ("" = off); the API serves its own at /metrics, behind this bearer token when it is set.
    worker_metrics_address: str = ""
    metrics_token: str = ""
    # The Temporal UI that calls the API's codec server (/codec/decode) from the browser.
    temporal_ui_origin: str = "http://127.0.0.1:8233"

    # API
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    public_base_url: str = "http://127.0.0.1:8000"
    # Secret that signs client signing links (HMAC-SHA256). Must be set in production.
    signing_secret: str = "dev-signing-secret-change-me"
    # Bootstrap admin bearer token; with it an admin creates members and their tokens.
    admin_token: str = "dev-admin-token"

    # Outside world: local implementations write files under data_dir.
    data_dir: Path = PROJECT_ROOT / ".data"
    mail_backend: str = "smtp"  # "smtp" or "maildir"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    mail_from: str = "billing@coopflow.example"

    # The cooperative's own bank account (debtor of wage payouts).
    coop_name: str = "coopflow SCE"
    coop_iban: str = "DE89370400440532013000"
    coop_bic: str = "COBADEFFXXX"

    # The cooperative's numbers with the authorities (periodic declarations).
    de_betriebsnummer: str = "12345678"
    de_steuernummer: str = "27/123/45678"
    be_nsso_number: str = "0123456-78"
    be_employer_category: str = "000"

    # Payroll and declarations backends
    # (docs/payroll-and-declarations-setup.md)
    # "engine": the built-in engines compute each wage. "bureau": they still do, and each
    # payslip's line is also appended for the outside payroll bureau (docs/payroll-export.md).
    payroll_backend: Literal["engine", "bureau"] = "engine"
    # "local": employment declarations go to the local register (files). "dimona": Belgian
    # IN/OUT go to the Dimona REST API as employer be_nsso_number (German ones stay local).
    social_security_backend: Literal["local", "dimona"] = "local"
    dimona_base_url: str = "https://services-sim.socialsecurity.be/REST/dimona/v1"
    dimona_token_url: str = "https://services.socialsecurity.be/REST/oauth/v5/token"
    dimona_client_id: str = ""
    dimona_client_secret: str = ""
    dimona_joint_committee: str = "200"  # default CP of the workers (provisional)
    # Polling for a declaration's result within one activity attempt: keep the timeout well
    # below the step's two-minute start-to-close timeout.
    dimona_poll_interval_seconds: float = 2.0
    dimona_poll_timeout_seconds: float = 60.0

    seller_de: Seller = DEFAULT_SELLER_DE
    seller_be: Seller = DEFAULT_SELLER_BE
    # The official e-invoice rule files (EN 16931, Peppol BIS 3, KoSIT XRechnung; see
    # docs/einvoicing.md): data installed beside the project, never copied into it.
    einvoice_rules_dir: Path = PROJECT_ROOT.parent / "shared" / "einvoice-rules"

    # Stripe
    # The online payment of an invoice through its /pay/<token> link (docs/stripe.md).
    # The default key is a placeholder: with it `make run` starts localstripe and points
    # stripe_api_base at it. Production: a live key and the webhook endpoint's signing secret.
    stripe_api_key: str = "sk_test_localstripe"
    stripe_api_base: str = "https://api.stripe.com"  # localstripe: http://127.0.0.1:8420
    stripe_webhook_secret: str = "whsec_dev_change_me"
    # The API handles again, this often, the webhook events whose handling failed (0: never).
    stripe_pending_interval_seconds: float = 60

    # Payout runs: wages go to the bank in one pain.001 batch per cut-off, daily at this hour
    # (Europe/Berlin), or every so many seconds when > 0 (the demo).
    payout_cutoff_hour: int = 14
    payout_run_every_seconds: float = 0

    # Bank reconciliation (docs/reconciliation.md): how often the statement inbox is read, and
    # how far an amount may differ from what an invoice owes and still be proposed (cents).
    bank_inbox_every_minutes: int = 15
    matching_tolerance_cents: int = 500

    # Rate limits (api/rate_limits.py): empty keeps the buckets in the API process's memory;
    # a Redis URL (redis://host:6379/0) shares them between every API process.
    redis_url: str = ""

    @property
    def stripe_test_mode(self) -> bool:
        """Test keys only: the /pay page may then confirm server-side with a test card."""
        return self.stripe_api_key.startswith("sk_test_")

    # Chaos runs only (chaos/, docs/chaos.md): the worker's adapters and database fail with
    # this probability per call, transiently (adapters/faults.py). 0 = off, always in production.
    fault_rate: float = 0.0

    # Seconds of wall time per business day for new workflows (86400 = real time).
    # Read by the API when it starts a workflow and passed as workflow input.
    seconds_per_day: float = 86400

    def unsafe_secrets(self) -> list[str]:
        """What is wrong with the secrets, one sentence each, naming the setting."""
        problems: list[str] = []
        checks = [
            ("admin_token", self.admin_token, MIN_SECRET_LENGTH),
            ("signing_secret", self.signing_secret, MIN_SECRET_LENGTH),
            ("stripe_webhook_secret", self.stripe_webhook_secret, MIN_WEBHOOK_SECRET_LENGTH),
            ("stripe_api_key", self.stripe_api_key, 1),
        ]
        if self.social_security_backend == "dimona":
            checks.append(("dimona_client_secret", self.dimona_client_secret, 1))
        checks.append(("payload_keys", self.payload_keys, 1))
        for name, value, minimum in checks:
            env = f"COOPFLOW_{name.upper()}"
            if not value.strip():
                problems.append(f"{env} is empty")
            elif (
                value in PUBLIC_PLACEHOLDERS
                or "change-me" in value
                or "change_me" in value
                or (name == "payload_keys" and DEV_PAYLOAD_KEYS.split(":")[1] in value)
            ):
                problems.append(f"{env} is a public placeholder")
            elif len(value) < minimum:
                problems.append(f"{env} is shorter than {minimum} characters")
        return problems

    def require_safe(self) -> None:
        """Refuse to run a real system on secrets anyone can read, or with injected faults
        (not in dev mode)."""
        if self.dev_mode:
            return
        problems = self.unsafe_secrets()
        if self.fault_rate:
            problems.append("COOPFLOW_FAULT_RATE is set (injected faults are for chaos runs)")
        if problems:
            raise UnsafeSettings(
                "refusing to start: "
                + "; ".join(problems)
                + '. Set each to a random value, e.g. `python -c "import secrets; '
                'print(secrets.token_urlsafe(32))"` (a Stripe key and webhook secret from the '
                "Stripe dashboard), or COOPFLOW_DEV_MODE=1 for a local development stack."
            )

    def temporal_access(self) -> TemporalAccess:
        return TemporalAccess(
            api_key=self.temporal_api_key,
            tls_cert_file=self.temporal_tls_cert_file,
            tls_key_file=self.temporal_tls_key_file,
            tls_ca_file=self.temporal_tls_ca_file,
            tls_server_name=self.temporal_tls_server_name,
            payload_keys=self.payload_keys,
        )

    def seller(self, jurisdiction: str) -> Seller:
        return self.seller_be if jurisdiction == "BE" else self.seller_de

    @property
    def invoice_dir(self) -> Path:
        return self.data_dir / "invoices"

    @property
    def payslip_dir(self) -> Path:
        return self.data_dir / "payslips"

    @property
    def payout_dir(self) -> Path:
        return self.data_dir / "payouts"

    @property
    def maildir(self) -> Path:
        return self.data_dir / "maildir"

    @property
    def declarations_dir(self) -> Path:
        return self.data_dir / "declarations"

    @property
    def bank_inbox_dir(self) -> Path:
        """Where the bank's statements land (camt.053/054); processed/ and refused/ below."""
        return self.data_dir / "bank-inbox"


@lru_cache
def get_settings() -> Settings:
    return Settings()

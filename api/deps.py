"""Request dependencies: the API's configuration, one DB session per request, the process's
Temporal client.

The lifespan (``api.app``) builds a ``Resources`` from the process settings and puts it on
``app.state``; dependencies read it from there, so tests can build as many apps as they like.
Routers and services never read the settings themselves: what they need of them is
``ApiConfig`` (``AppConfig`` as a dependency).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from temporalio.client import Client

from adapters.mail.mailers import Mailer
from adapters.temporal_client import TemporalAccess, connect
from api.errors import ProblemError
from api.rate_limits import BucketStore

log = logging.getLogger(__name__)


class TemporalConnection:
    """The one Temporal client of the process: connected in the lifespan, or on first use when
    Temporal was not up yet at start (the API still serves reads from the database)."""

    def __init__(
        self,
        address: str,
        namespace: str = "default",
        client: Client | None = None,
        *,
        access: TemporalAccess | None = None,
    ) -> None:
        self._address = address
        self._namespace = namespace
        self._access = access
        self._client = client
        self._lock = asyncio.Lock()

    async def try_connect(self) -> None:
        try:
            await self.get()
        except ProblemError:
            log.warning(
                "Temporal at %s is not reachable yet; will connect on first use",
                self._address,
            )

    async def get(self) -> Client:
        if self._client is not None:
            return self._client
        async with self._lock:
            if self._client is None:
                try:
                    self._client = await connect(self._address, self._namespace, self._access)
                except Exception as exc:  # connection refused, DNS, TLS: all mean "not now"
                    raise ProblemError(
                        503,
                        "temporal-unavailable",
                        f"The workflow service (Temporal at {self._address}) "
                        "is unreachable; nothing was changed. Retry in a few seconds.",
                        headers={"Retry-After": "5"},
                    ) from exc
            return self._client


@dataclass(frozen=True)
class ApiConfig:
    """What request handlers need of the process settings (built by the lifespan)."""

    admin_token: str  # the bootstrap admin's bearer token
    signing_secret: str  # signs the clients' signing links
    public_base_url: str  # where clients reach the API (signing links, cookie security)
    task_queue: str  # of the order workflows the API starts
    seconds_per_day: float  # wall time of a business day, passed to new workflows
    payslip_dir: Path  # where the worker files payslip PDFs
    invoice_dir: Path  # where the worker files invoice PDFs (<number>.pdf)
    coop_iban: str  # the cooperative's account, shown on the /pay page
    bank_inbox_dir: Path  # uploaded statements are kept under processed/ once imported
    payload_keys: str = ""  # the codec server's keys (adapters.payload_codec); "": no encryption
    dev_mode: bool = False  # the codec server decodes for anyone (a local stack)
    temporal_ui_origin: str = "http://127.0.0.1:8233"  # the UI that calls the codec server
    metrics_token: str = ""  # /metrics wants it as a bearer token when set


@dataclass
class Resources:
    config: ApiConfig
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    temporal: TemporalConnection
    mailer: Mailer  # the member's log-in links (the worker sends every other mail)
    buckets: BucketStore  # the rate limits' buckets, also counted by address in a route


def get_resources(request: Request) -> Resources:
    resources: Resources = request.app.state.resources
    return resources


def get_config(request: Request) -> ApiConfig:
    return get_resources(request).config


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; commits once when the endpoint returned without error.

    Registered with ``scope="function"`` so the commit happens before the response is sent:
    a failed commit becomes an error response, never a success that was not stored.
    """
    async with get_resources(request).session_factory() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


def get_mailer(request: Request) -> Mailer:
    return get_resources(request).mailer


def get_buckets(request: Request) -> BucketStore:
    return get_resources(request).buckets


def get_temporal_connection(request: Request) -> TemporalConnection:
    return get_resources(request).temporal


async def get_temporal(request: Request) -> Client:
    return await get_resources(request).temporal.get()


AppConfig = Annotated[ApiConfig, Depends(get_config)]
DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]
TemporalClient = Annotated[Client, Depends(get_temporal)]
AppMailer = Annotated[Mailer, Depends(get_mailer)]
RateBuckets = Annotated[BucketStore, Depends(get_buckets)]
# For reads that still answer (from the database) when Temporal is away.
TemporalConn = Annotated[TemporalConnection, Depends(get_temporal_connection)]

# Paging of list endpoints.

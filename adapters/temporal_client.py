"""One way to connect to Temporal, used by the API, the worker, scripts and tests: the
pydantic data converter everywhere (Decimal and dates survive the trip), and, for a real
cluster, mutual TLS or an API key (docs/production.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import TLSConfig


@dataclass(frozen=True)
class TemporalAccess:
    """How this process proves itself to the Temporal frontend. Empty: a local dev server."""

    api_key: str = ""  # Temporal Cloud API key (sent as a bearer token over TLS)
    tls_cert_file: str = ""  # client certificate (mTLS), PEM
    tls_key_file: str = ""  # its private key, PEM
    tls_ca_file: str = ""  # the server's CA, PEM (empty: the system's roots)
    tls_server_name: str = ""  # when the address is not the certificate's name

    def tls(self) -> TLSConfig | bool:
        if not (self.tls_cert_file or self.tls_ca_file or self.api_key):
            return False
        read = lambda name: Path(name).read_bytes() if name else None  # noqa: E731
        return TLSConfig(
            client_cert=read(self.tls_cert_file),
            client_private_key=read(self.tls_key_file),
            server_root_ca_cert=read(self.tls_ca_file),
            domain=self.tls_server_name or None,
        )


async def connect(
    address: str, namespace: str = "default", access: TemporalAccess | None = None
) -> Client:
    access = access or TemporalAccess()
    return await Client.connect(
        address,
        namespace=namespace,
        data_converter=pydantic_data_converter,
        tls=access.tls(),
        api_key=access.api_key or None,
    )

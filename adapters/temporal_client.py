"""One way to connect to Temporal, used by the API, the worker, scripts and tests: the
pydantic data converter everywhere (Decimal and dates survive the trip), payloads encrypted
when keys are set (``adapters.payload_codec``), and, for a real cluster, mutual TLS or an API
key (docs/production.md)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter
from temporalio.runtime import Runtime
from temporalio.service import TLSConfig

from adapters.payload_codec import EncryptionCodec, parse_keys


@dataclass(frozen=True)
class TemporalAccess:
    """How this process proves itself to the Temporal frontend. Empty: a local dev server."""

    api_key: str = ""  # Temporal Cloud API key (sent as a bearer token over TLS)
    tls_cert_file: str = ""  # client certificate (mTLS), PEM
    tls_key_file: str = ""  # its private key, PEM
    tls_ca_file: str = ""  # the server's CA, PEM (empty: the system's roots)
    tls_server_name: str = ""  # when the address is not the certificate's name
    # Payload encryption keys (``adapters.payload_codec``): ``id:base64,…``, first = current.
    payload_keys: str = ""

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


def data_converter(payload_keys: str = "") -> DataConverter:
    """The pydantic converter, with payload encryption when keys are set
    (``adapters.payload_codec``)."""
    if not payload_keys.strip():
        return pydantic_data_converter
    codec = EncryptionCodec(parse_keys(payload_keys))
    return dataclasses.replace(pydantic_data_converter, payload_codec=codec)


async def connect(
    address: str,
    namespace: str = "default",
    access: TemporalAccess | None = None,
    *,
    runtime: Runtime | None = None,
) -> Client:
    access = access or TemporalAccess()
    return await Client.connect(
        address,
        namespace=namespace,
        runtime=runtime,
        data_converter=data_converter(access.payload_keys),
        tls=access.tls(),
        api_key=access.api_key or None,
    )

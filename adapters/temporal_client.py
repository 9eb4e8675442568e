"""One way to connect to Temporal, used by the API, the worker, scripts and tests: the
pydantic data converter everywhere (Decimal and dates survive the trip)."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter


async def connect(address: str, namespace: str = "default") -> Client:
    return await Client.connect(
        address, namespace=namespace, data_converter=pydantic_data_converter
    )

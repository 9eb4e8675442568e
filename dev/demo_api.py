"""The demo's side of the HTTP API: requests with retries and Idempotency-Keys, polling an
order's live state until it reaches a given point, and waiting for the API to answer."""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

Json = dict[str, Any]
RETRY_STATUSES = {429, 502, 503, 504}  # 429: the demo's paths share one address's limits


class DemoError(Exception):
    pass


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


@dataclass
class Api:
    http: httpx.AsyncClient
    seconds_per_day: float
    deadline: float

    async def call(self, method: str, path: str, token: str, body: Json | None = None) -> Any:
        """One request; transient failures are retried with the same Idempotency-Key."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if method == "POST":
            headers["Idempotency-Key"] = uuid.uuid4().hex
        wait = 0.0
        for attempt in range(6):
            try:
                response = await self.http.request(method, path, json=body, headers=headers)
            except httpx.TransportError as exc:
                if attempt == 5:
                    raise DemoError(f"{method} {path}: {exc}") from exc
                wait = 2.0 * (attempt + 1)
            else:
                if response.status_code not in RETRY_STATUSES or attempt == 5:
                    break
                wait = float(response.headers.get("retry-after") or 2 * (attempt + 1))
            await asyncio.sleep(wait)
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise DemoError(f"{method} {path} → {response.status_code}: {detail}")
        return response.json()

    async def view(self, order_id: int, token: str) -> Json:
        order: Json = await self.call("GET", f"/orders/{order_id}", token)
        return order.get("view") or {}

    async def wait_view(
        self,
        order_id: int,
        token: str,
        what: str,
        done: Callable[[Json], bool],
        business_days: float,
    ) -> Json:
        """Poll the live state until ``done``; give up after ``business_days`` of demo time."""
        limit = min(time.monotonic() + business_days * self.seconds_per_day + 20, self.deadline)
        view: Json = {}
        while time.monotonic() < limit:
            view = await self.view(order_id, token)
            if view and done(view):
                return view
            await asyncio.sleep(min(0.5, self.seconds_per_day / 2))
        raise DemoError(f"gave up waiting for {what} (last state: {view.get('status', '?')})")


async def wait_for_api(http: httpx.AsyncClient, seconds: float = 60) -> None:
    limit = time.monotonic() + seconds
    while True:
        try:
            if (await http.get("/health")).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > limit:
            raise DemoError(f"the API at {http.base_url} does not answer /health")
        await asyncio.sleep(1)

"""Create-order requests per second and their latency through the API (``POST /orders``: token,
rate limits, validation, the client's ownership, the insert, the problem handlers, metrics),
next to a bare FastAPI endpoint doing the same insert (``bench.bare_api``), in the same run, on
the same database, each in a uvicorn process of its own.

    .venv/bin/python -m bench.api [--requests 2000] [--concurrency 20] [--paced-rate 100]

Two measures per side: the most it answers (``--requests`` with ``--concurrency`` in flight)
and the latency at a paced ``--paced-rate`` requests a second for ``--paced-seconds``; in both
the sides take turns in five slices, so the other load of a shared machine weighs on both. Goals
(issue 17): throughput >= 0.7 x the bare endpoint, p99 < 50 ms at 100 requests/s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path

import httpx

from bench.figures import migrate
from bench.stack import free_port

ADMIN = "bench-api-admin-token-0123456789abcdef"
ROUNDS = 5  # turns each side takes, in both measures


def _serve(app: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--log-level", "warning"],
        env=os.environ | env,
    )


async def _ready(base: str) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        for _ in range(200):
            try:
                await http.get("/health")
                return
            except httpx.TransportError:
                await asyncio.sleep(0.05)
    raise RuntimeError(f"{base} did not start")


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else 0.0


async def _saturate(send: Callable[[], Awaitable[None]], requests: int, concurrency: int) -> float:
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate:
            await send()

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(requests)))
    return requests / (time.perf_counter() - started)


async def _paced(send: Callable[[], Awaitable[None]], rate: float, seconds: float) -> list[float]:
    latencies: list[float] = []

    async def timed() -> None:
        began = time.perf_counter()
        await send()
        latencies.append(time.perf_counter() - began)

    tasks = []
    start = time.perf_counter()
    for n in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(timed()))
    await asyncio.gather(*tasks)
    return latencies


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--paced-rate", type=float, default=100)
    parser.add_argument("--paced-seconds", type=float, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coopflow-bench-api-") as tmp:
        url = os.environ.get("COOPFLOW_BENCH_DATABASE_URL") or f"sqlite+aiosqlite:///{tmp}/api.db"
        await asyncio.to_thread(migrate, url)
        env = {
            "COOPFLOW_DATABASE_URL": url,
            "COOPFLOW_DEV_MODE": "1",
            "COOPFLOW_ADMIN_TOKEN": ADMIN,
            "COOPFLOW_DATA_DIR": str(Path(tmp) / "data"),
            "COOPFLOW_TEMPORAL_ADDRESS": "127.0.0.1:1",  # not needed to create a draft
        }
        api_port, bare_port = free_port(), free_port()
        servers = [
            _serve("api.app:app", api_port, env),
            _serve("bench.bare_api:app", bare_port, env),
        ]
        try:
            api, bare = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{bare_port}"
            await _ready(api)
            async with httpx.AsyncClient(base_url=api, timeout=30) as http:
                admin = {"Authorization": f"Bearer {ADMIN}"}
                made = await http.post(
                    "/members",
                    headers=admin,
                    json={
                        "name": "Ada",
                        "email": "ada@bench.example",
                        "jurisdiction": "DE",
                        "iban": "DE89370400440532013000",
                    },  # fmt: skip
                )
                member = made.json()
                token = {"Authorization": f"Bearer {member['token']}"}
                client = await http.post(
                    "/clients",
                    headers=token,
                    json={
                        "name": "ACME GmbH",
                        "email": "ap@acme.example",
                        "country": "DE",
                        "vat_id": "DE136695976",
                    },  # fmt: skip
                )
                client_id = client.json()["id"]
            today = date.today()
            body = {
                "client_id": client_id,
                "description": "Bench gig",
                "period_start": str(today + timedelta(days=1)),
                "period_end": str(today + timedelta(days=3)),
                "net_amount_cents": 480_000,
            }
            bare_body = body | {"member_id": member["member"]["id"]}
            limits = httpx.Limits(max_connections=args.concurrency * 2)
            async with (
                httpx.AsyncClient(base_url=api, timeout=30, limits=limits) as to_api,
                httpx.AsyncClient(base_url=bare, timeout=30, limits=limits) as to_bare,
            ):

                async def via_api() -> None:
                    answer = await to_api.post("/orders", headers=token, json=body)
                    assert answer.status_code == 201, answer.text

                async def via_bare() -> None:
                    answer = await to_bare.post("/orders", json=bare_body)
                    assert answer.status_code == 201, answer.text

                for send in (via_api, via_bare):  # warm both
                    await _saturate(send, 50, 5)
                # The sides take turns in slices, so a change in the machine's other load
                # weighs on both alike (this machine is shared).
                api_time = bare_time = 0.0
                api_paced, bare_paced = [], []
                for _ in range(ROUNDS):
                    chunk = args.requests // ROUNDS
                    api_time += chunk / await _saturate(via_api, chunk, args.concurrency)
                    bare_time += chunk / await _saturate(via_bare, chunk, args.concurrency)
                for _ in range(ROUNDS):
                    slice_seconds = args.paced_seconds / ROUNDS
                    api_paced += await _paced(via_api, args.paced_rate, slice_seconds)
                    bare_paced += await _paced(via_bare, args.paced_rate, slice_seconds)
                api_rate = ROUNDS * (args.requests // ROUNDS) / api_time
                bare_rate = ROUNDS * (args.requests // ROUNDS) / bare_time
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=10)
    database = url.split(":")[0]
    print(
        f"create order, {args.requests} requests, {args.concurrency} in flight; then "
        f"{args.paced_rate:g}/s for {args.paced_seconds:g} s (database: {database})"
    )
    for name, rate, paced in (("API", api_rate, api_paced), ("bare", bare_rate, bare_paced)):
        p50, p99 = _percentile(paced, 0.5) * 1000, _percentile(paced, 0.99) * 1000
        print(
            f"  {name:<5} {rate:7.1f} requests/s   at {args.paced_rate:g}/s: p50 "
            f"{p50:6.1f} ms, p99 {p99:6.1f} ms"
        )
    ratio = api_rate / bare_rate
    api_p99 = _percentile(api_paced, 0.99) * 1000
    print(f"  ratio API / bare: {ratio:.2f} (goal >= 0.7: {'met' if ratio >= 0.7 else 'MISSED'});"
          f" API p99 at {args.paced_rate:g}/s {api_p99:.1f} ms (goal < 50: "
          f"{'met' if api_p99 < 50 else 'MISSED'})")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())

"""Rate limits: token buckets per address and door, in memory or shared through Redis by every
API process; a guesser of tokens is slowed down, a client with a valid token never."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis

from api.rate_limits import FAILED_TOKENS, Limit, MemoryBuckets, RateLimits, RedisBuckets
from tests.api.api_helpers import ADMIN, bearer
from tests.api.test_api_basics import assert_problem

# The machine's Redis (CI sets the variable, and then a Redis that is down fails the test).
REDIS_URL = os.environ.get("COOPFLOW_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
EVERYTHING = Limit("everything", 60, 3, lambda m, p: True)


async def test_failed_tokens_are_rate_limited_and_valid_ones_never(
    api: httpx.AsyncClient,
) -> None:
    # Requests with a valid token are not counted, however many.
    assert {(await api.get("/members", headers=ADMIN)).status_code for _ in range(25)} == {200}
    statuses = [
        (await api.get("/members", headers=bearer(f"guess-{i}"))).status_code for i in range(15)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[-1] == 429
    # Once the address has guessed too often it waits, whatever token it sends next.
    assert (await api.get("/members", headers=ADMIN)).status_code == 429


async def test_a_memory_bucket_refills_with_time() -> None:
    now = [0.0]
    buckets = MemoryBuckets(clock=lambda: now[0])
    limit = Limit("x", 60, 2, lambda m, p: True)
    assert await buckets.take(limit, "1.2.3.4", 1) == 0
    assert await buckets.take(limit, "1.2.3.4", 1) == 0
    assert await buckets.take(limit, "1.2.3.4", 1) == pytest.approx(1.0)
    now[0] = 1.0  # 60 per minute: one token a second
    assert await buckets.take(limit, "1.2.3.4", 1) == 0
    assert await buckets.take(limit, "5.6.7.8", 1) == 0  # per address
    assert await buckets.take(FAILED_TOKENS, "9.9.9.9", 0) == 0  # looking creates nothing
    assert ("failed tokens", "9.9.9.9") not in buckets.buckets


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.ping()
    except Exception as exc:  # noqa: BLE001
        if "COOPFLOW_TEST_REDIS_URL" in os.environ:
            raise
        pytest.skip(f"no Redis at {REDIS_URL} ({exc}); CI sets COOPFLOW_TEST_REDIS_URL")
    prefix = f"coopflow-test:{uuid.uuid4().hex}:"
    yield prefix
    keys = [k async for k in redis.scan_iter(f"{prefix}*")]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()


def _process(store: RedisBuckets | MemoryBuckets) -> httpx.AsyncClient:
    """One API process: a small app behind the rate limits, on the given bucket store."""
    app = FastAPI()

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        return {"pong": "yes"}

    limited = RateLimits(app, limits=(EVERYTHING,), store=store)
    transport = httpx.ASGITransport(app=limited, client=("203.0.113.7", 1234))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_processes_sharing_redis_share_the_limit(redis_prefix: str) -> None:
    first = _process(RedisBuckets(REDIS_URL, prefix=redis_prefix))
    second = _process(RedisBuckets(REDIS_URL, prefix=redis_prefix))
    statuses = [(await (first if i % 2 else second).get("/ping")).status_code for i in range(5)]
    # A burst of 3 between both processes, not 3 each.
    assert statuses == [200, 200, 200, 429, 429]
    limited = await first.get("/ping")
    body = assert_problem(limited, 429, "too-many-requests")
    assert "everything" in body["detail"]
    assert int(limited.headers["retry-after"]) >= 1
    # Alone in memory, each process would have let 3 through.
    alone = [_process(MemoryBuckets()), _process(MemoryBuckets())]
    assert [(await alone[i % 2].get("/ping")).status_code for i in range(6)] == [200] * 6


async def test_redis_refills_on_its_own_clock(redis_prefix: str) -> None:
    store = RedisBuckets(REDIS_URL, prefix=redis_prefix)
    fast = Limit("fast", 600, 1, lambda m, p: True)  # a token every 0.1 s
    assert await store.take(fast, "a", 1) == 0
    wait = await store.take(fast, "a", 1)
    assert 0 < wait <= 0.1
    assert await store.take(FAILED_TOKENS, "never-failed", 0) == 0
    redis = Redis.from_url(REDIS_URL)
    assert await redis.exists(f"{redis_prefix}failed tokens:never-failed") == 0
    assert 0 < await redis.ttl(f"{redis_prefix}fast:a") <= 2
    await redis.aclose()


async def test_a_redis_that_does_not_answer_lets_requests_through(
    caplog: pytest.LogCaptureFixture,
) -> None:
    down = _process(RedisBuckets("redis://127.0.0.1:1/0"))  # nothing listens on port 1
    assert [(await down.get("/ping")).status_code for _ in range(5)] == [200] * 5
    assert "Redis did not answer" in caplog.text

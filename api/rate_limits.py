"""Rate limits on the doors people knock on (finance login, signing links, pay links, failed
tokens, the member's log-in links): a token bucket per client address and door, as ASGI
middleware, and per e-mail address for the log-in links (counted by their route).

The buckets live in this process's memory (``MemoryBuckets``: enough for one API process) or,
with ``COOPFLOW_REDIS_URL`` set, in Redis (``RedisBuckets``: every API process behind a load
balancer shares them, one atomic script per request, Redis's clock). A Redis that does not
answer lets requests through with a warning in the log: the limits slow guessers down, they are
not worth an outage.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from api.security import ASGIApp, Message, Receive, Scope, Send, send_problem

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    name: str
    per_minute: float
    burst: int
    matches: Callable[[str, str], bool]  # (method, path)

    @property
    def per_second(self) -> float:
        return self.per_minute / 60


LIMITS = (
    Limit("finance login", 10, 5, lambda m, p: m == "POST" and p == "/finance/login"),
    Limit("member login", 10, 5, lambda m, p: m == "POST" and p == "/me/login"),
    Limit("signing links", 30, 10, lambda m, p: p.startswith("/sign/")),
    Limit("pay links", 60, 20, lambda m, p: p.startswith("/pay/")),
    Limit("member log-in links", 10, 5, lambda m, p: m == "POST" and p == "/me/magic-link"),
    Limit("member log-in link pages", 30, 10, lambda m, p: p.startswith("/me/magic/")),
)
# Log-in links asked for one e-mail address, whichever client asks: a few at once, then one
# every five minutes, so nobody's mailbox is flooded through us. The address is in the form,
# not the path: the route counts it (``api.routers.me_magic_links``), never the middleware.
LINKS_PER_ADDRESS = Limit("log-in links per address", 0.2, 3, lambda m, p: False)
# Requests answered 401 (a wrong or unknown token): a guesser is slowed down, a client with a
# valid token is never counted.
FAILED_TOKENS = Limit("failed tokens", 20, 10, lambda m, p: True)


class BucketStore(Protocol):
    async def take(self, limit: Limit, client: str, cost: int) -> float:
        """Refill the client's bucket for the limit, then take ``cost`` tokens (0: only look)
        if one is there. Returns 0 when the request may pass, else the seconds to wait."""
        ...


@dataclass
class Bucket:
    capacity: float
    per_second: float
    tokens: float
    at: float

    def take(self, now: float, cost: int = 1) -> float:
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.per_second)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= cost
            return 0.0
        return (1 - self.tokens) / self.per_second


class MemoryBuckets:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.buckets: dict[tuple[str, str], Bucket] = {}
        self.clock = clock

    async def take(self, limit: Limit, client: str, cost: int) -> float:
        now = self.clock()
        key = (limit.name, client)
        bucket = self.buckets.get(key)
        if bucket is None:
            if cost == 0:
                return 0.0
            if len(self.buckets) > 100_000:  # bounded memory under a flood of addresses
                self.buckets.clear()
            bucket = self.buckets[key] = Bucket(limit.burst, limit.per_second, limit.burst, now)
        return bucket.take(now, cost)


# KEYS[1] the bucket; ARGV capacity, tokens per second, cost. Redis's own clock, so every API
# process agrees; the bucket expires once it would be full again. Returns the wait as a string
# (Lua numbers become integers on the way out).
_TAKE = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
if state[1] == false and cost == 0 then
  return '0'
end
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + (now - at) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - cost
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 1)
return tostring(wait)
"""


class RedisBuckets:
    def __init__(self, url: str, *, prefix: str = "coopflow:rate:") -> None:
        from redis.asyncio import Redis

        self.redis = Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.prefix = prefix
        self.script = self.redis.register_script(_TAKE)

    async def take(self, limit: Limit, client: str, cost: int) -> float:
        key = f"{self.prefix}{limit.name}:{client}"
        try:
            wait = await self.script(keys=[key], args=[limit.burst, limit.per_second, cost])
        except Exception as exc:  # noqa: BLE001 - any Redis failure: let the request through
            log.warning("rate limits: Redis did not answer (%s); request let through", exc)
            return 0.0
        return float(wait)


def bucket_store(redis_url: str) -> BucketStore:
    return RedisBuckets(redis_url) if redis_url else MemoryBuckets()


class RateLimits:
    def __init__(
        self,
        app: ASGIApp,
        limits: tuple[Limit, ...] = LIMITS,
        store: BucketStore | None = None,
    ) -> None:
        self.app = app
        self.limits = limits
        self.store = store or MemoryBuckets()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        method, path = scope["method"], scope["path"]
        for limit in (*self.limits, FAILED_TOKENS):
            if limit is FAILED_TOKENS:
                wait = await self.store.take(limit, client, 0)
            elif limit.matches(method, path):
                wait = await self.store.take(limit, client, 1)
            else:
                continue
            if wait > 0:
                await send_problem(
                    scope,
                    send,
                    429,
                    "too-many-requests",
                    f"Too many requests to {limit.name} from your address; try again in "
                    f"{math.ceil(wait)} seconds.",
                    {"Retry-After": str(math.ceil(wait))},
                )
                return

        async def counting_failures(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401:
                await self.store.take(FAILED_TOKENS, client, 1)
            await send(message)

        await self.app(scope, receive, counting_failures)

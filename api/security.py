"""What every answer of the API carries and what every request may cost, as ASGI middleware:
security headers, a bounded request body, and access logs that never hold a token. The rate
limits are in ``api.rate_limits``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from api.errors import PROBLEM_JSON, Problem

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY_BYTES = 1_000_000  # the largest request (an employment record, a webhook) is a few KB
# Bank statements are files: a day of 100,000 transactions in camt.053 is about 150 MB. The
# upload endpoint streams them to disk, never into memory.
LARGE_BODIES = {"/finance/bank-statements": 512_000_000}

# Pages that hold personal data or capability tokens are never cached or framed, and never
# leak their address to another site. The pages need their own inline style and nothing else.
_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
]
# A signing or pay link is a capability: its page never tells another site where it was. The
# rest keeps the origin to itself (same-origin: the desk's forms still send their Origin).
TOKEN_PAGES = ("/sign/", "/pay/")
_CSP_PAGES = (
    b"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# The API docs (Swagger UI, ReDoc) run their own scripts, served from this app (no CDN).
_CSP_DOCS = (
    b"default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc", "/docs-assets/")


def _problem(
    status: int, code: str, detail: str, instance: str, headers: dict[str, str]
) -> tuple[Any, bytes]:
    """The same problem+json body as every other refusal of the API (``api.errors``)."""
    body = json.dumps(Problem(status, code, detail).body(instance)).encode()
    raw = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return raw, body


async def send_problem(
    scope: Scope,
    send: Send,
    status: int,
    code: str,
    detail: str,
    headers: dict[str, str] | None = None,
) -> None:
    raw, body = _problem(status, code, detail, str(scope.get("path", "")), headers or {})
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = str(scope.get("path", "")).startswith(DOCS_PATHS)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in _HEADERS:
                    if name not in present:
                        headers.append((name, value))
                headers.append((b"content-security-policy", _CSP_DOCS if docs else _CSP_PAGES))
                token_page = str(scope.get("path", "")).startswith(TOKEN_PAGES)
                policy = b"no-referrer" if token_page else b"same-origin"
                headers.append((b"referrer-policy", policy))
                if b"cache-control" not in present and not docs:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyLimit:
    """Refuse a body over ``limit`` bytes with 413, by its Content-Length or as it streams."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        large = LARGE_BODIES.get(scope["path"])
        if large is not None:
            await self._large(scope, receive, send, large)
            return
        detail = f"The request body is larger than {self.limit:,} bytes."
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await send_problem(scope, send, 413, "payload-too-large", detail)
                return
        # Read the body here (it is small or refused), so an over-long stream without a
        # Content-Length is refused before any handler parses it.
        chunks: list[Message] = []
        seen = 0
        while True:
            message = await receive()
            chunks.append(message)
            if message["type"] != "http.request":
                break
            seen += len(message.get("body", b""))
            if seen > self.limit:
                await send_problem(scope, send, 413, "payload-too-large", detail)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return chunks.pop(0) if chunks else await receive()

        await self.app(scope, replay, send)

    async def _large(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """A file upload: passed through as it streams (the handler writes it to disk), cut
        off with 413 once over its own limit."""
        detail = f"The file is larger than {limit:,} bytes."
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await send_problem(scope, send, 413, "payload-too-large", detail)
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise PayloadTooLarge(detail)
            return message

        await self.app(scope, counted, send)


class PayloadTooLarge(Exception):
    """Raised into a streaming upload handler when the stream goes over its limit."""


# ---- access logs ----

_TOKEN_PATHS = re.compile(r"(/(?:sign|pay)/)[^\s/?\"]+")


class RedactTokens(logging.Filter):
    """Uvicorn's access lines without the capability tokens of signing and pay links."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN_PATHS.sub(r"\1…", a) if isinstance(a, str) else a for a in record.args
            )
        elif isinstance(record.msg, str):
            record.msg = _TOKEN_PATHS.sub(r"\1…", record.msg)
        return True


def redact_access_logs() -> None:
    """Install once per process (idempotent); uvicorn logs requests on ``uvicorn.access``."""
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactTokens) for f in logger.filters):
        logger.addFilter(RedactTokens())

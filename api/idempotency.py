"""``Idempotency-Key`` on POSTs that create things or act on an order.

Same principal + same key + same request (method, path, body) → the first answer (status and
body) is replayed from ``idempotency_records`` with ``Idempotent-Replayed: true``; the same key
with another request → 422. The record is written in the request's own transaction, so it exists
exactly when the thing it describes was stored. Only successes are recorded: a refused request
changed nothing and may be retried as is. Two concurrent requests with one key: the second
gets 409 and should retry (then it is replayed).

Bearer tokens in a response are never stored: a replay says the token was shown once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request, Response
from fastapi.encoders import jsonable_encoder
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth import CurrentPrincipal
from api.deps import DbSession
from api.errors import ProblemError
from db.models import IdempotencyRecord

REPLAY_HEADER = "Idempotent-Replayed"
REDACTED_NOTE = (
    "The token was shown once, in the first response to this request; if it was lost, issue a "
    "new one."
)


class IdempotentReplay(Exception):
    def __init__(self, status_code: int, body: str) -> None:
        super().__init__("idempotent replay")
        self.status_code = status_code
        self.body = body


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    digest = hashlib.sha256(f"{method} {path}\n".encode())
    digest.update(canonical)
    return digest.hexdigest()


class Idempotency:
    """Handed to an endpoint; ``remember`` stores its answer when a key was sent."""

    def __init__(
        self, session: AsyncSession, principal_key: str, key: str | None, fingerprint: str
    ) -> None:
        self._session = session
        self.principal_key = principal_key
        self.key = key
        self._fingerprint = fingerprint

    def derived(self, prefix: str) -> str | None:
        """A stable id derived from the key (payment keys, ...), or None without a key."""
        if not self.key:
            return None
        digest = hashlib.sha256(f"{self.principal_key}\n{self.key}".encode()).hexdigest()
        return f"{prefix}-{digest[:32]}"

    async def remember(self, status_code: int, body: Any, *, redact: Sequence[str] = ()) -> None:
        if not self.key:
            return
        data = jsonable_encoder(body)
        if isinstance(data, dict):
            for name in redact:
                if name in data:
                    data[name] = None
                    data[f"{name}_note"] = REDACTED_NOTE
        self._session.add(
            IdempotencyRecord(
                principal=self.principal_key,
                key=self.key,
                request_fingerprint=self._fingerprint,
                status_code=status_code,
                response_body=json.dumps(data),
            )
        )
        try:
            await self._session.flush()
        except IntegrityError as exc:
            raise ProblemError(
                409,
                "idempotency-key-in-use",
                f"Another request with Idempotency-Key {self.key!r} is being processed; retry "
                "in a moment to receive its answer.",
            ) from exc

    async def forget(self) -> None:
        """Drop the record again (the action it describes was undone)."""
        if self.key:
            await self._session.execute(
                delete(IdempotencyRecord).where(
                    IdempotencyRecord.principal == self.principal_key,
                    IdempotencyRecord.key == self.key,
                )
            )


async def idempotency(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=200,
            description="Send the same key when retrying: the first answer is replayed.",
        ),
    ] = None,
) -> Idempotency:
    fingerprint = request_fingerprint(request.method, request.url.path, await request.body())
    if idempotency_key:
        record = await session.get(IdempotencyRecord, (principal.key, idempotency_key))
        if record is not None:
            if record.request_fingerprint != fingerprint:
                raise ProblemError(
                    422,
                    "idempotency-key-reused",
                    f"Idempotency-Key {idempotency_key!r} was already used for a different "
                    "request; use a new key for a new request.",
                )
            raise IdempotentReplay(record.status_code, record.response_body)
    return Idempotency(session, principal.key, idempotency_key, fingerprint)


IdempotencyDep = Annotated[Idempotency, Depends(idempotency)]


def install_idempotency_handler(app: FastAPI) -> None:
    @app.exception_handler(IdempotentReplay)
    async def _replay(_request: Request, exc: IdempotentReplay) -> Response:
        return Response(
            content=exc.body,
            status_code=exc.status_code,
            media_type="application/json",
            headers={REPLAY_HEADER: "true"},
        )

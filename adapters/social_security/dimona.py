"""Belgian employment declarations (Dimona IN / OUT) through the social-security REST API.

``DimonaClient`` implements ``declarations.SocialSecurity`` for jurisdiction BE:

1. an OAuth2 client-credentials token (``TokenProvider``, cached until shortly before it
   expires; the real service authenticates the client with a JWT assertion signed by its X.509
   certificate, the local service with a client secret);
2. ``POST {base_url}/declarations`` with the Dimona JSON → ``201`` and the declaration number
   in ``Location``;
3. ``GET {base_url}/declarations/{number}`` until ``declarationStatus.result`` is A (accepted),
   W (accepted with warning) or B (refused → ``DimonaRefused``, non-retryable, with the anomaly
   codes); S (waiting for the worker's identification) and 404 (not processed yet) keep it
   polling until ``poll_timeout``, then a retryable ``DimonaStillWaiting``.

5xx answers, network errors and timeouts raise retryable errors (plain exceptions), so the
calling activity's retry policy tries again.

Idempotency: the REST API has no client-side reference field, and a declaration can only be
read back by its number. So the client keeps its own record per declaration key
(``SubmissionStore``): it claims the key *before* the POST, stores the number the moment the
201 arrives, and a retry resumes polling that number instead of posting again. If a previous
attempt died after sending the POST but before storing the number, nobody can tell whether
ONSS received it: the client refuses to guess and raises ``DimonaOutcomeUnknown``
(non-retryable). Ops looks the worker up in the Dimona portal and calls ``resolve_unknown``
with the number found, or with ``None`` to send it again. Field mapping and its sources:
docs/declarations-be.md.

Beside this module: the tokens (``dimona_auth``), the client's errors and records
(``dimona_models``), the submission files and ``resolve_unknown`` (``dimona_store``, also a
command line for ops).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from collections.abc import Callable
from typing import Any

import httpx

from adapters.errors import DeclarationRefused, PermanentAdapterError
from adapters.social_security.declarations import DeclarationReceipt, EmploymentDeclaration
from adapters.social_security.dimona_auth import ClientSecretTokenProvider, TokenProvider
from adapters.social_security.dimona_models import (
    DimonaEmployer,
    DimonaOutcomeUnknown,
    DimonaRefused,
    DimonaStillWaiting,
    DimonaSubmission,
    DimonaUnavailable,
    SubmissionStore,
    WorkerDirectory,
)
from adapters.social_security.dimona_store import resolve_unknown

log = logging.getLogger(__name__)

_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_SSIN = re.compile(r"\d{11}")


# ---------------------------------------------------------------------------- the client


class DimonaClient:
    def __init__(
        self,
        base_url: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        http: httpx.AsyncClient | None = None,
        poll_interval: float = 2.0,
        poll_timeout: float = 60.0,
        *,
        employer: DimonaEmployer,
        workers: WorkerDirectory,
        store: SubmissionStore,
        token_provider: TokenProvider | None = None,
        request_timeout: float = 10.0,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._http = http or httpx.AsyncClient(timeout=request_timeout)
        self._tokens = token_provider or ClientSecretTokenProvider(
            token_url, client_id, client_secret
        )
        self._poll_interval = poll_interval
        self._poll_timeout = poll_timeout
        self._employer = employer
        self._workers = workers
        self._store = store
        self._wall_clock = wall_clock
        # A claim younger than this may belong to an attempt still waiting for its answer.
        self._posting_grace = 3 * request_timeout

    async def aclose(self) -> None:
        await self._http.aclose()

    async def declare(self, declaration: EmploymentDeclaration) -> DeclarationReceipt:
        self._check(declaration)
        key = declaration.declaration_key
        fingerprint = hashlib.sha256(declaration.model_dump_json().encode()).hexdigest()
        stored = await self._store.get(key)
        if stored is not None and stored.state == "final" and stored.result == "B":
            # Only ops retries a refused step (the refusal is non-retryable), after fixing
            # its cause: ONSS's refusal is final, so the corrected declaration is a new one.
            await self._store.retire(key)
            stored = None
        if stored is None:
            body = await self._body(declaration)
            claim = DimonaSubmission(
                declaration_key=key,
                fingerprint=fingerprint,
                order_id=declaration.order_id,
                kind=declaration.kind,
                state="posting",
                claimed_at=self._wall_clock(),
            )
            stored = await self._store.claim(claim)
            if stored == claim:
                number = await self._post(key, body)
                stored = claim.model_copy(update={"state": "posted", "dimona_number": number})
                await self._store.save(stored)
                return await self._poll(declaration, stored, created=True)
        if stored.fingerprint != fingerprint:
            raise PermanentAdapterError(
                f"declaration key {key!r} was already used for a different declaration; "
                "a changed declaration needs its own key"
            )
        if stored.state == "posting":
            if self._wall_clock() - stored.claimed_at < self._posting_grace:
                raise DimonaUnavailable(f"another attempt is posting {key!r} right now")
            raise DimonaOutcomeUnknown(
                f"Dimona {_label(declaration)}: an earlier attempt sent the declaration but its "
                "answer was lost, so ONSS may or may not have it. Look the worker up in the "
                f"Dimona portal, resolve key {key!r} with the number found (or none to send it "
                "again), then retry the step"
            )
        return await self._poll(declaration, stored, created=False)

    async def resolve_unknown(self, declaration_key: str, dimona_number: str | None) -> None:
        """Ops' answer to ``DimonaOutcomeUnknown``; see ``resolve_unknown``."""
        await resolve_unknown(self._store, declaration_key, dimona_number)

    # ------------------------------------------------------------------ request

    def _check(self, declaration: EmploymentDeclaration) -> None:
        key = declaration.declaration_key
        if declaration.jurisdiction != "BE":
            raise PermanentAdapterError(
                f"declaration {key!r} is for {declaration.jurisdiction}; Dimona is Belgian"
            )
        if not _KEY.fullmatch(key):
            raise PermanentAdapterError(f"declaration key {key!r} is not a valid key")
        if declaration.period_end < declaration.period_start:
            raise DeclarationRefused(
                f"declaration {key!r} refused: the period ends on {declaration.period_end} "
                f"before it starts on {declaration.period_start}; correct the order's dates"
            )

    async def _body(self, declaration: EmploymentDeclaration) -> dict[str, Any]:
        if declaration.kind == "end":
            period_id = await self._store.period_of(declaration.order_id)
            if period_id is None:
                raise DeclarationRefused(
                    f"Dimona OUT for order {declaration.order_id}: no accepted Dimona IN is on "
                    "record for it, so there is no Dimona period to close"
                )
            return {
                "dimonaOut": {
                    "periodId": int(period_id),
                    "endingDate": declaration.period_end.isoformat(),
                }
            }
        worker = await self._workers.dimona_worker(declaration.member_id)
        if worker is None or not _SSIN.fullmatch(worker.ssin):
            raise DeclarationRefused(
                f"Dimona IN for order {declaration.order_id}: member {declaration.member_id} "
                "has no valid national number (INSS, 11 digits) on record"
            )
        return {
            "employer": {"nssoRegistrationNumber": self._employer.nsso_registration_number},
            "worker": {"ssin": worker.ssin},
            "dimonaIn": {
                "startingDate": declaration.period_start.isoformat(),
                "endingDate": declaration.period_end.isoformat(),
                "dimonaFeatures": {
                    "jointCommissionNumber": worker.joint_committee
                    or self._employer.joint_committee,
                    "workerType": worker.worker_type or self._employer.worker_type,
                },
            },
        }

    async def _post(self, key: str, body: dict[str, Any]) -> str:
        """POST the declaration; the number from ``Location``. Forgets the claim whenever the
        declaration certainly did not reach ONSS, so a retry may post again."""
        url = f"{self._base}/declarations"
        for attempt in range(2):
            try:
                token = await self._tokens.token(self._http)
            except BaseException:
                await self._store.forget(key)  # nothing was sent
                raise
            try:
                response = await self._http.post(url, json=body, headers=_headers(token))
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as err:
                await self._store.forget(key)  # the request never left
                raise DimonaUnavailable(f"Dimona unreachable: {err!r}") from err
            except httpx.HTTPError as err:  # sent, answer lost: keep the claim
                raise DimonaUnavailable(f"Dimona POST answer lost: {err!r}") from err
            if response.status_code == 401 and attempt == 0:
                self._tokens.invalidate()  # expired token: nothing was accepted
                continue
            break
        if response.status_code == 201 and response.headers.get("Location"):
            return response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
        await self._store.forget(key)
        if response.status_code >= 500:
            raise DimonaUnavailable(f"Dimona POST answered {response.status_code}")
        if response.status_code == 400:
            raise DeclarationRefused(
                f"Dimona refused the request as malformed (400): {response.text[:500]}"
            )
        if response.status_code == 403:
            raise PermanentAdapterError(
                "Dimona: not allowed to declare for this employer (403); check the mandate in "
                f"Chaman: {response.text[:300]}"
            )
        raise DimonaUnavailable(f"Dimona POST answered {response.status_code} without Location")

    async def _get(self, url: str) -> httpx.Response:
        """GET with the bearer token; on 401 a fresh token and one more try."""
        for attempt in range(2):
            token = await self._tokens.token(self._http)
            response = await self._http.get(url, headers=_headers(token))
            if response.status_code != 401 or attempt == 1:
                return response
            self._tokens.invalidate()
        raise AssertionError("unreachable")

    # ------------------------------------------------------------------ result

    async def _poll(
        self, declaration: EmploymentDeclaration, stored: DimonaSubmission, *, created: bool
    ) -> DeclarationReceipt:
        assert stored.dimona_number is not None
        if stored.state != "final":
            stored = await self._wait_for_result(declaration, stored)
        if stored.result == "B":
            codes = "; ".join(f"{code} {label}".strip() for code, label in stored.anomalies)
            raise DimonaRefused(
                f"Dimona {_label(declaration)} refused by ONSS (declaration "
                f"{stored.dimona_number}): {codes or 'no anomaly given'}",
                stored.anomalies,
            )
        if stored.result == "W":
            log.warning(
                "Dimona %s accepted with warnings: %s", stored.dimona_number, stored.anomalies
            )
        return DeclarationReceipt(
            declaration_key=declaration.declaration_key,
            reference=f"DIMONA-{'IN' if declaration.kind == 'start' else 'OUT'}-"
            f"{stored.dimona_number}",
            status="accepted" if stored.result == "A" else "accepted_with_warning",
            created=created,
        )

    async def _wait_for_result(
        self, declaration: EmploymentDeclaration, stored: DimonaSubmission
    ) -> DimonaSubmission:
        url = f"{self._base}/declarations/{stored.dimona_number}"
        deadline = time.monotonic() + self._poll_timeout
        while True:
            try:
                response = await self._get(url)
            except httpx.HTTPError as err:
                raise DimonaUnavailable(f"Dimona GET failed: {err!r}") from err
            if response.status_code >= 500:
                raise DimonaUnavailable(f"Dimona GET answered {response.status_code}")
            if response.status_code == 200:
                status = response.json().get("declarationStatus", {})
                result = status.get("result")
                if result in ("A", "W", "B"):
                    final = stored.model_copy(
                        update={
                            "state": "final",
                            "result": result,
                            "period_id": _str_or_none(status.get("dimonaPeriodId")),
                            "anomalies": _anomalies(status.get("anomaliesCollection")),
                        }
                    )
                    await self._store.save(final)
                    return final
            elif response.status_code != 404:  # 404: received, not processed yet
                raise PermanentAdapterError(
                    f"Dimona GET {stored.dimona_number} answered {response.status_code}: "
                    f"{response.text[:300]}"
                )
            if time.monotonic() + self._poll_interval > deadline:
                raise DimonaStillWaiting(
                    f"Dimona {_label(declaration)} (declaration {stored.dimona_number}) not "
                    f"processed after {self._poll_timeout:.0f}s; polling again on retry"
                )
            await asyncio.sleep(self._poll_interval)


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}


def _label(declaration: EmploymentDeclaration) -> str:
    return f"{'IN' if declaration.kind == 'start' else 'OUT'} for order {declaration.order_id}"


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _anomalies(raw: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, list):
        return ()
    found = []
    for item in raw:
        if isinstance(item, dict):
            label = item.get("labelEn") or item.get("labelFr") or item.get("labelNl") or ""
            found.append((str(item.get("errorId", "")), str(label)))
    return tuple(found)

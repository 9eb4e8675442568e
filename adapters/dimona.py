"""Belgian employment declarations (Dimona IN / OUT) through the social-security REST API.

``DimonaClient`` implements ``adapters.social_security.SocialSecurity`` for jurisdiction BE:

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
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import os
import re
import secrets
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal, Protocol

import httpx
from pydantic import BaseModel, ConfigDict

from adapters.errors import AdapterError, DeclarationRefused, PermanentAdapterError
from adapters.files import write_once
from adapters.social_security import DeclarationReceipt, EmploymentDeclaration, SocialSecurity

log = logging.getLogger(__name__)

_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_SSIN = re.compile(r"\d{11}")
TOKEN_SAFETY_MARGIN_S = 30.0
SCOPE_DECLARE = "scope:dimona:declaration:declarant"


class DimonaStillWaiting(AdapterError):
    """Not processed yet (or waiting for the worker's identification): retry later."""


class DimonaUnavailable(AdapterError):
    """The service answered 5xx or could not be reached: retry later."""


class DimonaRefused(DeclarationRefused):
    """Result B: ONSS refused the declaration; ``anomalies`` are its (code, label) pairs."""

    def __init__(self, message: str, anomalies: tuple[tuple[str, str], ...]) -> None:
        super().__init__(message)
        self.anomalies = anomalies


class DimonaOutcomeUnknown(PermanentAdapterError):
    """A POST was sent but its answer was lost: whether ONSS has it is unknown."""


# ---------------------------------------------------------------------------- tokens


class TokenProvider(Protocol):
    async def token(self, http: httpx.AsyncClient) -> str: ...

    def invalidate(self) -> None: ...


class _CachedToken:
    """Caches the access token until ``expires_in`` minus a margin."""

    def __init__(self, token_url: str, clock: Callable[[], float]) -> None:
        self.token_url = token_url
        self._clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    async def token(self, http: httpx.AsyncClient) -> str:
        async with self._lock:
            if self._token is None or self._clock() >= self._expires_at:
                try:
                    response = await http.post(self.token_url, data=self._form())
                except httpx.HTTPError as err:
                    raise DimonaUnavailable(f"token endpoint unreachable: {err!r}") from err
                if response.status_code >= 500:
                    raise DimonaUnavailable(f"token endpoint answered {response.status_code}")
                if response.status_code != 200:
                    raise PermanentAdapterError(
                        f"the OAuth server refused the client ({response.status_code}): "
                        f"{response.text[:300]}; check the Dimona client credentials"
                    )
                body = response.json()
                self._token = str(body["access_token"])
                lifetime = float(body.get("expires_in", 300))
                self._expires_at = self._clock() + max(0.0, lifetime - TOKEN_SAFETY_MARGIN_S)
            return self._token

    def invalidate(self) -> None:
        self._token = None

    def _form(self) -> dict[str, str]:
        raise NotImplementedError


class ClientSecretTokenProvider(_CachedToken):
    """``client_secret_post`` (RFC 6749 §2.3.1): what the local service accepts. The real
    social-security OAuth server does not accept secrets: use ``ClientAssertionTokenProvider``."""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str = SCOPE_DECLARE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(token_url, clock)
        self._client_id = client_id
        self._client_secret = client_secret
        self._scope = scope

    def _form(self) -> dict[str, str]:
        return {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "scope": self._scope,
        }


class ClientAssertionTokenProvider(_CachedToken):
    """The real service's flow (RFC 7523 client assertion): a JWT naming the client, signed
    RS256 with the private key of the X.509 certificate registered in Chaman.

    ``sign`` receives the JWT signing input (``header.payload`` as bytes) and returns the raw
    signature; keeping it a callable keeps the key in whatever holds it (an HSM, a KMS, the
    ``cryptography`` package) out of this module."""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        sign: Callable[[bytes], bytes],
        *,
        audience: str = "https://oauth.socialsecurity.be",
        scope: str = SCOPE_DECLARE,
        assertion_lifetime_s: int = 300,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(token_url, clock)
        self._client_id = client_id
        self._sign = sign
        self._audience = audience
        self._scope = scope
        self._lifetime = assertion_lifetime_s
        self._wall_clock = wall_clock

    def assertion(self) -> str:
        now = int(self._wall_clock())
        header = {"alg": "RS256", "typ": "JWT"}
        claims = {
            "jti": secrets.token_hex(16),
            "iss": self._client_id,
            "sub": self._client_id,
            "aud": self._audience,
            "iat": now,
            "nbf": now,
            "exp": now + self._lifetime,
        }
        signing_input = f"{_b64(header)}.{_b64(claims)}".encode()
        signature = base64.urlsafe_b64encode(self._sign(signing_input)).rstrip(b"=").decode()
        return f"{signing_input.decode()}.{signature}"

    def _form(self) -> dict[str, str]:
        return {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": self.assertion(),
            "scope": self._scope,
        }


def _b64(obj: Mapping[str, Any]) -> str:
    raw = json.dumps(obj, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# ---------------------------------------------------------------------------- who is declared


class DimonaEmployer(BaseModel):
    model_config = ConfigDict(frozen=True)

    nsso_registration_number: int  # the employer's ONSS number
    joint_committee: str = "200"  # default joint committee (paritair comité / CP) of workers
    worker_type: str = "OTH"  # Dimona worker type: OTH = ordinary worker


class DimonaWorker(BaseModel):
    model_config = ConfigDict(frozen=True)

    ssin: str  # INSS / national number, 11 digits
    joint_committee: str | None = None  # overrides the employer's default
    worker_type: str | None = None


class WorkerDirectory(Protocol):
    async def dimona_worker(self, member_id: str) -> DimonaWorker | None: ...


class MappingWorkerDirectory:
    """Workers by member id from a mapping (tests, small setups)."""

    def __init__(self, workers: Mapping[str, DimonaWorker]) -> None:
        self._workers = workers  # not copied: edits to the mapping show

    async def dimona_worker(self, member_id: str) -> DimonaWorker | None:
        return self._workers.get(member_id)


# ---------------------------------------------------------------------------- submissions


class DimonaSubmission(BaseModel):
    """The client's own record of one declaration key."""

    model_config = ConfigDict(frozen=True)

    declaration_key: str
    fingerprint: str  # of the EmploymentDeclaration: a key is never reused for other data
    order_id: str
    kind: Literal["start", "end"]
    state: Literal["posting", "posted", "final"]
    claimed_at: float  # wall-clock seconds when the POST was claimed
    dimona_number: str | None = None
    period_id: str | None = None
    result: Literal["A", "W", "B"] | None = None
    anomalies: tuple[tuple[str, str], ...] = ()


class SubmissionStore(Protocol):
    async def get(self, key: str) -> DimonaSubmission | None: ...

    async def claim(self, submission: DimonaSubmission) -> DimonaSubmission:
        """Store ``submission`` unless the key exists; return what is stored."""
        ...

    async def save(self, submission: DimonaSubmission) -> None: ...

    async def forget(self, key: str) -> None: ...

    async def retire(self, key: str) -> None:
        """Keep a refused submission aside (history) and free its key for a new one."""
        ...

    async def period_of(self, order_id: str) -> str | None:
        """The Dimona period id of the order's accepted IN (an OUT closes it)."""
        ...


class FileSubmissionStore:
    """One JSON file per declaration key in ``directory``; the claim is a write-once file, so
    of two concurrent attempts exactly one posts. A shared volume when workers run on several
    machines (as for the other local registers)."""

    def __init__(self, directory: Path) -> None:
        self._dir = Path(directory)

    def _path(self, key: str) -> Path:
        return self._dir / f"{key}.json"

    def _period_path(self, order_id: str) -> Path:
        return self._dir / "periods" / f"{order_id}.json"

    async def get(self, key: str) -> DimonaSubmission | None:
        return await asyncio.to_thread(self._read, self._path(key))

    async def claim(self, submission: DimonaSubmission) -> DimonaSubmission:
        def claim() -> DimonaSubmission:
            path = self._path(submission.declaration_key)
            if write_once(path, submission.model_dump_json().encode()):
                return submission
            stored = self._read(path)
            assert stored is not None
            return stored

        return await asyncio.to_thread(claim)

    async def save(self, submission: DimonaSubmission) -> None:
        def save() -> None:
            _replace(self._path(submission.declaration_key), submission.model_dump_json())
            accepted_in = submission.kind == "start" and submission.result in ("A", "W")
            if accepted_in and submission.period_id:
                _replace(self._period_path(submission.order_id), json.dumps(submission.period_id))

        await asyncio.to_thread(save)

    async def forget(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, True)

    async def retire(self, key: str) -> None:
        def retire() -> None:
            path = self._path(key)
            n = 1
            while (archived := self._dir / "refused" / f"{key}.{n}.json").exists():
                n += 1
            archived.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, archived)

        await asyncio.to_thread(retire)

    async def period_of(self, order_id: str) -> str | None:
        path = self._period_path(order_id)

        def read() -> str | None:
            return str(json.loads(path.read_text())) if path.exists() else None

        return await asyncio.to_thread(read)

    @staticmethod
    def _read(path: Path) -> DimonaSubmission | None:
        if not path.exists():
            return None
        return DimonaSubmission.model_validate_json(path.read_text())


def _replace(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


# ---------------------------------------------------------------------------- routing


class SocialSecurityByJurisdiction:
    """One ``SocialSecurity`` per jurisdiction (the activities hold one): e.g. Dimona for BE,
    the local register for DE until a DEÜV channel exists."""

    def __init__(self, by_jurisdiction: Mapping[str, SocialSecurity]) -> None:
        self._by = dict(by_jurisdiction)

    async def declare(self, declaration: EmploymentDeclaration) -> DeclarationReceipt:
        target = self._by.get(declaration.jurisdiction)
        if target is None:
            raise PermanentAdapterError(
                f"no social-security channel for {declaration.jurisdiction} is configured"
            )
        return await target.declare(declaration)


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


async def resolve_unknown(
    store: SubmissionStore, declaration_key: str, dimona_number: str | None
) -> None:
    """Ops' answer to ``DimonaOutcomeUnknown``: the number ONSS has for the declaration (found
    in the Dimona portal), or None if it has none, so the next attempt posts again."""
    stored = await store.get(declaration_key)
    if stored is None or stored.state != "posting":
        raise PermanentAdapterError(f"{declaration_key!r} has no unresolved submission")
    if dimona_number is None:
        await store.forget(declaration_key)
    else:
        update = {"state": "posted", "dimona_number": dimona_number}
        await store.save(stored.model_copy(update=update))


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


def main(argv: list[str] | None = None) -> None:
    """``python -m adapters.dimona resolve DIR KEY (NUMBER | --not-received)``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m adapters.dimona")
    commands = parser.add_subparsers(dest="command", required=True)
    resolve = commands.add_parser("resolve", help="answer a DimonaOutcomeUnknown")
    resolve.add_argument("store_dir", type=Path, help="the Dimona submission directory")
    resolve.add_argument("declaration_key")
    answer = resolve.add_mutually_exclusive_group(required=True)
    answer.add_argument("number", nargs="?", help="the declaration number ONSS has")
    answer.add_argument("--not-received", action="store_true", help="ONSS has none: post again")
    args = parser.parse_args(argv)
    number = None if args.not_received else args.number
    asyncio.run(resolve_unknown(FileSubmissionStore(args.store_dir), args.declaration_key, number))
    print(f"{args.declaration_key}: resolved; retry the order's step (signal retry_step)")  # noqa: T201


if __name__ == "__main__":
    main()

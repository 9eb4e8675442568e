"""A local Dimona REST service that behaves as the public documentation says.

- ``POST /oauth/token``: client credentials, either ``client_id`` + ``client_secret`` or a JWT
  ``client_assertion`` (claims checked, signature not: the local service has no certificate);
  answers ``access_token`` and ``expires_in``.
- ``POST /dimona/v1/declarations``: a bearer token is required (401 otherwise); the JSON body
  carries ``dimonaIn`` (employer, worker.ssin, dates, features) or ``dimonaOut`` (periodId,
  endingDate); answers ``201`` with ``Location: …/declarations/{number}`` and no body.
- ``GET /dimona/v1/declarations/{number}``: ``404`` while not processed yet, then
  ``200 {"declarationStatus": {"dimonaDeclarationId", "result", "dimonaPeriodId",
  "anomaliesCollection": [{"errorId", "labelFr", "labelNl"}]}}`` with result A, W, B or S.

How a declaration turns out is scripted per worker INSS (``Script``); an OUT follows the
script of the worker whose period it closes.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web

CLIENT_ID = "coopflow-test"
CLIENT_SECRET = "s3cret"
AUDIENCE = "https://oauth.socialsecurity.be"


@dataclass
class Script:
    result: Literal["A", "W", "B"] = "A"
    not_processed_polls: int = 1  # GETs answered 404 first
    waiting_polls: int = 0  # then GETs answered result S
    anomalies: list[dict[str, str]] = field(default_factory=list)
    post_failures: int = 0  # POSTs answered 503 before one is accepted
    slow_gets: int = 0  # GETs that take ``slow_seconds`` before answering
    slow_seconds: float = 2.0


ACCEPTED = Script()
WARNING = Script(
    result="W",
    anomalies=[{"errorId": "00913-362", "labelFr": "Déclaration tardive", "labelNl": "Laattijdig"}],
)
REFUSED = Script(
    result="B",
    anomalies=[
        {
            "errorId": "00024-002",
            "labelFr": "INSS inconnu",
            "labelNl": "INSZ onbekend",
        }
    ],
)

UNKNOWN_PERIOD = Script(
    result="B",
    anomalies=[{"errorId": "00900-010", "labelFr": "Période inconnue", "labelNl": "Onbekend"}],
)


@dataclass
class Declaration:
    number: int
    body: dict[str, Any]
    inss: str
    script: Script
    gets: int = 0
    period_id: int | None = None


class FakeDimona:
    def __init__(self, token_lifetime_s: int = 3600) -> None:
        self.scripts: dict[str, Script] = {}
        self.declarations: dict[int, Declaration] = {}
        self.tokens: dict[str, float] = {}  # token → expiry (monotonic)
        self.token_requests: list[dict[str, str]] = []
        self.post_attempts: dict[str, int] = {}
        self.requests: list[tuple[str, str]] = []
        self.token_lifetime_s = token_lifetime_s
        self._numbers = itertools.count(1_000_001)
        self._periods = itertools.count(70_000_001)
        self._period_inss: dict[int, str] = {}
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/oauth/token", self._token)
        app.router.add_post("/dimona/v1/declarations", self._post)
        app.router.add_get("/dimona/v1/declarations/{number}", self._get)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.root = f"http://127.0.0.1:{port}"
        self.base_url = f"{self.root}/dimona/v1"
        self.token_url = f"{self.root}/oauth/token"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def declarations_for(self, inss: str) -> list[Declaration]:
        return [d for d in self.declarations.values() if d.inss == inss]

    # ------------------------------------------------------------------ handlers

    async def _token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.token_requests.append({k: str(v) for k, v in form.items()})
        if form.get("grant_type") != "client_credentials":
            return _error(400, "unsupported_grant_type")
        if "client_assertion" in form:
            if not _valid_assertion(str(form["client_assertion"])):
                return _error(401, "invalid_client")
        elif (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return _error(401, "invalid_client")
        token = secrets.token_urlsafe(16)
        self.tokens[token] = time.monotonic() + self.token_lifetime_s
        body = {"access_token": token, "token_type": "Bearer", "expires_in": self.token_lifetime_s}
        return web.json_response(body)

    def _authorized(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ")
        return header.startswith("Bearer ") and self.tokens.get(token, 0) > time.monotonic()

    async def _post(self, request: web.Request) -> web.Response:
        self.requests.append(("POST", request.path))
        if not self._authorized(request):
            return web.json_response({"message": "invalid token"}, status=401)
        body = await request.json()
        if "dimonaIn" in body:
            inss = str(body.get("worker", {}).get("ssin", ""))
            if not inss.isdigit() or len(inss) != 11:
                return web.json_response([{"property": "worker.ssin"}], status=400)
        elif "dimonaOut" in body:
            inss = self._period_inss.get(int(body["dimonaOut"].get("periodId", 0)), "")
        else:
            return web.json_response({"message": "no declaration"}, status=400)
        script = self.scripts.get(inss, ACCEPTED) if inss else UNKNOWN_PERIOD
        attempts = self.post_attempts[inss] = self.post_attempts.get(inss, 0) + 1
        if attempts <= script.post_failures:
            return web.json_response({"message": "Service unavailable"}, status=503)
        number = next(self._numbers)
        self.declarations[number] = Declaration(number, body, inss, script)
        location = f"{self.base_url}/declarations/{number}"
        return web.Response(status=201, headers={"Location": location})

    async def _get(self, request: web.Request) -> web.Response:
        self.requests.append(("GET", request.path))
        if not self._authorized(request):
            return web.json_response({"message": "invalid token"}, status=401)
        declaration = self.declarations.get(int(request.match_info["number"]))
        if declaration is None:
            return web.json_response({"message": "unknown declaration"}, status=404)
        declaration.gets += 1
        script = declaration.script
        if declaration.gets <= script.slow_gets:
            await asyncio.sleep(script.slow_seconds)
        n = declaration.gets - script.slow_gets
        if n <= script.not_processed_polls:
            return web.json_response({"message": "not processed yet"}, status=404)
        result = "S" if n <= script.not_processed_polls + script.waiting_polls else script.result
        if result in ("A", "W") and "dimonaIn" in declaration.body:
            if declaration.period_id is None:
                declaration.period_id = next(self._periods)
                self._period_inss[declaration.period_id] = declaration.inss
        elif "dimonaOut" in declaration.body:
            declaration.period_id = int(declaration.body["dimonaOut"]["periodId"])
        status: dict[str, Any] = {
            "dimonaDeclarationId": str(declaration.number),
            "result": result,
        }
        if declaration.period_id is not None and result in ("A", "W"):
            status["dimonaPeriodId"] = str(declaration.period_id)
        if result in ("W", "B"):
            status["anomaliesCollection"] = script.anomalies
        return web.json_response({"declarationStatus": status})


def _error(status: int, code: str) -> web.Response:
    return web.json_response({"error": code}, status=status)


def _valid_assertion(assertion: str) -> bool:
    parts = assertion.split(".")
    if len(parts) != 3 or not parts[2]:
        return False
    try:
        header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return False
    now = time.time()
    return (
        header.get("alg") == "RS256"
        and claims.get("iss") == CLIENT_ID
        and claims.get("sub") == CLIENT_ID
        and claims.get("aud") == AUDIENCE
        and claims.get("nbf", now + 1) <= now < claims.get("exp", 0)
        and bool(claims.get("jti"))
    )

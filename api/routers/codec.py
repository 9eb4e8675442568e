"""The codec server (Temporal's remote codec protocol): the Temporal UI sends the encrypted
payloads of a history to ``/codec/decode`` from the browser and shows what comes back, so ops
read orders' data in the UI while the server and its database hold only ciphertext.

Who may decode: staff (finance, admin) with their bearer token — the UI forwards one when it is
configured to (docs/production.md); in a local development stack, the stack's own UI (its
origin) without one. The UI's origin gets the CORS headers it needs; no other origin does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from adapters.payload_codec import EncryptionCodec, parse_keys
from api.auth import principal_for_token
from api.deps import AppConfig, DbSession
from api.errors import ProblemError

router = APIRouter(prefix="/codec", tags=["ops"])

_CORS_HEADERS = "authorization, content-type, x-namespace"


def _cors(config: AppConfig, request: Request) -> dict[str, str]:
    if request.headers.get("origin") != config.temporal_ui_origin:
        return {}
    return {
        "Access-Control-Allow-Origin": config.temporal_ui_origin,
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": _CORS_HEADERS,
        "Access-Control-Allow-Credentials": "true",
        "Vary": "Origin",
    }


async def _allowed(request: Request, session: DbSession, config: AppConfig) -> None:
    if config.dev_mode and request.headers.get("origin") == config.temporal_ui_origin:
        return  # the local stack's UI, in the developer's browser
    header = request.headers.get("authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    if not token:
        raise ProblemError(401, "unauthenticated", "Send a staff bearer token to decode payloads.")
    principal = await principal_for_token(session, config.admin_token, token)
    if not principal.is_staff:
        raise ProblemError(403, "forbidden", "Only finance and admin may decode payloads.")


Allowed = Annotated[None, Depends(_allowed)]


async def _transform(request: Request, config: AppConfig, *, decode: bool) -> Response:
    try:
        payloads = json_format.Parse(await request.body(), Payloads())
    except json_format.ParseError as exc:
        raise ProblemError(
            422, "invalid-payloads", f"The body is not a Temporal Payloads message: {exc}"
        ) from exc
    items = list(payloads.payloads)
    if config.payload_keys.strip():
        codec = EncryptionCodec(parse_keys(config.payload_keys))
        items = await (codec.decode(items) if decode else codec.encode(items))
    body = json_format.MessageToJson(Payloads(payloads=items))
    return Response(body, media_type="application/json", headers=_cors(config, request))


@router.options("/decode", include_in_schema=False)
@router.options("/encode", include_in_schema=False)
async def preflight(request: Request, config: AppConfig) -> Response:
    return Response(status_code=204, headers=_cors(config, request))


@router.post("/decode", include_in_schema=False)
async def decode(request: Request, config: AppConfig, _allowed: Allowed) -> Response:
    """Decrypt a history's payloads (``{"payloads": [...]}``) for the Temporal UI."""
    return await _transform(request, config, decode=True)


@router.post("/encode", include_in_schema=False)
async def encode(request: Request, config: AppConfig, _allowed: Allowed) -> Response:
    """Encrypt payloads the UI sends to a workflow (a signal's or a query's input)."""
    return await _transform(request, config, decode=False)

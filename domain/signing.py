"""Signing-link tokens: signed (HMAC-SHA256), expiring, single-use (the use is recorded by the
caller). Pure: the secret and the clock are arguments."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict

from domain.errors import DomainError


class InvalidSigningToken(DomainError):
    code = "invalid-signing-token"


class SigningClaims(BaseModel):
    model_config = ConfigDict(frozen=True)

    order_id: int
    token_id: str
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_signing_token(secret: str, claims: SigningClaims) -> str:
    expires = int(claims.expires_at.timestamp())
    payload = f"{claims.order_id}.{claims.token_id}.{expires}".encode()
    mac = hmac.new(secret.encode(), payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(mac)}"


def decode_signing_token(secret: str, token: str, now: datetime) -> SigningClaims:
    try:
        payload_part, mac_part = token.split(".")
        payload = _unb64(payload_part)
        mac = _unb64(mac_part)
    except ValueError as exc:
        raise InvalidSigningToken("this signing link is malformed; ask for a new one") from exc
    expected = hmac.new(secret.encode(), payload, hashlib.sha256).digest()
    if not hmac.compare_digest(mac, expected):
        raise InvalidSigningToken("this signing link is not valid; ask for a new one")
    order_id, rest = payload.decode().split(".", 1)
    token_id, expires = rest.rsplit(".", 1)
    claims = SigningClaims(
        order_id=int(order_id),
        token_id=token_id,
        expires_at=datetime.fromtimestamp(int(expires), tz=UTC),
    )
    if now >= claims.expires_at:
        raise InvalidSigningToken(
            f"this signing link expired on {claims.expires_at:%Y-%m-%d %H:%M} UTC; "
            "ask the member for a new offer"
        )
    return claims

"""OAuth2 client-credentials tokens for the Dimona REST API, cached until shortly before they
expire: a client secret (the local service) or a JWT client assertion signed with the client's
X.509 certificate (the real service).
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import httpx

from adapters.errors import PermanentAdapterError
from adapters.social_security.dimona_models import DimonaUnavailable

TOKEN_SAFETY_MARGIN_S = 30.0
SCOPE_DECLARE = "scope:dimona:declaration:declarant"


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

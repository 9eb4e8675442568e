"""Capability tokens: random bearer strings (API tokens, desk sessions, pay and signing links)
that are shown once and stored only as their SHA-256, so a leaked database opens nothing."""

from __future__ import annotations

import hashlib
import secrets

# 24 random bytes = 192 bits, 32 URL-safe characters: out of reach of guessing and enumeration.
LINK_TOKEN_BYTES = 24


def new_link_token() -> str:
    """A public link's token (``/pay/<token>``, ``/sign/<token>``); never contains a dot."""
    return secrets.token_urlsafe(LINK_TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What the database keeps of a capability token (hex SHA-256)."""
    return hashlib.sha256(token.encode()).hexdigest()

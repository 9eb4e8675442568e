"""Signing-link tokens: HMAC-signed, expiring, refused with a readable message."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.signing import (
    InvalidSigningToken,
    SigningClaims,
    decode_signing_token,
    encode_signing_token,
)

SECRET = "s3cret-for-tests"
EXPIRES = datetime(2026, 4, 1, 0, 0, tzinfo=UTC)
BEFORE = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def _claims(**overrides: object) -> SigningClaims:
    values: dict[str, object] = {"order_id": 42, "token_id": "abc_DEF-123", "expires_at": EXPIRES}
    values.update(overrides)
    return SigningClaims.model_validate(values)


def test_round_trip() -> None:
    claims = _claims()
    token = encode_signing_token(SECRET, claims)
    assert decode_signing_token(SECRET, token, BEFORE) == claims


token_ids = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
    min_size=1,
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=2**53),
    token_ids,
    st.integers(min_value=1_700_000_000, max_value=4_000_000_000),
    st.text(min_size=1, max_size=64),
)
def test_round_trip_property(order_id: int, token_id: str, expires: int, secret: str) -> None:
    claims = SigningClaims(
        order_id=order_id,
        token_id=token_id,
        expires_at=datetime.fromtimestamp(expires, tz=UTC),
    )
    token = encode_signing_token(secret, claims)
    assert "=" not in token  # URL-safe, unpadded
    now = claims.expires_at - timedelta(seconds=1)
    assert decode_signing_token(secret, token, now) == claims


def test_wrong_secret_is_refused() -> None:
    token = encode_signing_token(SECRET, _claims())
    with pytest.raises(InvalidSigningToken, match="not valid; ask for a new one"):
        decode_signing_token("another-secret", token, BEFORE)


def test_tampered_payload_is_refused() -> None:
    token = encode_signing_token(SECRET, _claims(order_id=42))
    forged_payload = encode_signing_token(SECRET, _claims(order_id=43)).split(".")[0]
    forged = forged_payload + "." + token.split(".")[1]
    with pytest.raises(InvalidSigningToken, match="not valid"):
        decode_signing_token(SECRET, forged, BEFORE)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_single_character_change_is_refused(data: st.DataObject) -> None:
    token = encode_signing_token(SECRET, _claims())
    i = data.draw(st.integers(min_value=0, max_value=len(token) - 1))
    replacement = data.draw(st.sampled_from("Aa0-_.").filter(lambda ch: ch != token[i]))
    tampered = token[:i] + replacement + token[i + 1 :]
    if _decoded_parts(tampered) == _decoded_parts(token):
        # Unpadded base64 has spare low bits in its last character: a change there decodes to
        # the same bytes, so the token is genuinely the same one.
        assert decode_signing_token(SECRET, tampered, BEFORE) == _claims()
    else:
        with pytest.raises(InvalidSigningToken, match="ask for a new one$"):
            decode_signing_token(SECRET, tampered, BEFORE)


def _decoded_parts(token: str) -> list[bytes] | None:
    try:
        return [
            base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)) for part in token.split(".")
        ]
    except ValueError:
        return None


@pytest.mark.parametrize("token", ["", "no-dot", "a.b.c", "é.ü", "!!!.???"])
def test_malformed_token_is_refused(token: str) -> None:
    with pytest.raises(InvalidSigningToken, match="(malformed|not valid); ask for a new one"):
        decode_signing_token(SECRET, token, BEFORE)


def test_expired_token_is_refused_with_the_expiry_date() -> None:
    token = encode_signing_token(SECRET, _claims())
    with pytest.raises(InvalidSigningToken, match="expired on 2026-04-01 00:00 UTC") as info:
        decode_signing_token(SECRET, token, EXPIRES)
    assert "ask the member for a new offer" in info.value.message
    assert info.value.code == "invalid-signing-token"
    assert isinstance(info.value, DomainError)


def test_valid_until_the_last_second() -> None:
    token = encode_signing_token(SECRET, _claims())
    assert decode_signing_token(SECRET, token, EXPIRES - timedelta(seconds=1)).order_id == 42
    with pytest.raises(InvalidSigningToken, match="expired"):
        decode_signing_token(SECRET, token, EXPIRES + timedelta(days=30))


def test_token_id_with_a_dot_round_trips() -> None:
    claims = _claims(token_id="a.b")
    token = encode_signing_token(SECRET, claims)
    assert decode_signing_token(SECRET, token, BEFORE) == claims

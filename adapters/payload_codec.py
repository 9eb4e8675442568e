"""Personal data out of Temporal's histories: every payload the API and the worker send is
encrypted with AES-256-GCM before it leaves the process, and decrypted when it comes back
(a Temporal ``PayloadCodec``). The Temporal server, its database and its UI see only ciphertext;
the codec server endpoint (``api/routers/codec.py``) decodes for ops allowed to read it.

Keys carry an id: new payloads are encrypted with the first (current) key, and each payload
names its key in its metadata, so a retired key still decrypts the histories written with it
(rotation: put the new key first, keep the old ones until their workflows have ended).
``COOPFLOW_PAYLOAD_KEYS`` holds ``<id>:<base64 of 32 bytes>`` pairs separated by commas.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12


class PayloadKeyError(ValueError):
    """The key setting is malformed, or a payload names a key this process does not hold."""


def parse_keys(setting: str) -> dict[str, bytes]:
    """``id:base64,id:base64`` → {id: 32-byte key}, in the setting's order (first = current)."""
    keys: dict[str, bytes] = {}
    for part in (p.strip() for p in setting.split(",") if p.strip()):
        key_id, sep, encoded = part.partition(":")
        if not sep or not key_id:
            raise PayloadKeyError(f"payload key {part[:12]!r}…: write it as <id>:<base64 key>")
        try:
            key = base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise PayloadKeyError(f"payload key {key_id!r} is not base64") from exc
        if len(key) != 32:
            raise PayloadKeyError(f"payload key {key_id!r} has {len(key)} bytes; AES-256 needs 32")
        if key_id in keys:
            raise PayloadKeyError(f"payload key id {key_id!r} is given twice")
        keys[key_id] = key
    return keys


# The development stack's key: public, so refused outside dev mode (config.Settings).
DEV_PAYLOAD_KEYS = "dev:" + base64.b64encode(b"coopflow-dev-payload-key-public!").decode()


def new_key_setting(key_id: str) -> str:
    """A fresh ``id:base64`` pair for ``COOPFLOW_PAYLOAD_KEYS``."""
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


class EncryptionCodec(PayloadCodec):
    def __init__(self, keys: dict[str, bytes]) -> None:
        if not keys:
            raise PayloadKeyError("an encryption codec needs at least one key")
        self._keys = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._current = next(iter(keys))

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._encrypt(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._decrypt(p) for p in payloads]

    def _encrypt(self, payload: Payload) -> Payload:
        nonce = os.urandom(NONCE_BYTES)
        key_id = self._current
        sealed = self._keys[key_id].encrypt(nonce, payload.SerializeToString(), key_id.encode())
        return Payload(
            metadata={"encoding": ENCODING, KEY_ID: key_id.encode()}, data=nonce + sealed
        )

    def _decrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload  # written before encryption was switched on
        key_id = payload.metadata.get(KEY_ID, b"").decode()
        aes = self._keys.get(key_id)
        if aes is None:
            raise PayloadKeyError(
                f"a payload is encrypted with key {key_id!r}, which this process does not hold; "
                "keep retired keys in COOPFLOW_PAYLOAD_KEYS until their workflows have ended"
            )
        nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        plain = Payload()
        plain.ParseFromString(aes.decrypt(nonce, sealed, key_id.encode()))
        return plain

"""Payload encryption: what Temporal stores is ciphertext naming its key; this process gets
the plaintext back; a retired key still decrypts; the codec server decodes for the UI and
staff only."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from adapters.payload_codec import (
    ENCODING,
    EncryptionCodec,
    PayloadKeyError,
    new_key_setting,
    parse_keys,
)
from adapters.temporal_client import data_converter
from tests.adapters.echo_workflow import EchoWorkflow
from tests.conftest import TEMPORAL_TEST_SERVER

OLD, NEW = new_key_setting("k1"), new_key_setting("k2")
ADA = {"name": "Ada Lovelace", "iban": "DE89370400440532013000"}


def _payload(text: str) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=json.dumps(text).encode())


async def test_a_payload_is_encrypted_under_the_current_key_and_decrypted_back() -> None:
    codec = EncryptionCodec(parse_keys(f"{NEW},{OLD}"))
    [sealed] = await codec.encode([_payload("Ada Lovelace")])
    assert sealed.metadata["encoding"] == ENCODING
    assert sealed.metadata["encryption-key-id"] == b"k2"
    assert b"Ada" not in sealed.data
    [plain] = await codec.decode([sealed])
    assert plain == _payload("Ada Lovelace")
    [again] = await codec.encode([_payload("Ada Lovelace")])
    assert again.data != sealed.data  # a fresh nonce each time


async def test_a_retired_key_still_decrypts_and_a_missing_one_is_named() -> None:
    [written_before] = await EncryptionCodec(parse_keys(OLD)).encode([_payload("x")])
    rotated = EncryptionCodec(parse_keys(f"{NEW},{OLD}"))
    assert await rotated.decode([written_before]) == [_payload("x")]
    with pytest.raises(PayloadKeyError, match="key 'k1'"):
        await EncryptionCodec(parse_keys(NEW)).decode([written_before])
    unencrypted = _payload("from before encryption")
    assert await rotated.decode([unencrypted]) == [unencrypted]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("k1", "<id>:<base64 key>"),
        ("k1:not base64!", "not base64"),
        ("k1:" + base64.b64encode(b"short").decode(), "5 bytes"),
        (f"{OLD},{OLD}", "given twice"),
    ],
)
def test_a_malformed_key_setting_is_refused(setting: str, message: str) -> None:
    with pytest.raises(PayloadKeyError, match=message):
        parse_keys(setting)


async def test_the_server_stores_only_ciphertext() -> None:
    keys = f"{NEW},{OLD}"
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(TEMPORAL_TEST_SERVER), data_converter=data_converter(keys)
    )
    async with env:
        queue = f"echo-{uuid.uuid4().hex[:6]}"
        async with Worker(env.client, task_queue=queue, workflows=[EchoWorkflow]):
            handle = await env.client.start_workflow(
                EchoWorkflow.run, ADA, id=f"echo-{uuid.uuid4().hex[:6]}", task_queue=queue
            )
            assert await handle.result() == ADA
        history = await handle.fetch_history()  # raw events: the codec does not touch them
        raw = history.to_json()
        assert "Ada Lovelace" not in raw
        assert "DE8937" not in raw
        assert base64.b64encode(ENCODING).decode() in raw
        # a client without the keys sees only the encrypted payload
        blind = await Client.connect(env.client.service_client.config.target_host)
        with pytest.raises(Exception):  # noqa: B017, PT011 - any decoding failure will do
            await blind.get_workflow_handle(handle.id).result()

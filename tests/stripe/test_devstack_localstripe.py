"""``make run`` (dev.devstack) runs localstripe when no Stripe of one's own is configured and
points the API at it, with the API's webhook endpoint registered."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import stripe
import uvicorn
from fastapi import FastAPI, Request

from config import Settings
from dev import processes, stack_services
from tests.stripe.conftest import API_KEY, eventually, free_port


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)


def test_localstripe_only_without_a_stripe_of_ones_own() -> None:
    assert stack_services.wants_localstripe(_settings())
    assert not stack_services.wants_localstripe(_settings(stripe_api_key="sk_test_51Real"))
    assert not stack_services.wants_localstripe(_settings(stripe_api_key="sk_live_51Real"))
    assert not stack_services.wants_localstripe(_settings(stripe_api_base="http://127.0.0.1:9999"))


def test_the_app_processes_are_pointed_at_localstripe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COOPFLOW_STRIPE_API_BASE", raising=False)
    env = stack_services.child_env(_settings(), demo=False, localstripe=True)
    assert env["COOPFLOW_STRIPE_API_BASE"] == "http://127.0.0.1:8420"
    assert "COOPFLOW_STRIPE_API_BASE" not in stack_services.child_env(_settings(), demo=False)
    # What the API then reads: localstripe, with the test key (the /pay test-card button).
    monkeypatch.setenv("COOPFLOW_STRIPE_API_BASE", env["COOPFLOW_STRIPE_API_BASE"])
    api_settings = Settings(_env_file=None)
    assert api_settings.stripe_api_base == "http://127.0.0.1:8420"
    assert api_settings.stripe_test_mode


def test_the_command_is_the_venvs_localstripe() -> None:
    command = stack_services.localstripe_command()
    assert command[0] == str(Path(sys.executable).parent / "localstripe")
    assert Path(command[0]).exists()
    assert command[1:] == ["--port", "8420"]


@pytest.fixture
def children() -> Iterator[list[processes.Child]]:
    started: list[processes.Child] = []
    yield started
    processes.stop_all(started)


async def test_start_localstripe_registers_the_apis_webhook(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, children: list[processes.Child]
) -> None:
    """Started as the dev stack starts it (on a free port, without localstripe's shared pickle
    file), a payment in localstripe reaches the API's webhook URL signed with its secret."""
    port, api_port = free_port(), free_port()
    monkeypatch.setattr(stack_services, "LOCALSTRIPE_PORT", port)
    monkeypatch.setattr(
        stack_services,
        "localstripe_command",
        lambda: [sys.executable, "-m", "tests.stripe.localstripe_server", "--port", str(port)],
    )
    settings = _settings(
        data_dir=tmp_path, api_port=api_port, stripe_webhook_secret="whsec_devstack_test"
    )

    received: list[tuple[str, str]] = []
    receiver = FastAPI()

    @receiver.post("/webhooks/stripe")
    async def webhook(request: Request) -> dict[str, bool]:
        body = await request.body()
        event = stripe.Webhook.construct_event(
            body, request.headers.get("stripe-signature"), "whsec_devstack_test"
        )
        received.append((event.type, json.loads(body)["data"]["object"]["id"]))
        return {"received": True}

    server = uvicorn.Server(
        uvicorn.Config(receiver, host="127.0.0.1", port=api_port, log_level="warning")
    )
    serving = asyncio.create_task(server.serve())
    try:
        await asyncio.to_thread(stack_services.start_localstripe, settings, children)
        assert [c.name for c in children] == ["localstripe"]
        assert (tmp_path / "localstripe.log").exists()

        client = stripe.StripeClient(
            API_KEY,
            base_addresses={"api": stack_services.localstripe_url()},
            http_client=stripe.HTTPXClient(),
        )
        intent = await client.v1.payment_intents.create_async(
            {"amount": 1_000, "currency": "eur", "payment_method": "pm_card_visa"}
        )
        await client.v1.payment_intents.confirm_async(intent.id)

        async def arrived() -> bool:
            return ("payment_intent.succeeded", intent.id) in received

        await eventually(arrived, what="localstripe's webhook at the API's URL")
    finally:
        server.should_exit = True
        await serving
    processes.stop_all(children)
    assert not children[0].alive()


def test_localstripe_that_does_not_come_up_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, children: list[processes.Child]
) -> None:
    monkeypatch.setattr(stack_services, "LOCALSTRIPE_PORT", free_port())
    monkeypatch.setattr(
        stack_services, "localstripe_command", lambda: [sys.executable, "-c", "pass"]
    )
    with pytest.raises(processes.ChildDied, match="localstripe exited with code 0"):
        stack_services.start_localstripe(_settings(data_dir=tmp_path), children)


def test_the_webhook_url_is_the_apis() -> None:
    settings = _settings(api_host="0.0.0.0", api_port=8123)
    assert stack_services.webhook_url(settings) == "http://127.0.0.1:8123/webhooks/stripe"
    assert httpx.URL(stack_services.localstripe_url()).port == stack_services.LOCALSTRIPE_PORT

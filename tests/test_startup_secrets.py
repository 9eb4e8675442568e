"""Outside dev mode the API and the worker refuse to start on a secret anyone can read: empty,
a public placeholder of this repository, or too short. Each refusal names the setting."""

from __future__ import annotations

import pytest

import worker
from adapters.payload_codec import DEV_PAYLOAD_KEYS
from api.app import create_app
from config import PUBLIC_PLACEHOLDERS, Settings, UnsafeSettings

SAFE = {
    "admin_token": "a" * 40,
    "signing_secret": "s" * 40,
    "stripe_api_key": "sk_live_" + "k" * 24,
    "stripe_webhook_secret": "whsec_" + "w" * 32,
    "payload_keys": "k1:" + "a" * 43 + "=",
}


def production(**overrides: object) -> Settings:
    return Settings(_env_file=None, dev_mode=False, **(SAFE | overrides))  # type: ignore[call-arg]


UNSAFE = [
    ("admin_token", "dev-admin-token", "COOPFLOW_ADMIN_TOKEN is a public placeholder"),
    ("admin_token", "", "COOPFLOW_ADMIN_TOKEN is empty"),
    ("admin_token", "short-token", "COOPFLOW_ADMIN_TOKEN is shorter than 32"),
    ("signing_secret", "dev-signing-secret-change-me", "COOPFLOW_SIGNING_SECRET is a public"),
    ("signing_secret", "x" * 31, "COOPFLOW_SIGNING_SECRET is shorter than 32"),
    ("stripe_webhook_secret", "whsec_dev_change_me", "COOPFLOW_STRIPE_WEBHOOK_SECRET is a public"),
    ("stripe_webhook_secret", "whsec_short", "COOPFLOW_STRIPE_WEBHOOK_SECRET is shorter"),
    ("stripe_api_key", "sk_test_localstripe", "COOPFLOW_STRIPE_API_KEY is a public placeholder"),
    ("stripe_api_key", " ", "COOPFLOW_STRIPE_API_KEY is empty"),
    ("payload_keys", "", "COOPFLOW_PAYLOAD_KEYS is empty"),
    ("payload_keys", DEV_PAYLOAD_KEYS, "COOPFLOW_PAYLOAD_KEYS is a public placeholder"),
]


@pytest.mark.parametrize(("name", "value", "message"), UNSAFE)
def test_a_placeholder_secret_is_refused_by_name(name: str, value: str, message: str) -> None:
    with pytest.raises(UnsafeSettings, match=message):
        production(**{name: value}).require_safe()


def test_the_defaults_are_all_refused_together() -> None:
    defaults = Settings(_env_file=None, dev_mode=False)  # type: ignore[call-arg]
    problems = defaults.unsafe_secrets()
    assert len(problems) == 5  # the four placeholders and no payload keys
    assert all(
        getattr(defaults, name) in PUBLIC_PLACEHOLDERS
        for name in ("admin_token", "signing_secret", "stripe_webhook_secret", "stripe_api_key")
    )


def test_dimona_needs_its_client_secret() -> None:
    with pytest.raises(UnsafeSettings, match="COOPFLOW_DIMONA_CLIENT_SECRET is empty"):
        production(social_security_backend="dimona").require_safe()


def test_injected_faults_are_refused_outside_dev_mode() -> None:
    with pytest.raises(UnsafeSettings, match="COOPFLOW_FAULT_RATE is set"):
        production(fault_rate=0.2).require_safe()
    Settings(_env_file=None, dev_mode=True, fault_rate=0.2).require_safe()  # type: ignore[call-arg]


def test_dev_mode_accepts_the_development_secrets() -> None:
    Settings(_env_file=None, dev_mode=True).require_safe()  # type: ignore[call-arg]
    production().require_safe()


async def test_the_api_does_not_start_on_the_default_admin_token() -> None:
    app = create_app(production(admin_token="dev-admin-token"))
    with pytest.raises(UnsafeSettings, match="COOPFLOW_ADMIN_TOKEN"):
        async with app.router.lifespan_context(app):
            pass


async def test_the_worker_does_not_start_on_the_default_signing_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        worker, "get_settings", lambda: production(signing_secret="dev-signing-secret-change-me")
    )

    async def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the worker connected to Temporal with a public secret")

    monkeypatch.setattr(worker, "connect", never)
    with pytest.raises(UnsafeSettings, match="COOPFLOW_SIGNING_SECRET"):
        await worker.main()

"""Generated requests (schemathesis, from the app's own OpenAPI document) against the API as it
runs, with an admin's and a member's token: whatever they send, no answer is a server error.

Bounded: a few examples per operation and token, so the suite stays quick; the run is
reproducible (derandomized). Temporal is not running: actions on orders answer 503, which is
a correct answer, not an error.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.live_api import live_api

ADMIN_TOKEN = "generated-requests-admin-token-0123456789"


@pytest.fixture(scope="module")
def api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {"COOPFLOW_ADMIN_TOKEN": ADMIN_TOKEN, "COOPFLOW_STRIPE_API_BASE": "http://127.0.0.1:1"}
    with live_api(tmp_path_factory.mktemp("generated"), env=env) as base:
        yield base


def _member_token(base: str) -> str:
    created = httpx.post(
        f"{base}/members",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        json={
            "name": "Ada Lovelace",
            "email": "ada@generated.example",
            "jurisdiction": "DE",
            "iban": "DE89370400440532013000",
        },
    )
    assert created.status_code == 201, created.text
    return str(created.json()["token"])


def _fuzz(
    operation: schemathesis.APIOperation,
    base: str,
    who: str,
    token: str,
    errors: list[str],
    calls: list[int],
) -> None:
    @settings(
        max_examples=15,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case: schemathesis.Case) -> None:
        response = case.call(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=20
        )
        calls.append(response.status_code)
        if response.status_code >= 500 and response.status_code not in (503, 504):
            errors.append(
                f"{who} {case.method} {case.formatted_path} → {response.status_code}: "
                f"{response.text[:200]}"
            )

    run()


def test_no_generated_request_gets_a_server_error(api_url: str) -> None:
    schema = schemathesis.openapi.from_url(f"{api_url}/openapi.json")
    tokens = {"admin": ADMIN_TOKEN, "member": _member_token(api_url)}
    errors: list[str] = []
    calls: list[int] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    for operation in operations:
        for who, token in tokens.items():
            _fuzz(operation, api_url, who, token, errors, calls)
    assert len(calls) > 300  # the run did send requests
    assert 422 in calls  # and some of them were bad enough to be refused
    assert errors == []

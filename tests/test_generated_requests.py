"""Generated requests (schemathesis, from the app's own OpenAPI document) against the API as it
runs, with an admin's and a member's token: whatever they send, no answer is a server error and
every answer the document describes matches its schema (``response_schema_conformance``).

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
from schemathesis.checks import response_schema_conformance
from schemathesis.core.failures import FailureGroup

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
        said = f"{who} {case.method} {case.formatted_path} → {response.status_code}"
        if response.status_code >= 500 and response.status_code not in (503, 504):
            errors.append(f"{said}: {response.text[:200]}")
        try:
            case.validate_response(response, checks=[response_schema_conformance])
        except FailureGroup as failure:
            errors.append(f"{said}: not as documented: {str(failure)[:300]}")

    run()


def test_no_generated_request_gets_a_server_error_or_an_undocumented_answer(
    api_url: str,
) -> None:
    schema = schemathesis.openapi.from_url(f"{api_url}/openapi.json")
    # The member goes first: the admin's generated DELETE /tokens/{id} may revoke its token.
    tokens = {"member": _member_token(api_url), "admin": ADMIN_TOKEN}
    errors: list[str] = []
    calls: dict[str, list[int]] = {who: [] for who in tokens}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    for who, token in tokens.items():
        for operation in operations:
            _fuzz(operation, api_url, who, token, errors, calls[who])
    print(  # noqa: T201 - the run's figures, shown with -s
        f"\ngenerated requests: {len(operations)} operations × {len(tokens)} tokens, "
        + ", ".join(f"{who} {len(sent)} requests" for who, sent in calls.items())
        + f", {len(errors)} failures"
    )
    for sent in calls.values():
        assert len(sent) > 300  # the run did send requests
        assert 422 in sent  # and some of them were bad enough to be refused
        assert 200 in sent  # and some got through: their bodies were checked too
        assert sent.count(401) < len(sent) / 10  # the token stayed valid
    assert not errors, "\n".join(errors)

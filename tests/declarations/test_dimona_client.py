"""The Dimona client against the local Dimona service: every documented outcome, the token,
and idempotence across retries and crashes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date

import httpx
import pytest

from adapters.errors import DeclarationRefused, PermanentAdapterError
from adapters.social_security.declarations import SocialSecurityByJurisdiction
from adapters.social_security.dimona import DimonaClient
from adapters.social_security.dimona_auth import (
    ClientAssertionTokenProvider,
    ClientSecretTokenProvider,
)
from adapters.social_security.dimona_models import (
    DimonaOutcomeUnknown,
    DimonaRefused,
    DimonaStillWaiting,
    DimonaSubmission,
    DimonaUnavailable,
    DimonaWorker,
)
from adapters.social_security.dimona_store import FileSubmissionStore, main
from adapters.social_security.local_register import LocalSocialSecurity
from tests.declarations.conftest import INSS_OK, declaration
from tests.declarations.fake_dimona import (
    CLIENT_ID,
    CLIENT_SECRET,
    REFUSED,
    WARNING,
    FakeDimona,
    Script,
)

MakeClient = Callable[..., DimonaClient]


def retryable(err: BaseException) -> bool:
    """What the activity lets Temporal retry: anything but a permanent adapter error."""
    return not isinstance(err, PermanentAdapterError)


async def test_accepted_in_posts_the_documented_body_and_polls_to_a(
    make_client: MakeClient, dimona: FakeDimona
) -> None:
    receipt = await make_client().declare(declaration())

    [sent] = dimona.declarations.values()
    assert receipt.status == "accepted"
    assert receipt.created is True
    assert receipt.reference == f"DIMONA-IN-{sent.number}"
    assert sent.body == {
        "employer": {"nssoRegistrationNumber": 1234567},
        "worker": {"ssin": INSS_OK},
        "dimonaIn": {
            "startingDate": "2026-03-02",
            "endingDate": "2026-03-20",
            "dimonaFeatures": {"jointCommissionNumber": "200", "workerType": "OTH"},
        },
    }
    assert sent.gets == 2  # one 404 (not processed yet), then the result
    assert len(dimona.token_requests) == 1


async def test_accepted_with_warning(make_client: MakeClient, dimona: FakeDimona) -> None:
    dimona.scripts[INSS_OK] = WARNING
    receipt = await make_client().declare(declaration())
    assert receipt.status == "accepted_with_warning"


async def test_refused_is_permanent_with_the_anomalies_then_ops_retry_declares_anew(
    make_client: MakeClient, dimona: FakeDimona, workers: dict[str, DimonaWorker]
) -> None:
    bad_inss = "12345678901"
    workers["7"] = DimonaWorker(ssin=bad_inss)
    dimona.scripts[bad_inss] = REFUSED
    client = make_client()

    with pytest.raises(DimonaRefused) as refused:
        await client.declare(declaration())
    assert isinstance(refused.value, DeclarationRefused)  # → PermanentError in the activity
    assert not retryable(refused.value)
    assert refused.value.anomalies == (("00024-002", "INSS inconnu"),)
    assert "00024-002" in str(refused.value)

    # Ops corrects the member's national number and retries the step: a new declaration.
    workers["7"] = DimonaWorker(ssin=INSS_OK)
    receipt = await client.declare(declaration())
    assert receipt.status == "accepted"
    assert len(dimona.declarations) == 2


async def test_waiting_for_identification_keeps_polling_until_accepted(
    make_client: MakeClient, dimona: FakeDimona
) -> None:
    dimona.scripts[INSS_OK] = Script(waiting_polls=3)
    receipt = await make_client().declare(declaration())
    [sent] = dimona.declarations.values()
    assert receipt.status == "accepted"
    assert sent.gets == 5  # 404, S, S, S, A


async def test_still_waiting_at_poll_timeout_is_retryable_and_the_retry_does_not_post_again(
    make_client: MakeClient, dimona: FakeDimona
) -> None:
    dimona.scripts[INSS_OK] = Script(waiting_polls=30)
    client = make_client(poll_interval=0.01, poll_timeout=0.1)

    with pytest.raises(DimonaStillWaiting) as waiting:
        await client.declare(declaration())
    assert retryable(waiting.value)

    patient = make_client(poll_interval=0.01, poll_timeout=5.0)
    receipt = await patient.declare(declaration())
    assert receipt.status == "accepted"
    assert receipt.created is False  # an earlier attempt posted it
    assert len(dimona.declarations) == 1


async def test_503_once_is_retryable_and_the_retry_posts(
    make_client: MakeClient, dimona: FakeDimona, store: FileSubmissionStore
) -> None:
    dimona.scripts[INSS_OK] = Script(post_failures=1)
    client = make_client()

    with pytest.raises(DimonaUnavailable) as unavailable:
        await client.declare(declaration())
    assert retryable(unavailable.value)
    assert await store.get("order-42-start") is None  # certainly not received: claim freed

    receipt = await client.declare(declaration())
    assert receipt.status == "accepted"
    assert len(dimona.declarations) == 1


async def test_slow_answer_times_out_retryably_and_the_retry_resumes_polling(
    make_client: MakeClient, dimona: FakeDimona
) -> None:
    dimona.scripts[INSS_OK] = Script(not_processed_polls=0, slow_gets=1, slow_seconds=1.0)
    client = make_client(request_timeout=0.2)

    with pytest.raises(DimonaUnavailable) as timed_out:
        await client.declare(declaration())
    assert retryable(timed_out.value)

    receipt = await client.declare(declaration())
    assert receipt.status == "accepted"
    assert len(dimona.declarations) == 1


async def test_unreachable_service_is_retryable_and_leaves_no_claim(
    make_client: MakeClient, dimona: FakeDimona, store: FileSubmissionStore
) -> None:
    await dimona.stop()
    with pytest.raises(DimonaUnavailable):
        await make_client().declare(declaration())
    assert await store.get("order-42-start") is None


class CrashingStore(FileSubmissionStore):
    """Dies when recording the number, as a worker killed right after the 201 would."""

    async def save(self, submission: DimonaSubmission) -> None:
        if submission.state == "posted":
            raise SystemExit("worker killed")
        await super().save(submission)


async def test_crash_between_post_and_record_never_declares_twice(
    make_client: MakeClient, dimona: FakeDimona, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    crashing = CrashingStore(tmp_path / "dimona")
    with pytest.raises(SystemExit):
        await make_client(store=crashing).declare(declaration())
    assert len(dimona.declarations) == 1

    # The retry (a new worker, after the grace period) cannot know whether ONSS has it.
    later = FileSubmissionStore(tmp_path / "dimona")
    retry = make_client(store=later, wall_clock=lambda: 4_000_000_000.0)
    with pytest.raises(DimonaOutcomeUnknown) as unknown:
        await retry.declare(declaration())
    assert not retryable(unknown.value)
    assert len(dimona.declarations) == 1  # nothing posted again

    # Ops finds the declaration in the portal and resolves the key with its number.
    [number] = dimona.declarations
    command = ["resolve", str(tmp_path / "dimona"), "order-42-start", str(number)]
    await asyncio.to_thread(main, command)  # the ops command, as run from a shell
    receipt = await retry.declare(declaration())
    assert receipt.reference == f"DIMONA-IN-{number}"
    assert len(dimona.declarations) == 1


async def test_a_fresh_claim_is_left_to_the_attempt_that_holds_it(
    make_client: MakeClient, dimona: FakeDimona, store: FileSubmissionStore
) -> None:
    claim = DimonaSubmission(
        declaration_key="order-42-start",
        fingerprint="x",
        order_id="42",
        kind="start",
        state="posting",
        claimed_at=1_000.0,
    )
    await store.claim(claim)
    client = make_client(wall_clock=lambda: 1_001.0)
    with pytest.raises(PermanentAdapterError, match="different declaration"):
        await client.declare(declaration())
    await store.save(claim.model_copy(update={"fingerprint": _fingerprint()}))
    with pytest.raises(DimonaUnavailable, match="another attempt"):
        await client.declare(declaration())
    assert dimona.declarations == {}


def _fingerprint() -> str:
    import hashlib

    return hashlib.sha256(declaration().model_dump_json().encode()).hexdigest()


async def test_declaring_a_key_again_returns_the_stored_receipt(
    make_client: MakeClient, dimona: FakeDimona
) -> None:
    client = make_client()
    first = await client.declare(declaration())
    requests = len(dimona.requests)
    again = await client.declare(declaration())
    assert again == first.model_copy(update={"created": False})
    assert len(dimona.requests) == requests  # answered from the record, no call at all


async def test_out_closes_the_period_of_the_accepted_in(
    make_client: MakeClient, dimona: FakeDimona
) -> None:
    client = make_client()
    await client.declare(declaration())
    receipt = await client.declare(
        declaration(declaration_key="order-42-end", kind="end", period_end=date(2026, 3, 18))
    )
    in_decl, out_decl = dimona.declarations.values()
    assert receipt.reference == f"DIMONA-OUT-{out_decl.number}"
    assert out_decl.body == {
        "dimonaOut": {"periodId": in_decl.period_id, "endingDate": "2026-03-18"}
    }


async def test_out_without_an_accepted_in_is_refused_before_sending(
    make_client: MakeClient, dimona: FakeDimona
) -> None:
    with pytest.raises(DeclarationRefused, match="no accepted Dimona IN"):
        await make_client().declare(declaration(declaration_key="order-9-end", kind="end"))
    assert dimona.declarations == {}


async def test_member_without_national_number_is_refused_before_sending(
    make_client: MakeClient, dimona: FakeDimona
) -> None:
    with pytest.raises(DeclarationRefused, match="national number"):
        await make_client().declare(declaration(member_id="8"))
    assert dimona.declarations == {}


async def test_only_belgian_declarations(make_client: MakeClient) -> None:
    with pytest.raises(PermanentAdapterError, match="Belgian"):
        await make_client().declare(declaration(jurisdiction="DE"))


async def test_token_is_cached_and_renewed_after_a_401(
    make_client: MakeClient, dimona: FakeDimona
) -> None:
    client = make_client()
    await client.declare(declaration())
    dimona.expire_tokens()  # the server forgets it: the next call gets 401 and renews
    await client.declare(
        declaration(declaration_key="order-43-start", order_id="43", period_start=date(2026, 3, 9))
    )
    assert len(dimona.token_requests) == 2
    assert {form["grant_type"] for form in dimona.token_requests} == {"client_credentials"}


async def test_client_assertion_token_provider_speaks_the_real_flow(
    make_client: MakeClient, dimona: FakeDimona
) -> None:
    # The real key signs RS256; the local service checks the claims, not the signature.
    provider = ClientAssertionTokenProvider(dimona.token_url, CLIENT_ID, sign=lambda _: b"sig")
    receipt = await make_client(token_provider=provider).declare(declaration())
    assert receipt.status == "accepted"
    [form] = dimona.token_requests
    assert form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    assert "client_secret" not in form


async def test_wrong_client_secret_is_permanent(
    make_client: MakeClient, dimona: FakeDimona
) -> None:
    provider = ClientSecretTokenProvider(dimona.token_url, CLIENT_ID, "wrong")
    with pytest.raises(PermanentAdapterError, match="refused the client"):
        await make_client(token_provider=provider).declare(declaration())
    assert dimona.declarations == {}


async def test_ops_may_answer_that_onss_never_received_it(
    make_client: MakeClient, dimona: FakeDimona, store: FileSubmissionStore
) -> None:
    claim = DimonaSubmission(
        declaration_key="order-42-start",
        fingerprint=_fingerprint(),
        order_id="42",
        kind="start",
        state="posting",
        claimed_at=0.0,
    )
    await store.claim(claim)
    client = make_client()
    with pytest.raises(DimonaOutcomeUnknown):
        await client.declare(declaration())
    await client.resolve_unknown("order-42-start", None)
    assert (await client.declare(declaration())).created is True
    assert len(dimona.declarations) == 1


async def test_jurisdiction_router_sends_belgian_declarations_to_dimona(
    make_client: MakeClient, dimona: FakeDimona, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    register = LocalSocialSecurity(tmp_path / "register", today=lambda: date(2026, 3, 1))
    router = SocialSecurityByJurisdiction({"BE": make_client(), "DE": register})
    be = await router.declare(declaration())
    de = await router.declare(declaration(declaration_key="order-43-start", jurisdiction="DE"))
    assert be.reference.startswith("DIMONA-IN-")
    assert de.reference.startswith("DEUEV-10-")
    assert len(dimona.declarations) == 1


async def test_token_is_renewed_shortly_before_it_expires(dimona: FakeDimona) -> None:
    now = [0.0]
    provider = ClientSecretTokenProvider(
        dimona.token_url, CLIENT_ID, CLIENT_SECRET, clock=lambda: now[0]
    )
    async with httpx.AsyncClient() as http:
        first = await provider.token(http)
        now[0] = dimona.token_lifetime_s - 31.0
        assert await provider.token(http) == first  # still cached
        now[0] = dimona.token_lifetime_s - 29.0  # inside the 30 s safety margin
        assert await provider.token(http) != first
    assert len(dimona.token_requests) == 2

"""What every answer carries and what a request may cost: security headers, a bounded body,
rate limits on login, signing and pay links and on failed tokens, and /docs without a CDN."""

from __future__ import annotations

import httpx

from api.security import MAX_BODY_BYTES
from tests.api.api_helpers import ADMIN, bearer, create_member, signing_path, submitted_order
from tests.api.test_api_basics import assert_problem


async def test_every_answer_carries_the_security_headers(api: httpx.AsyncClient) -> None:
    _, token = await create_member(api)
    for response in (
        await api.get("/members", headers=ADMIN),
        await api.get("/finance"),
        await api.get("/orders/1", headers=bearer("wrong")),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["cache-control"] == "no-store"
        csp = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp
        assert "script-src" not in csp  # our pages run no script at all


async def test_a_signing_page_is_neither_cached_nor_framed_nor_referred(
    api: httpx.AsyncClient,
) -> None:
    _, order = await submitted_order(api)
    page = await api.get(signing_path(order))
    assert page.status_code == 200
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in page.headers["content-security-policy"]


async def test_a_body_over_the_limit_is_refused_unread(api: httpx.AsyncClient) -> None:
    big = b"{" + b" " * (MAX_BODY_BYTES + 1) + b"}"
    response = await api.post(
        "/members", content=big, headers=ADMIN | {"content-type": "application/json"}
    )
    assert_problem(response, 413, "payload-too-large")

    async def chunks():  # type: ignore[no-untyped-def]  # no Content-Length: counted as it comes
        for _ in range(20):
            yield b" " * (MAX_BODY_BYTES // 10)

    response = await api.post(
        "/members", content=chunks(), headers=ADMIN | {"content-type": "application/json"}
    )
    assert_problem(response, 413, "payload-too-large")


async def test_finance_logins_are_rate_limited(api: httpx.AsyncClient) -> None:
    answers = [
        (await api.post("/finance/login", data={"token": f"guess-{i}"})).status_code
        for i in range(8)
    ]
    assert 429 in answers
    assert answers[:5].count(429) == 0  # a person who mistyped a few times is not locked out
    limited = await api.post("/finance/login", data={"token": "guess"})
    body = assert_problem(limited, 429, "too-many-requests")
    assert "finance login" in body["detail"]
    assert int(limited.headers["retry-after"]) >= 1


async def test_docs_are_served_without_a_cdn(api: httpx.AsyncClient) -> None:
    for path in ("/docs", "/redoc"):
        page = await api.get(path)
        assert page.status_code == 200
        assert "cdn" not in page.text.lower()
        assert "/docs-assets/" in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
        response = await api.get(f"/docs-assets/{asset}")
        assert response.status_code == 200
        assert len(response.content) > 100_000


async def test_the_openapi_document_names_the_error_answers(api: httpx.AsyncClient) -> None:
    spec = (await api.get("/openapi.json")).json()
    operations = [op for path in spec["paths"].values() for op in path.values()]
    assert len(operations) > 20
    for operation in operations:
        for status in ("401", "404", "409", "422", "429"):
            content = operation["responses"][status]["content"]
            assert "application/problem+json" in content, (operation["operationId"], status)

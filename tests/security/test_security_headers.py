"""Security headers on the answers the access matrix does not send (unknown paths, wrong
methods, docs assets) and the desk cookie's attributes over http and https. The matrix checks
the headers of every answer it gets (``header_problems``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from config import Settings
from tests.api.api_helpers import ADMIN, finance_token
from tests.security.headers import header_problems


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/no-such-page"),
        ("DELETE", "/health"),  # 405
        ("GET", "/docs-assets/swagger-ui.css"),
        ("GET", "/docs"),
        ("GET", "/openapi.json"),
        ("GET", "/finance"),
        ("GET", "/pay/unknown-token"),
        ("GET", "/sign/unknown-token"),
        ("GET", "/orders/not-a-number"),  # 422 before any handler
    ],
)
async def test_every_answer_carries_the_security_headers(
    api: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await api.request(method, path, headers=ADMIN)
    assert header_problems(response) == []


async def test_header_problems_sees_a_missing_header() -> None:
    bare = httpx.Response(
        200, headers=[("set-cookie", "a=b; Path=/")], request=httpx.Request("GET", "https://x/")
    )
    problems = " ".join(header_problems(bare))
    for lacking in ("frame-ancestors", "nosniff", "X-Frame-Options", "HttpOnly", "Secure"):
        assert lacking in problems


@pytest.fixture
async def https_app(settings: Settings, app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The same app behind https, as production runs it (``public_base_url`` says so)."""
    secure = create_app(settings)
    started = app.state.resources  # the started app's database and Temporal
    config = replace(started.config, public_base_url="https://testserver")
    secure.state.resources = replace(started, config=config)
    transport = httpx.ASGITransport(app=secure)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        yield client


async def _desk_cookies(api: httpx.AsyncClient, token: str) -> tuple[str, str]:
    """The Set-Cookie of a desk log-in and of the log-out after it."""
    login = await api.post("/finance/login", data={"token": token})
    assert login.status_code == 303, login.text
    desk = await api.get("/finance")
    csrf = desk.text.split("name='csrf' value='")[1].split("'")[0]
    logout = await api.post("/finance/logout", data={"csrf": csrf})
    assert logout.status_code == 303, logout.text
    return login.headers["set-cookie"], logout.headers["set-cookie"]


async def test_the_desk_cookie_is_httponly_strict_and_secure_over_https(
    api: httpx.AsyncClient, https_app: httpx.AsyncClient
) -> None:
    token = await finance_token(api)
    for client, secure in ((api, False), (https_app, True)):
        for cookie in await _desk_cookies(client, token):
            attributes = [a.strip().lower() for a in cookie.split(";")]
            assert attributes[0].startswith("coopflow_desk=")
            assert {"httponly", "samesite=strict", "path=/finance"} <= set(attributes)
            assert ("secure" in attributes) is secure

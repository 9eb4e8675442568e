"""The access matrix: every route of the app (the OpenAPI operations and the HTML pages) × every
role (anonymous, member A, member B, finance, admin) on member A's resources, checked against
the route table in ``access_rules.py``.

A stranger gets 401; member B never gets a 2xx on A's resources and never sees A's data in any
answer; members never reach staff routes; finance and admin reach theirs; a link token opens
its page whoever holds it and a wrong one opens nothing. A route without an entry in the table
fails ``test_every_route_has_an_access_rule``. Every answer also carries the security headers
(``headers.header_problems``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from config import Settings
from tests.security.access_rules import ACCESS, ROLES, Access, Role, allowed
from tests.security.headers import header_problems
from tests.security.matrix_world import Request, World, build_world


def route_keys(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route the app answers, schema or not (HEAD aside)."""
    keys: set[tuple[str, str]] = set()
    for route in iter_route_contexts(app.routes):
        methods = route.methods or {"GET"}  # a mount (the docs' assets) serves files
        keys |= {(method, str(route.path)) for method in methods if method != "HEAD"}
    return keys


def openapi_keys(app: FastAPI) -> set[tuple[str, str]]:
    paths: dict[str, dict[str, Any]] = app.openapi()["paths"]
    return {(method.upper(), path) for path, ops in paths.items() for method in ops}


def test_every_route_has_an_access_rule(app: FastAPI) -> None:
    routes = route_keys(app)
    assert routes - ACCESS.keys() == set(), "give each new route an entry in access_rules.py"
    assert ACCESS.keys() - routes == set(), "entries for routes that are gone"
    assert openapi_keys(app) <= routes
    assert len(routes) > len(openapi_keys(app))  # the HTML pages are in too


def test_a_new_route_without_a_rule_is_caught(settings: Settings) -> None:
    from api.app import create_app

    app = create_app(settings)

    @app.get("/orders/{order_id}/secret")
    async def secret(order_id: int) -> dict[str, int]:
        return {"order_id": order_id}

    assert route_keys(app) - ACCESS.keys() == {("GET", "/orders/{order_id}/secret")}


@dataclass(frozen=True)
class Case:
    method: str
    route: str
    role: Role
    holds: str  # what the caller holds: "A's resource", "A's link", "a wrong link"
    request: Request


@dataclass(frozen=True)
class Answer:
    case: Case
    status: int
    problem: str  # "" when the answer is as the table says


def _cases(world: World, method: str, path: str, access: Access) -> list[Case]:
    """The route's cases in the order they run: refusals first, then the callers let through
    (an owner's action may end what a later refusal would look at)."""
    roles = sorted(ROLES, key=lambda role: allowed(access, role))
    cases = []
    for role in roles:
        request = world.request(method, path, access, role)
        if access.rule == "capability-token":
            wrong = world.with_wrong_link(request)
            cases.append(Case(method, path, role, "a wrong link", wrong))
        else:
            cases.append(Case(method, path, role, "A's resource", request))
    if access.rule == "capability-token":
        for role in ROLES:
            request = world.request(method, path, access, role)
            cases.append(Case(method, path, role, "A's link", request))
    return cases


def _holds_a_data(world: World, body: Any) -> bool:
    """Whether a JSON answer carries a row of member A's (its ``member_id``)."""
    if isinstance(body, dict):
        if body.get("member_id") == world.member_a["id"]:
            return True
        return any(_holds_a_data(world, value) for value in body.values())
    if isinstance(body, list):
        return any(_holds_a_data(world, item) for item in body)
    return False


def _names_a(world: World, response: httpx.Response) -> bool:
    """Whether an answer on A's resource is about it (the path's id opened A's, not another)."""
    if not response.headers.get("content-type", "").startswith("application/json"):
        return response.content.startswith(b"%PDF")  # the payslip PDF world wrote for A
    body = response.json()
    rows = body if isinstance(body, list) else [body]
    order = world.ids["order_id"]
    return bool(rows) and all(
        world.mark in str(row) or _holds_a_data(world, row) or row.get("order_id") == order
        for row in rows
    )


def judge(world: World, case: Case, response: httpx.Response) -> str:
    """What is wrong with the answer, or ""."""
    missing = header_problems(response)
    if missing:
        return "HEADERS: " + "; ".join(missing)
    access = ACCESS[(case.method, case.route)]
    status = response.status_code
    stranger = case.role in ("anonymous", "member B")
    if (stranger and access.rule != "capability-token") or case.holds == "a wrong link":
        if world.mark in response.text:
            return f"LEAK: {status} shows A's data"
        if response.headers.get("content-type", "").startswith("application/json"):
            if _holds_a_data(world, response.json()):
                return f"LEAK: {status} holds a row of A's"
    exact = access.expected(case.role)
    if exact is not None and status != exact:
        return f"expected {exact}, got {status}"
    if case.holds == "a wrong link":
        refused = status in access.refused or status in (400, 404)  # malformed or unknown
        return "" if refused else f"wrong link got {status}"
    if allowed(access, case.role):
        if status not in access.reached:
            return f"not reached: {status} {response.text[:200]}"
        if access.rule == "owner-or-staff" and case.method == "GET" and status == 200:
            return "" if _names_a(world, response) else "200 without A's resource in it"
        return ""
    if 200 <= status < 300:
        return f"LEAK: refused role got {status}"
    no_session = (access.desk or access.me) and world.session_for(access, case.role) is None
    if case.role == "anonymous" or no_session:
        return "" if status == 401 else f"expected 401, got {status}"
    return "" if status in access.refused - {401} else f"expected a refusal, got {status}"


async def run_matrix(api: httpx.AsyncClient, world: World) -> list[Answer]:
    answers = []
    for (method, path), access in ACCESS.items():
        for case in _cases(world, method, path, access):
            api.cookies.clear()  # each case carries exactly its role's credentials
            r = case.request
            response = await api.request(
                r.method, r.path, headers=r.headers, json=r.json, content=r.content, data=r.data
            )
            answers.append(Answer(case, response.status_code, judge(world, case, response)))
    return answers


async def test_access_matrix(
    api: httpx.AsyncClient,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    started = time.perf_counter()
    world = await build_world(api, session_factory, settings)
    answers = await run_matrix(api, world)
    wrong = [a for a in answers if a.problem]
    leaks = [a for a in wrong if a.problem.startswith("LEAK")]
    routes = len(ACCESS)
    print(  # noqa: T201 - the matrix's figures, shown with -s
        f"\naccess matrix: {routes} routes × {len(ROLES)} roles, {len(answers)} requests "
        f"({len(answers) - routes * len(ROLES)} with a wrong link), {len(leaks)} leaks, "
        f"{len(wrong)} wrong answers, {time.perf_counter() - started:.1f} s"
    )
    assert not wrong, "\n".join(
        f"{a.case.role} {a.case.method} {a.case.route} ({a.case.holds}): {a.problem}" for a in wrong
    )
    assert len(answers) == routes * len(ROLES) + len(ROLES) * sum(
        access.rule == "capability-token" for access in ACCESS.values()
    )

"""The world the access matrix knocks in: member A with one of each resource (client, submitted
order with its signing link, invoice with its pay link, payslip, finance case, a spare token),
member B with a client of its own, a finance user, the admin, a bank statement and its line,
and desk sessions for finance and admin. Every request the matrix sends is built here: the
path filled with A's ids, a body valid for the route, the role's credentials."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.documents.payslip_pdf import payslip_pdf_path
from config import Settings
from db import member_login_links, pay_link_tokens
from db.models_banking import BankTransaction
from dev.bank_files import Txn, camt053_bytes, pain002_bytes
from tests.api.api_helpers import (
    ADMIN,
    ADMIN_TOKEN,
    bearer,
    create_client,
    create_member,
    create_order,
    finance_token,
    signing_path,
)
from tests.api.api_rows import insert_case, insert_invoice, insert_payslip
from tests.security.access_rules import Access, Role

XML = {"content-type": "application/xml"}
WRONG_LINK_TOKEN = "not-a-link-token-0123456789abcdef"
DESK_COOKIE = "coopflow_desk"
ME_COOKIE = "coopflow_me"
EMPLOYMENT = {
    "tax_class": 1,
    "federal_state": "BY",
    "church_member": False,
    "health_fund": "AOK Bayern",
    "health_fund_additional_rate": "0.027",
    "birth_year": 1985,
}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None
    content: bytes | None = None
    data: dict[str, str] | None = None


@dataclass
class DeskLogin:
    cookie: str
    csrf: str


@dataclass
class World:
    mark: str  # in A's client name and order description: never in an answer to B or a stranger
    member_a: dict[str, Any]
    member_b: dict[str, Any]
    tokens: dict[Role, str]
    ids: dict[str, int]
    sign_token: str
    pay_token: str
    magic_token: str  # member A's e-mailed log-in link
    invoice_number: str
    webhook_secret: str
    desk: dict[Role, DeskLogin]
    me: dict[Role, DeskLogin]  # sessions on the member's pages (/me)

    def session_for(self, access: Access, role: Role) -> DeskLogin | None:
        """The role's session on the route's pages: the member's (/me) or the desk's."""
        return (self.me if access.me else self.desk).get(role)

    def fill(self, path: str) -> str:
        """The route's path with A's resources in it."""
        if path == "/docs-assets":
            return "/docs-assets/swagger-ui.css"
        token = self.sign_token if path.startswith("/sign/") else self.pay_token
        token = self.magic_token if path.startswith("/me/magic/") else token
        path = path.replace("{token}", token)
        return re.sub(r"\{(\w+)\}", lambda m: str(self.ids[m.group(1)]), path)

    def request(self, method: str, path: str, access: Access, role: Role) -> Request:
        """The request ``role`` sends to the route (``path`` as in the route table)."""
        url = self.fill(path)
        headers: dict[str, str] = {}
        login = self.session_for(access, role)
        if access.desk or access.me:
            if login is not None:
                cookie = ME_COOKIE if access.me else DESK_COOKIE
                headers["cookie"] = f"{cookie}={login.cookie}"
        elif role != "anonymous":
            headers |= bearer(self.tokens[role])
        csrf = login.csrf if login is not None else ""
        return self._with_body(method, path, url, headers, role, csrf)

    def with_wrong_link(self, request: Request) -> Request:
        """The same request holding a link token (or webhook signature) that opens nothing."""
        if request.path.startswith("/webhooks/"):
            headers = request.headers | {"stripe-signature": "t=1,v1=" + "0" * 64}
            return Request(request.method, request.path, headers, request.json, request.content)
        path = request.path.replace(self.sign_token, WRONG_LINK_TOKEN)
        path = path.replace(self.pay_token, WRONG_LINK_TOKEN)
        path = path.replace(self.magic_token, WRONG_LINK_TOKEN)
        return Request(
            request.method, path, request.headers, request.json, request.content, request.data
        )

    def _with_body(
        self, method: str, path: str, url: str, headers: dict[str, str], role: Role, csrf: str
    ) -> Request:
        today = date.today().isoformat()
        unique = uuid.uuid4().hex[:8]
        bodies: dict[tuple[str, str], dict[str, Any]] = {
            ("POST", "/members"): {
                "name": "Grace Hopper",
                "email": f"grace-{unique}@example.org",
                "jurisdiction": "DE",
                "iban": "DE89370400440532013000",
            },
            ("POST", "/finance-users"): {"name": f"Fiona {unique}"},
            ("PUT", "/members/{member_id}/employment"): EMPLOYMENT,
            ("PUT", "/members/{member_id}/bank-account"): {"iban": "DE89370400440532013000"},
            ("PUT", "/members/me/salary"): {"mode": "per_order"},
            ("POST", "/codec/decode"): {"payloads": []},
            ("POST", "/codec/encode"): {"payloads": []},
            ("POST", "/clients"): {
                "name": f"Client of {role} {unique}",
                "email": "billing@example.org",
                "country": "DE",
                "vat_id": "DE136695976",
            },
            ("POST", "/orders"): {
                "client_id": self.ids["client_id"],
                "description": "Another job",
                "period_start": "2030-01-07",
                "period_end": "2030-01-11",
                "net_amount_cents": 100000,
            },
            ("POST", "/orders/{order_id}/expenses"): {
                "description": "Train ticket",
                "amount_cents": 4200,
                "incurred_on": today,
            },
            ("POST", "/orders/{order_id}/complete"): {
                "actual_start": today,
                "actual_end": today,
                "work_days": 1,
            },
            ("POST", "/orders/{order_id}/cancel"): {"reason": "matrix"},
            ("POST", "/sign/{token}"): {"decision": "accept", "signer_name": "Charles Babbage"},
            ("POST", "/payments"): {
                "order_id": self.ids["order_id"],
                "amount_cents": 100,
                "received_on": today,
                "payment_key": f"matrix-{unique}",
            },
            ("POST", "/finance/cases/{case_id}/decision"): {
                "kind": "extend",
                "new_due_date": "2030-01-31",
                "note": "matrix",
            },
            ("POST", "/finance/cases/{case_id}/refund"): {
                "amount_cents": 100,
                "refunded_on": today,
                "refund_key": f"matrix-{unique}",
            },
            ("POST", "/finance/orders/{order_id}/credit-note"): {"reason": "matrix check"},
            ("POST", "/finance/bank-lines/{line_id}/assign"): {
                "allocations": [{"invoice_number": self.invoice_number, "amount_cents": 700}],
                "note": "matrix",
            },
            ("POST", "/finance/bank-lines/{line_id}/dismiss"): {
                "outcome": "not_ours",
                "note": "matrix",
            },
        }
        forms: dict[tuple[str, str], dict[str, str]] = {
            ("POST", "/finance/login"): {"token": self.tokens.get(role, "")},
            ("POST", "/finance/logout"): {"csrf": csrf},
            ("POST", "/finance/cases/{case_id}/decide"): {
                "kind": "extend",
                "new_due_date": "2030-01-31",
                "note": "matrix",
                "csrf": csrf,
                "confirmed": "yes",
            },
            ("POST", "/finance/desk/bank-lines/{line_id}/assign"): {
                "invoice_1": self.invoice_number,
                "amount_1": "7.00",
                "note": "matrix",
                "csrf": csrf,
            },
            ("POST", "/finance/desk/bank-lines/{line_id}/accept"): {"csrf": csrf},
            ("POST", "/finance/desk/cases/{case_id}/notes"): {"text": "matrix", "csrf": csrf},
            ("POST", "/finance/desk/bank-lines/{line_id}/dismiss"): {
                "outcome": "not_ours",
                "note": "matrix",
                "csrf": csrf,
            },
            ("POST", "/me/login"): {"token": self.tokens.get(role, "")},
            ("POST", "/me/magic-link"): {"email": "nobody@example.org"},
            ("POST", "/me/logout"): {"csrf": csrf},
            # B names A's client: refused as an unknown client (422), as on the JSON API.
            ("POST", "/me/orders"): {
                "client_id": str(self.ids["client_id"]),
                "description": "Another job",
                "period_start": "2030-01-07",
                "period_end": "2030-01-11",
                "net_eur": "1000.00",
                "csrf": csrf,
            },
            ("POST", "/me/salary"): {"mode": "per_order", "csrf": csrf},
            ("POST", "/me/clients"): {
                "name": "Client of whoever posts",
                "email": "ap@client.example",
                "country": "DE",
                "is_business": "yes",
                "language": "de",
                "csrf": csrf,
            },
            ("POST", "/me/orders/{order_id}/submit"): {"csrf": csrf},
            ("POST", "/me/orders/{order_id}/complete"): {
                "actual_start": today,
                "actual_end": today,
                "work_days": "1",
                "csrf": csrf,
            },
            ("POST", "/finance/cases/{case_id}/refunded"): {
                "amount_eur": "1.00",
                "refunded_on": today,
                "csrf": csrf,
                "reference": "matrix",
            },
        }
        key = (method, path)
        if key in bodies:
            return Request(method, url, headers, json=bodies[key])
        if key in forms:
            return Request(method, url, headers, data=forms[key])
        if key == ("POST", "/finance/bank-statements"):
            return Request(method, url, headers | XML, content=_statement())
        if key == ("POST", "/finance/payment-status-reports"):
            report = pain002_bytes(original_message_id="matrix-unknown", group_status="ACCP")
            return Request(method, url, headers | XML, content=report)
        if key == ("POST", "/webhooks/stripe"):
            return self._webhook(url, headers, role)
        return Request(method, url, headers)

    def _webhook(self, url: str, headers: dict[str, str], role: Role) -> Request:
        """An event signed with the endpoint's secret: the webhook's capability."""
        event = {
            "id": f"evt_matrix_{uuid.uuid4().hex[:12]}",
            "object": "event",
            "type": "customer.created",
            "data": {"object": {"id": "cus_matrix", "object": "customer"}},
        }
        payload = json.dumps(event)
        stamp = int(time.time())
        mac = hmac.new(
            self.webhook_secret.encode(), f"{stamp}.{payload}".encode(), hashlib.sha256
        ).hexdigest()
        signed = headers | {
            "content-type": "application/json",
            "stripe-signature": f"t={stamp},v1={mac}",
        }
        return Request("POST", url, signed, content=payload.encode())


def _statement() -> bytes:
    return camt053_bytes(
        statement_id="STMT-MATRIX",
        opening_cents=1_000_000,
        entries=[Txn(700, counterparty_name="ACME", account_servicer_ref="M1")],
        statement_date=date(2026, 12, 5),
    )


async def build_world(
    api: httpx.AsyncClient,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> World:
    mark = f"mark{uuid.uuid4().hex[:10]}"
    member_a, token_a = await create_member(api, name=f"Ada {mark}")
    member_b, token_b = await create_member(api, name="Bob Stranger")
    await create_client(api, token_b, name="Bob's client")
    client = await create_client(api, token_a, name=f"Client {mark}")
    order = await create_order(api, token_a, client["id"], description=f"Work {mark}")
    submitted = await api.post(f"/orders/{order['id']}/submit", headers=bearer(token_a))
    assert submitted.status_code == 200, submitted.text
    order = submitted.json()
    expense = await api.post(
        f"/orders/{order['id']}/expenses",
        headers=bearer(token_a),
        json={"description": "Ticket", "amount_cents": 990, "incurred_on": str(date.today())},
    )
    assert expense.status_code == 201, expense.text
    invoice_id = await insert_invoice(session_factory, order)
    async with session_factory() as session:
        link = await pay_link_tokens.payment_link(session, invoice_id)
        pay_token = await pay_link_tokens.mint(session, link.id)
        magic_token, _ = await member_login_links.mint(session, member_a["id"], datetime.now(UTC))
        await session.commit()
    invoice_pdf = settings.invoice_dir / f"DE-2026-{order['id']:05d}.pdf"
    invoice_pdf.parent.mkdir(parents=True, exist_ok=True)
    invoice_pdf.write_bytes(b"%PDF-1.4 invoice of member A")
    payslip_id = await insert_payslip(session_factory, order)
    pdf = payslip_pdf_path(settings.payslip_dir, "DE", date(2026, 6, 12), str(payslip_id))
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.write_bytes(b"%PDF-1.4 payslip of member A")
    employment = await api.put(
        f"/members/{member_a['id']}/employment", headers=ADMIN, json=EMPLOYMENT
    )
    assert employment.status_code == 200, employment.text
    case_id = await insert_case(session_factory, order["id"], invoice_id)
    spare = await api.post(f"/members/{member_a['id']}/tokens", headers=ADMIN)
    assert spare.status_code == 201, spare.text
    upload = await api.post("/finance/bank-statements", content=_statement(), headers=ADMIN | XML)
    assert upload.status_code == 201, upload.text
    async with session_factory() as session:  # as the matcher leaves a line it cannot place
        await session.execute(
            update(BankTransaction).values(status="unmatched", reason="no reference")
        )
        await session.commit()
        line_id = await session.scalar(select(BankTransaction.id))
    assert line_id is not None
    tokens: dict[Role, str] = {
        "member A": token_a,
        "member B": token_b,
        "finance": await finance_token(api),
        "admin": ADMIN_TOKEN,
    }
    return World(
        mark=mark,
        member_a=member_a,
        member_b=member_b,
        tokens=tokens,
        ids={
            "member_id": member_a["id"],
            "client_id": client["id"],
            "order_id": order["id"],
            "invoice_id": invoice_id,
            "payslip_id": payslip_id,
            "case_id": case_id,
            "token_id": spare.json()["token_id"],
            "statement_id": upload.json()["statement_id"],
            "line_id": line_id,
        },
        sign_token=signing_path(order).removeprefix("/sign/"),
        pay_token=pay_token,
        magic_token=magic_token,
        invoice_number=f"DE-2026-{order['id']:05d}",
        webhook_secret=settings.stripe_webhook_secret,
        desk={
            "finance": await desk_login(api, tokens["finance"]),
            "admin": await desk_login(api, ADMIN_TOKEN),
        },
        me={
            "member A": await me_login(api, token_a),
            "member B": await me_login(api, token_b),
        },
    )


async def desk_login(
    api: httpx.AsyncClient, token: str, pages: str = "/finance", cookie_name: str = DESK_COOKIE
) -> DeskLogin:
    """Log in on the finance desk (or the member's pages) as a browser does; the cookie is kept
    out of ``api``'s jar (each matrix request carries exactly the credentials of its role)."""
    api.cookies.clear()
    login = await api.post(f"{pages}/login", data={"token": token})
    assert login.status_code == 303, login.text
    cookie = login.cookies[cookie_name]
    api.cookies.clear()
    desk = await api.get(pages, headers={"cookie": f"{cookie_name}={cookie}"})
    found = re.search(r"name='csrf' value='([^']+)'", desk.text)
    assert found is not None, desk.text[:500]
    return DeskLogin(cookie, found.group(1))


async def me_login(api: httpx.AsyncClient, token: str) -> DeskLogin:
    return await desk_login(api, token, "/me", ME_COOKIE)

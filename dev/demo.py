"""Demo: seed members and clients, then run orders through every path over HTTP.

    python -m dev.demo [--timeout 900]

``make run`` with ``DEMO=1`` starts it once the API answers ``/health``. It talks to
``Settings.public_base_url`` with ``Settings.admin_token``, and needs demo time
(``COOPFLOW_SECONDS_PER_DAY=1``: a business day passes in about a second), so a whole lifecycle
with reminders and escalation takes a couple of minutes. Every run creates new members (unique
e-mails), so it can be run again; it stops by itself (each wait has a deadline) and exits 0 when
every order reached the outcome its path aims at.

Paths: paid on time, paid late after reminders, partial payments, escalated then written off,
escalated then paid (finance records the payment), cancelled before signature, offer expired,
rejected by the client.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Any

import httpx

from config import Settings, get_settings
from domain.money import format_eur

Json = dict[str, Any]
FINISHED = {"Closed"}  # invoice settled (paid or written off) and wage paid
RETRY_STATUSES = {502, 503, 504}


class DemoError(Exception):
    pass


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


@dataclass
class Api:
    http: httpx.AsyncClient
    seconds_per_day: float
    deadline: float

    async def call(self, method: str, path: str, token: str, body: Json | None = None) -> Any:
        """One request; transient failures are retried with the same Idempotency-Key."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if method == "POST":
            headers["Idempotency-Key"] = uuid.uuid4().hex
        for attempt in range(4):
            try:
                response = await self.http.request(method, path, json=body, headers=headers)
            except httpx.TransportError as exc:
                if attempt == 3:
                    raise DemoError(f"{method} {path}: {exc}") from exc
            else:
                if response.status_code not in RETRY_STATUSES or attempt == 3:
                    break
            await asyncio.sleep(2 * (attempt + 1))
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise DemoError(f"{method} {path} → {response.status_code}: {detail}")
        return response.json()

    async def view(self, order_id: int, token: str) -> Json:
        order: Json = await self.call("GET", f"/orders/{order_id}", token)
        return order.get("view") or {}

    async def wait_view(
        self,
        order_id: int,
        token: str,
        what: str,
        done: Callable[[Json], bool],
        business_days: float,
    ) -> Json:
        """Poll the live state until ``done``; give up after ``business_days`` of demo time."""
        limit = min(time.monotonic() + business_days * self.seconds_per_day + 20, self.deadline)
        view: Json = {}
        while time.monotonic() < limit:
            view = await self.view(order_id, token)
            if view and done(view):
                return view
            await asyncio.sleep(min(0.5, self.seconds_per_day / 2))
        raise DemoError(f"gave up waiting for {what} (last state: {view.get('status', '?')})")


@dataclass
class Cast:
    members: list[tuple[Json, str]]  # (member, token)
    clients: dict[str, Json]  # by short name, each belongs to the member in client["_token"]
    finance: str


async def wait_for_api(http: httpx.AsyncClient, seconds: float = 60) -> None:
    limit = time.monotonic() + seconds
    while True:
        try:
            if (await http.get("/health")).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > limit:
            raise DemoError(f"the API at {http.base_url} does not answer /health")
        await asyncio.sleep(1)


async def seed(api: Api, admin: str, run: str) -> Cast:
    people = [
        ("Ada Lovelace", "DE", "en", "DE89370400440532013000", None),
        ("Lieven Gevaert", "BE", "nl", "BE68539007547034", "GKCCBEBB"),
        ("Marie Curie", "BE", "fr", "BE68539007547034", "GKCCBEBB"),
    ]
    members: list[tuple[Json, str]] = []
    for name, jurisdiction, language, iban, bic in people:
        email = f"{name.split()[0].lower()}.{run}@demo.coopflow.example"
        body = {"name": name, "email": email, "jurisdiction": jurisdiction, "language": language}
        created = await api.call("POST", "/members", admin, body | {"iban": iban, "bic": bic})
        members.append((created["member"], created["token"]))
        say(f"member {created['member']['id']}: {name} ({jurisdiction})")
        if jurisdiction == "DE":
            # Exact German payroll needs the employment record; the Belgian members stay on
            # provisional payroll (the work bonus for low wages is not computed yet).
            await api.call(
                "PUT",
                f"/members/{created['member']['id']}/employment",
                admin,
                {
                    "tax_class": 1,
                    "federal_state": "BE",
                    "health_fund": "Techniker Krankenkasse",
                    "health_fund_additional_rate": "0.029",
                    "birth_year": 1990,
                    "children": 1,
                    "children_under_25": 1,
                },
            )
    ada, lieven, marie = (token for _, token in members)
    specs: list[tuple[str, str, Json]] = [
        (
            "acme",
            ada,
            {"name": "ACME GmbH", "country": "DE", "vat_id": "DE136695976", "language": "de"},
        ),
        (
            "brussels",
            lieven,
            {
                "name": "Atomium Events SRL",
                "country": "BE",
                "vat_id": "BE0477472701",
                "language": "nl",
            },
        ),
        (
            "paris",
            ada,
            {"name": "Lumière SAS", "country": "FR", "vat_id": "FR40303265045", "language": "fr"},
        ),
        (
            "zurich",
            marie,
            {"name": "Helvetia Uhren AG", "country": "CH", "vat_id": None, "language": "de"},
        ),
        (
            "consumer",
            marie,
            {
                "name": "Jean Dupont",
                "country": "BE",
                "is_business": False,
                "vat_id": None,
                "language": "fr",
            },
        ),
    ]
    clients: dict[str, Json] = {}
    for key, token, spec in specs:
        body = {"email": f"billing+{key}.{run}@demo.coopflow.example", "address": "Demo street 1"}
        client = await api.call("POST", "/clients", token, body | spec)
        clients[key] = client | {"_token": token}
        say(f"client {client['id']}: {client['name']} ({client['country']})")
    finance = await api.call("POST", "/finance-users", admin, {"name": "Fiona Finance"})
    return Cast(members, clients, finance["token"])


@dataclass
class Story:
    api: Api
    cast: Cast
    label: str
    client: str
    net_cents: int
    order: Json | None = None
    started: tuple[float, datetime] | None = None  # (monotonic, UTC time) at submission

    @property
    def token(self) -> str:
        token: str = self.cast.clients[self.client]["_token"]
        return token

    @property
    def order_id(self) -> int:
        assert self.order is not None
        order_id: int = self.order["id"]
        return order_id

    def log(self, text: str) -> None:
        prefix = f"order {self.order_id}" if self.order else "order ?"
        say(f"{prefix:>10} · {self.label:<28} · {text}")

    async def create(self, *, offer_days: int = 14, terms: int = 14) -> None:
        today = date.today()
        body = {
            "client_id": self.cast.clients[self.client]["id"],
            "description": f"Demo: {self.label}",
            "period_start": (today + timedelta(days=1)).isoformat(),
            "period_end": (today + timedelta(days=3)).isoformat(),
            "net_amount_cents": self.net_cents,
            "payment_terms_days": terms,
            "offer_valid_until": (today + timedelta(days=offer_days)).isoformat(),
        }
        self.order = await self.api.call("POST", "/orders", self.token, body)
        client = self.cast.clients[self.client]["name"]
        self.log(f"draft for {client}, net {format_eur(self.net_cents)}")

    def business_now(self) -> datetime:
        """The workflow's business clock (it starts at submission and runs 86400 / seconds per
        day times faster than the wall clock). The Query's ``business_today`` only moves when
        the workflow wakes up, so the demo keeps its own."""
        assert self.started is not None
        mono, wall = self.started
        scale = 86400 / self.api.seconds_per_day
        return wall + timedelta(seconds=(time.monotonic() - mono) * scale)

    def business_today(self) -> str:
        return self.business_now().date().isoformat()

    async def until_business(self, moment: datetime) -> None:
        ahead = (moment - self.business_now()).total_seconds()
        if ahead > 0:
            await asyncio.sleep(ahead * self.api.seconds_per_day / 86400)

    async def submit(self) -> str:
        self.started = (time.monotonic(), datetime.now(UTC))
        submitted = await self.api.call("POST", f"/orders/{self.order_id}/submit", self.token)
        self.log(f"submitted, workflow {submitted['workflow_id']}")
        url: str = submitted["signing_url"]
        return url

    async def answer(self, url: str, decision: str) -> None:
        body = {"decision": decision, "signer_name": "Client Signatory", "comment": "demo"}
        await self.api.call("POST", url, "", body)
        self.log(f"client {'accepted and signed' if decision == 'accept' else 'rejected'}")

    async def complete(self) -> Json:
        assert self.order is not None
        start, end = self.order["period_start"], self.order["period_end"]
        if self.label.startswith("partial"):
            expense = {"description": "Train ticket", "amount_cents": 8990, "incurred_on": start}
            await self.api.call("POST", f"/orders/{self.order_id}/expenses", self.token, expense)
            self.log("expense added: Train ticket €89.90")
        # Work is declared complete on or after its last (business) day.
        await self.until_business(datetime.combine(date.fromisoformat(end), dtime(6), UTC))
        body = {"actual_start": start, "actual_end": end, "work_days": 3}
        for attempt in range(5):
            try:
                await self.api.call("POST", f"/orders/{self.order_id}/complete", self.token, body)
                break
            except DemoError as exc:
                if "before its last day" not in str(exc) or attempt == 4:
                    raise
                await asyncio.sleep(self.api.seconds_per_day)
        view = await self.wait(
            "the invoice", lambda v: bool(v.get("invoice_number")), business_days=10
        )
        self.log(
            f"completed; invoice {view['invoice_number']} {format_eur(view['gross_cents'])} "
            f"due {view.get('due_date')}"
        )
        return view

    async def wait(self, what: str, done: Callable[[Json], bool], business_days: float) -> Json:
        return await self.api.wait_view(self.order_id, self.token, what, done, business_days)

    async def pay(self, amount: int, view: Json, note: str) -> None:
        body = {
            "order_id": self.order_id,
            "amount_cents": amount,
            "received_on": self.business_today(),
            "reference": view.get("invoice_number") or "",
        }
        await self.api.call("POST", "/payments", self.cast.finance, body)
        self.log(f"{note}: {format_eur(amount)} received on {body['received_on']}")

    async def finish(self, business_days: float = 40) -> str:
        view = await self.wait(
            "the close", lambda v: v.get("status") in FINISHED and v["wage_paid"], business_days
        )
        self.log(f"{view['status']}: paid {format_eur(view['paid_cents'])}, wage paid")
        return str(view["status"])

    async def decide(self, kind: str, view: Json) -> None:
        cases: list[Json] = []
        limit = time.monotonic() + 20
        while not cases and time.monotonic() < limit:
            cases = [
                c
                for c in await self.api.call("GET", "/finance/cases", self.cast.finance)
                if c["order_id"] == self.order_id
            ]
            await asyncio.sleep(0.5)
        if not cases:
            raise DemoError("no finance case appeared for the escalated order")
        case = cases[0]
        body: Json = {"kind": kind, "note": f"demo: {kind.replace('_', ' ')}"}
        due = view["principal_due_cents"] + view["charges_due_cents"]
        if kind == "record_payment":
            body["payment"] = {"amount_cents": due, "received_on": self.business_today()}
        await self.api.call(
            "POST", f"/finance/cases/{case['case_id']}/decision", self.cast.finance, body
        )
        self.log(
            f"finance case {case['case_id']} (level {case['dunning_level']}, "
            f"{format_eur(case['amount_due_cents'])} due): {kind.replace('_', ' ')}"
        )


def _due(view: Json) -> int:
    return int(view["principal_due_cents"]) + int(view["charges_due_cents"])


async def paid_on_time(s: Story) -> str:
    await s.create()
    await s.answer(await s.submit(), "accept")
    view = await s.complete()
    await asyncio.sleep(3 * s.api.seconds_per_day)
    await s.pay(view["principal_due_cents"], await s.api.view(s.order_id, s.token), "paid in full")
    return await s.finish()


async def paid_late(s: Story) -> str:
    await s.create()
    await s.answer(await s.submit(), "accept")
    await s.complete()
    view = await s.wait("a second reminder", lambda v: v.get("dunning_level", 0) >= 2, 60)
    s.log(f"reminder level {view['dunning_level']}: {format_eur(_due(view))} due with charges")
    await s.pay(_due(view), view, "paid late with charges")
    return await s.finish()


async def partial_payments(s: Story) -> str:
    await s.create()
    await s.answer(await s.submit(), "accept")
    view = await s.complete()
    await s.pay(view["principal_due_cents"] * 40 // 100, view, "first part")
    view = await s.wait("the first reminder", lambda v: v.get("dunning_level", 0) >= 1, 60)
    await s.pay(view["principal_due_cents"] // 2, view, "second part")
    await asyncio.sleep(2 * s.api.seconds_per_day)
    view = await s.api.view(s.order_id, s.token)
    await s.pay(_due(view), view, "the rest with charges")
    return await s.finish()


def escalated(kind: str) -> Callable[[Story], Awaitable[str]]:
    async def story(s: Story) -> str:
        await s.create()
        await s.answer(await s.submit(), "accept")
        await s.complete()
        view = await s.wait("the escalation", lambda v: bool(v.get("escalated")), 150)
        s.log(f"escalated at reminder level {view['dunning_level']}")
        await s.decide(kind, view)
        return await s.finish()

    return story


async def cancelled(s: Story) -> str:
    await s.create()
    await s.submit()
    order = await s.api.call(
        "POST", f"/orders/{s.order_id}/cancel", s.token, {"reason": "client changed plans"}
    )
    status = (order.get("view") or {}).get("status", order["status"])
    s.log(f"cancelled before signature → {status}")
    return str(status)


async def credit_note(s: Story) -> str:
    """A client outside the EU (no wage before it pays) pays a deposit; the venue cancels, so
    finance cancels the invoice by a credit note and pays the deposit back."""
    await s.create()
    await s.answer(await s.submit(), "accept")
    view = await s.complete()
    await s.pay(view["principal_due_cents"] // 4, view, "deposit")
    await s.wait("the deposit", lambda v: v.get("paid_cents", 0) > 0, 5)
    order = await s.api.call(
        "POST",
        f"/finance/orders/{s.order_id}/credit-note",
        s.cast.finance,
        {"reason": "Event cancelled by the venue"},
    )
    s.log(f"credit note {order['view']['credit_note_number']} cancels the invoice")
    view = await s.wait("the refund case", lambda v: v.get("status") == "RefundDue", 5)
    [case] = [
        c
        for c in await s.api.call("GET", "/finance/cases", s.cast.finance)
        if c["order_id"] == s.order_id
    ]
    await s.api.call(
        "POST",
        f"/finance/cases/{case['case_id']}/refund",
        s.cast.finance,
        {
            "amount_cents": view["refund_due_cents"],
            "refunded_on": s.business_today(),
            "reference": "demo refund",
        },
    )
    s.log(f"finance refunded {format_eur(view['refund_due_cents'])} by transfer")
    view = await s.wait("the cancellation", lambda v: v.get("status") == "Cancelled", 5)
    return str(view["status"])


async def expired(s: Story) -> str:
    await s.create(offer_days=1)
    await s.submit()
    view = await s.wait("the offer to expire", lambda v: v.get("status") == "Expired", 10)
    s.log(f"never signed → {view['status']}")
    return str(view["status"])


async def rejected(s: Story) -> str:
    await s.create()
    await s.answer(await s.submit(), "reject")
    view = await s.wait("the rejection", lambda v: v.get("status") == "Rejected", 5)
    return str(view["status"])


async def run_demo(settings: Settings, timeout: float, seconds_per_day: float) -> int:
    run = time.strftime("%Y%m%d%H%M%S") + uuid.uuid4().hex[:4]
    async with httpx.AsyncClient(base_url=settings.public_base_url, timeout=60) as http:
        await wait_for_api(http)
        api = Api(http, seconds_per_day, time.monotonic() + timeout)
        say(f"demo run {run} against {settings.public_base_url} (1 business day ≈ "
            f"{seconds_per_day:g} s)")  # fmt: skip
        cast = await seed(api, settings.admin_token, run)
        plans: list[tuple[str, str, int, Callable[[Story], Awaitable[str]], set[str]]] = [
            ("paid on time", "acme", 480000, paid_on_time, FINISHED),
            ("paid late after reminders", "brussels", 250000, paid_late, FINISHED),
            ("partial payments", "paris", 320000, partial_payments, FINISHED),
            ("escalated → written off", "consumer", 90000, escalated("write_off"), FINISHED),
            ("escalated → paid", "acme", 150000, escalated("record_payment"), FINISHED),
            ("cancelled before signature", "brussels", 120000, cancelled, {"Cancelled"}),
            ("credit note → refunded", "zurich", 200000, credit_note, {"Cancelled"}),
            ("offer expired", "paris", 60000, expired, {"Expired"}),
            ("rejected by the client", "zurich", 75000, rejected, {"Rejected"}),
        ]
        stories = [Story(api, cast, label, client, net) for label, client, net, _, _ in plans]

        async def play(story: Story, plot: Callable[[Story], Awaitable[str]]) -> str:
            try:
                return await plot(story)
            except DemoError as exc:
                story.log(f"stopped: {exc}")
                return "failed"

        outcomes = await asyncio.gather(
            *(play(story, plan[3]) for story, plan in zip(stories, plans, strict=True))
        )
    say("")
    good = 0
    for story, plan, outcome in zip(stories, plans, outcomes, strict=True):
        ok = outcome in plan[4]
        good += ok
        order = f"order {story.order['id']}" if story.order else "no order"
        say(f"{'✓' if ok else '✗'} {plan[0]:<28} {order:<12} {outcome}")
    say(f"{good}/{len(plans)} paths reached their outcome. Finance desk: "
        f"{settings.public_base_url}/finance")  # fmt: skip
    return 0 if good == len(plans) else 1


def main(argv: list[str] | None = None) -> int:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m dev.demo", description=__doc__.split("\n")[0])
    parser.add_argument("--timeout", type=float, default=900, help="stop after this many seconds")
    parser.add_argument(
        "--seconds-per-day",
        type=float,
        default=float(settings.seconds_per_day),
        help="demo time of the running stack (default: COOPFLOW_SECONDS_PER_DAY)",
    )
    args = parser.parse_args(argv)
    if args.seconds_per_day > 10:
        sys.stderr.write(
            f"The demo needs demo time; seconds per business day is {args.seconds_per_day:g}. "
            "Start the stack with COOPFLOW_SECONDS_PER_DAY=1 (make run DEMO=1 does).\n"
        )
        return 2
    try:
        return asyncio.run(run_demo(settings, args.timeout, args.seconds_per_day))
    except (DemoError, httpx.HTTPError) as exc:
        sys.stderr.write(f"demo stopped: {exc}\n")
        return 1


if __name__ == "__main__":
    raise SystemExit(main())

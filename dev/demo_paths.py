"""The demo's paths: a ``Story`` is one order driven over HTTP on the workflow's business clock
(create, submit, answer, complete, pay, finance decisions), and each path is a function playing
one story to its outcome."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime

from dev.demo_api import Api, DemoError, Json, say
from dev.demo_bank import Bank
from dev.demo_seed import Cast
from domain.money import format_eur

FINISHED = {"Closed"}  # invoice settled (paid or written off) and wage paid


@dataclass
class Story:
    api: Api
    cast: Cast
    label: str
    client: str
    net_cents: int
    order: Json | None = None
    started: tuple[float, datetime] | None = None  # (monotonic, UTC time) at submission
    bank: Bank | None = None  # clients who pay by transfer pay through it

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

    async def create(self, *, offer_days: int = 14, terms: int = 14, start_in: int = 1) -> None:
        today = date.today()
        body = {
            "client_id": self.cast.clients[self.client]["id"],
            "description": f"Demo: {self.label}",
            "period_start": (today + timedelta(days=start_in)).isoformat(),
            "period_end": (today + timedelta(days=start_in + 2)).isoformat(),
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

    async def pay_by_bank(self, amount: int, view: Json, note: str, *, quote: str) -> None:
        """The client transfers ``amount`` quoting the invoice's creditor reference
        (``quote="reference"``) or its number in the free text (``"number"``); the bank's
        notification goes through the inbox, and the story waits until the order has it."""
        assert self.bank is not None
        number = view["invoice_number"]
        invoices = await self.api.call("GET", "/invoices", self.token)
        [invoice] = [i for i in invoices if i["number"] == number]
        name = self.cast.clients[self.client]["name"]
        on = date.fromisoformat(self.business_today())
        if quote == "reference":
            said = invoice["creditor_reference"]
            txn = self.bank.transfer(self.client, name, amount, on, reference=said)
        else:
            said = f"Invoice {number.replace('-', ' ')} thank you"
            txn = self.bank.transfer(self.client, name, amount, on, text=said)
        before = int(view.get("paid_cents") or 0)
        await self.bank.notify([txn])
        self.log(f"{note}: {format_eur(amount)} by bank transfer quoting {said!r}")
        await self.wait(
            "the transfer to be reconciled",
            lambda v: int(v.get("paid_cents") or 0) >= before + amount,
            business_days=30,
        )

    async def finish(self, business_days: float = 40) -> str:
        view = await self.wait(
            "the close",
            # an order of a member on a monthly salary pays no wage of its own
            lambda v: (
                v.get("status") in FINISHED and (v["wage_paid"] or v.get("wage_mode") == "monthly")
            ),
            business_days,
        )
        wage = "wage: monthly salary" if view.get("wage_mode") == "monthly" else "wage paid"
        self.log(f"{view['status']}: paid {format_eur(view['paid_cents'])}, {wage}")
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
        due = _due(view)
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
    """What settles the invoice today: principal, charges and the interest not yet charged."""
    return (
        int(view["principal_due_cents"])
        + int(view["charges_due_cents"])
        + int(view.get("interest_to_date_cents", 0))
    )


async def paid_on_time(s: Story) -> str:
    await s.create()
    await s.answer(await s.submit(), "accept")
    view = await s.complete()
    await asyncio.sleep(3 * s.api.seconds_per_day)
    view = await s.api.view(s.order_id, s.token)
    await s.pay_by_bank(view["principal_due_cents"], view, "paid in full", quote="reference")
    return await s.finish()


async def awaiting_payment(s: Story) -> str:
    """Invoiced with long payment terms: still open when the demo ends (the end-of-run bank
    notification pays it more than it owes, which waits in the finance queue)."""
    await s.create(terms=90)
    await s.answer(await s.submit(), "accept")
    view = await s.complete()
    return str(view["status"])


async def paid_late(s: Story) -> str:
    await s.create()
    await s.answer(await s.submit(), "accept")
    await s.complete()
    view = await s.wait("a second reminder", lambda v: v.get("dunning_level", 0) >= 2, 60)
    s.log(f"reminder level {view['dunning_level']}: {format_eur(_due(view))} due with charges")
    await s.pay_by_bank(_due(view), view, "paid late with charges", quote="number")
    return await s.finish()


async def partial_payments(s: Story) -> str:
    await s.create()
    await s.answer(await s.submit(), "accept")
    view = await s.complete()
    await s.pay_by_bank(
        view["principal_due_cents"] * 40 // 100, view, "first part", quote="reference"
    )
    view = await s.wait("the first reminder", lambda v: v.get("dunning_level", 0) >= 1, 60)
    await s.pay_by_bank(view["principal_due_cents"] // 2, view, "second part", quote="number")
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


async def _cancelled_after_a_deposit(s: Story) -> Json:
    """A client outside the EU (no wage before it pays) pays a deposit; the venue cancels, so
    finance cancels the invoice by a credit note: the deposit is owed back (RefundDue)."""
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
    return await s.wait("the refund case", lambda v: v.get("status") == "RefundDue", 5)


async def refund_waiting(s: Story) -> str:
    """Left for finance: a refund case on the desk at the end of the demo."""
    view = await _cancelled_after_a_deposit(s)
    s.log(f"refund of {format_eur(view['refund_due_cents'])} waits for finance")
    return str(view["status"])


async def escalated_waiting(s: Story) -> str:
    """Left for finance: an escalated invoice waiting for a decision on the desk."""
    await s.create()
    await s.answer(await s.submit(), "accept")
    await s.complete()
    view = await s.wait("the escalation", lambda v: bool(v.get("escalated")), 150)
    s.log(f"escalated at reminder level {view['dunning_level']}: waits for finance's decision")
    return str(view["status"])


async def credit_note(s: Story) -> str:
    """The credit-note case, and finance pays the deposit back."""
    view = await _cancelled_after_a_deposit(s)
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


async def monthly_salary(s: Story) -> str:
    """A season's order, paid; then the member chooses a monthly salary from her budget (the
    most the range allows for 120 hours, from the first day of next month), and the first
    salary is paid at that month's end (her salary workflow: salary-<member id>)."""
    await s.create()
    await s.answer(await s.submit(), "accept")
    view = await s.complete()
    await asyncio.sleep(3 * s.api.seconds_per_day)
    view = await s.api.view(s.order_id, s.token)
    await s.pay_by_bank(view["principal_due_cents"], view, "paid in full", quote="reference")
    await s.finish()
    shown = await s.api.call("GET", "/members/me/salary?hours_per_month=120", s.token)
    span = shown["range"]
    if not span["supported"]:
        raise DemoError(f"the budget supports no monthly salary: {span}")
    gross = span["maximum_gross_cents"] // 1000 * 1000  # whole tens of euros
    chosen = await s.api.call(
        "PUT",
        "/members/me/salary",
        s.token,
        {"mode": "monthly", "gross_cents": gross, "hours_per_month": "120"},
    )
    s.log(
        f"monthly salary of {format_eur(gross)} gross from {span['month']} "
        f"(range {format_eur(span['minimum_gross_cents'])}–"
        f"{format_eur(span['maximum_gross_cents'])}); workflow {chosen['workflow_id']}"
    )
    first = date.fromisoformat(span["month"])
    # An order signed in that month: no wage of its own, its budget stays for the salary.
    second = Story(s.api, s.cast, "monthly salary (2nd order)", s.client, 600_000, bank=s.bank)
    ahead = (first - date.today()).days
    await second.create(offer_days=ahead + 20, start_in=ahead + 1)
    link = await second.submit()
    await second.until_business(datetime.combine(first, dtime(6), UTC))
    await second.answer(link, "accept")
    view = await second.complete()
    if view.get("wage_mode") != "monthly":
        raise DemoError(f"the order signed in {span['month'][:7]} is not on the monthly salary")
    await second.pay_by_bank(view["principal_due_cents"], view, "paid in full", quote="reference")
    await second.finish()
    days = (first - date.today()).days + 40
    limit = min(time.monotonic() + days * s.api.seconds_per_day + 30, s.api.deadline)
    while time.monotonic() < limit:
        months = (await s.api.call("GET", "/members/me/salary", s.token))["months"]
        if months and months[0]["status"] == "paid":
            month = months[0]
            s.log(
                f"salary {month['month'][:7]}: {format_eur(month['gross_wage_cents'])} gross, "
                f"{format_eur(month['net_wage_cents'])} net paid"
            )
            return "salary paid"
        await asyncio.sleep(min(1.0, s.api.seconds_per_day))
    raise DemoError("the first monthly salary was not paid in time")

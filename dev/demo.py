"""Demo: seed members and clients, then run orders through every path over HTTP.

    python -m dev.demo [--timeout 900]

``make run`` with ``DEMO=1`` starts it once the API answers ``/health``. It talks to
``Settings.public_base_url`` with ``Settings.admin_token``, and needs demo time
(``COOPFLOW_SECONDS_PER_DAY=1``: a business day passes in about a second), so a whole lifecycle
with reminders and escalation takes a couple of minutes. Every run creates new members (unique
e-mails), so it can be run again; it stops by itself (each wait has a deadline) and exits 0 when
every order reached the outcome its path aims at.

Paths: paid on time, paid late after reminders, partial payments (these three by bank transfer:
the bank's camt.054 lands in the statement inbox and reconciliation books it), escalated then
written off, escalated then paid (finance records the payment), cancelled before signature,
cancelled by a credit note and refunded, offer expired, rejected by the client, and one invoice
still awaiting payment when the run ends (the last notification leaves work in the finance
queue: a transfer nobody can place and one paying more than it owes).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date

import httpx

from config import Settings, get_settings
from dev.demo_api import Api, DemoError, say, wait_for_api
from dev.demo_bank import Bank
from dev.demo_paths import (
    FINISHED,
    Story,
    awaiting_payment,
    cancelled,
    credit_note,
    escalated,
    escalated_waiting,
    expired,
    monthly_salary,
    paid_late,
    paid_on_time,
    partial_payments,
    refund_waiting,
    rejected,
)
from dev.demo_seed import seed
from domain.money import format_eur


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
            # a small artist's wage: in the work-bonus range (its payslip shows the bonus)
            ("escalated → written off", "consumer", 60000, escalated("write_off"), FINISHED),
            ("escalated → paid", "acme", 150000, escalated("record_payment"), FINISHED),
            ("cancelled before signature", "brussels", 120000, cancelled, {"Cancelled"}),
            ("credit note → refunded", "zurich", 200000, credit_note, {"Cancelled"}),
            ("offer expired", "paris", 60000, expired, {"Expired"}),
            ("rejected by the client", "zurich", 75000, rejected, {"Rejected"}),
            ("escalated, awaiting decision", "paris", 110000, escalated_waiting, {"Escalated"}),
            ("credit note, refund due", "zurich", 80000, refund_waiting, {"RefundDue"}),
            ("monthly salary", "theatre", 2400000, monthly_salary, {"salary paid"}),
            ("invoiced, awaiting payment", "acme", 210000, awaiting_payment, {"Invoiced"}),
        ]
        bank = Bank(api, settings.bank_inbox_dir, cast.finance, run)
        stories = [
            Story(api, cast, label, client, net, bank=bank) for label, client, net, _, _ in plans
        ]

        async def play(story: Story, plot: Callable[[Story], Awaitable[str]]) -> str:
            try:
                return await plot(story)
            except DemoError as exc:
                story.log(f"stopped: {exc}")
                return "failed"

        outcomes = await asyncio.gather(
            *(play(story, plan[3]) for story, plan in zip(stories, plans, strict=True))
        )
        await leave_work_for_finance(api, bank, stories[-1])
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


async def leave_work_for_finance(api: Api, bank: Bank, open_story: Story) -> None:
    """The end-of-run notification: a transfer nobody can place, and one paying the open
    invoice €250 more than it owes (a suggestion: a person decides)."""
    if open_story.order is None:
        return
    view = await api.view(open_story.order_id, open_story.token)
    if not view.get("invoice_number"):
        return
    on = date.fromisoformat(open_story.business_today())
    stranger = bank.transfer("", "Unknown Sender Ltd", 4_990, on, text="membership fee")
    overpaid = bank.transfer(
        "acme",
        "ACME GmbH",
        int(view["principal_due_cents"]) + 25_000,
        on,
        text=f"Invoice {view['invoice_number']}",
    )
    await bank.notify([stranger, overpaid])
    for _ in range(60):
        queue = await api.call("GET", "/finance/bank-lines", bank.finance)
        if len(queue) >= 2:
            break
        await asyncio.sleep(0.5)
    say("")
    say(f"finance queue ({len(queue)}): GET /finance/bank-lines")
    for line in queue:
        say(f"  {line['status']:<10} {format_eur(line['amount_cents']):>12}  {line['reason']}")


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

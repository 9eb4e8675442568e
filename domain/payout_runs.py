"""Wage payouts in runs: an order queues its payout, the run for the next cut-off collects the
payouts queued before it, writes one pain.001 batch at the cut-off and tells each order its
payout was handed to the bank.

The run is a workflow of its own (``payout-run-<run key>``), started by the first payout queued
for its cut-off (signal-with-start) and sleeping until then: no empty runs on days without
wages, nothing polls. The cut-off comes from the settings (daily at an hour in Europe/Berlin;
every few seconds in the demo), computed outside the workflow sandbox when the payout is queued.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict

from domain.order_messages import OrderInput

WORKFLOW_TYPE = "PayoutRunWorkflow"
ADD_PAYOUT = "add_payout"  # signal on the run
CUT_PAYOUT_RUN = "cut_payout_run"  # activity: write the batch, mark the payouts sent
QUEUE_PAYOUT = "queue_payout"  # activity: the order's payout into the next run


# How long after the wage day an order keeps watching for its payout coming back. The SCT
# rulebook has the beneficiary's bank return a transfer it cannot credit within three
# interbank business days; a week covers a weekend and the TARGET2 holidays around it. A
# return that comes later finds the order closed and waits in finance's queue.
RETURN_WINDOW_DAYS: Final = 7


def run_workflow_id(run_key: str) -> str:
    return f"payout-run-{run_key}"


def payout_key_of(order_id: int, attempt: int = 1) -> str:
    """The payout's EndToEndId: ``WAGE-42`` the first time, ``WAGE-42-2`` when a rejected or
    returned wage goes out again (a new id, so the bank never sees the same one twice)."""
    return f"WAGE-{order_id}" if attempt == 1 else f"WAGE-{order_id}-{attempt}"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class QueuePayout(_Frozen):
    """The order's request: its payout into the run of the next cut-off after ``now``."""

    order: OrderInput
    payslip_id: int
    payout_cents: int
    advanced_cents: int
    execution_date: date  # the wage day (business date)
    now: datetime  # the workflow's time: the cut-off and the run's timer agree on it
    workflow_id: str  # where the run says the payout was sent
    attempt: int = 1  # 2, 3…: the wage again after the bank rejected or returned it


class QueuedPayout(_Frozen):
    """What the run is told (signal): a payout waiting for its cut-off, and whom to tell."""

    payout_key: str  # the EndToEndId
    order_id: int | None  # None: a monthly salary's payout
    amount_cents: int
    workflow_id: str


class PayoutRunInput(_Frozen):
    run_key: str  # the cut-off, e.g. "20261207-1400"
    cutoff: datetime  # UTC


class CutRequest(_Frozen):
    run_key: str
    payout_keys: tuple[str, ...]


def next_cutoff(now: datetime, *, every_seconds: float, daily: datetime | None) -> datetime:
    """The first cut-off after ``now`` (UTC): every ``every_seconds`` since the epoch (the demo,
    tests), else ``daily``: today's cut-off as a UTC datetime (the caller converts the hour in
    Europe/Berlin), or tomorrow's once it passed."""
    if every_seconds > 0:
        ticks = int(now.timestamp() // every_seconds) + 1
        return datetime.fromtimestamp(ticks * every_seconds, tz=now.tzinfo)
    assert daily is not None
    return daily if daily > now else daily + timedelta(days=1)


def run_key_of(cutoff: datetime) -> str:
    return cutoff.strftime("%Y%m%d-%H%M%S")


class PayoutSent(_Frozen):
    """Signal to the order: its payout is in a batch handed to the bank."""

    payout_key: str
    run_key: str
    message_id: str  # the batch's MsgId (run key and part)
    file_path: str
    execution_date: date


class CutResult(_Frozen):
    run_key: str
    message_id: str
    file_path: str
    sent: tuple[PayoutSent, ...]
    total_cents: int


class PayoutQueued(_Frozen):
    """What queueing answers the order: which run its payout waits for."""

    payout_key: str
    run_key: str
    cutoff: datetime
    already_sent: PayoutSent | None = None  # a retried step whose run was already cut


class PayoutFailed(_Frozen):
    """Signal to the order: the bank rejected its payout (pain.002 ``RJCT``) or sent it back
    (a return in a camt statement). ``reason`` says it in plain words for ops."""

    payout_key: str
    kind: Literal["rejected", "returned"]
    reason_code: str  # ISO 20022 status reason / return reason, "" when the bank gave none
    reason: str  # domain.banking.reason_codes.explain(reason_code)
    amount_cents: int
    iban: str  # the account the bank refused

"""The claim on one invoice while it is collected: what is owed, what interest has accrued, and
what each reminder charges, by the jurisdiction's rules (DOMAIN.md, "Late payment and dunning").

Pure and deterministic: the order workflow keeps one ``Claim`` and feeds it payments, reminders
and finance decisions; the dunning table tests replay worked cases through it.

- Interest runs per calendar day (act/365) on the principal actually outstanding, accrued in
  Decimal segments whenever that amount changes or a half-year (and with it the rate) begins,
  and rounded once when a reminder charges it (``domain.late_interest``: rates and sources).
- Germany: interest from the day after the due date (the signed order states the payment term,
  §286(2) Nr. 2 BGB; consumer invoices say so, §286(3)); €40 flat once from a business debtor
  (§288(5)); own reminder costs only once in default.
- Belgium B2B: interest from the due date without notice, €40 flat.
- Belgium B2C (Book XIX CEL): the first reminder is free and gives at least 14 days; only then do
  interest (capped at the B2B rate) and the capped lump-sum damages run; further reminders cost
  at most €7.50.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from domain.be_working_days import free_period
from domain.collection import PaymentSplit, split_payment
from domain.late_interest import RateUsed, annual_rate, interest_between, interest_segments
from domain.money import Cents, percent_of, round_cents
from domain.policy import DunningStage, JurisdictionPolicy

FIRST_REMINDER_MIN_DAYS = 14


def be_consumer_lump_sum(outstanding: Cents) -> Cents:
    """Book XIX CEL art. XIX.2(2): ≤ €150 → €20; €150.01–500 → €30 + 10 % above €150;
    > €500 → €65 + 5 % above €500, at most €2,000."""
    if outstanding <= 0:
        return 0
    if outstanding <= 15_000:
        return 2_000
    if outstanding <= 50_000:
        return 3_000 + percent_of(outstanding - 15_000, Decimal("0.10"))
    return min(6_500 + percent_of(outstanding - 50_000, Decimal("0.05")), 200_000)


@dataclass(frozen=True)
class ReminderCharges:
    fee: Cents
    flat_compensation: Cents  # €40 B2B, or the BE consumer lump-sum damages
    interest: Cents
    interest_rate: Decimal
    pay_by: date

    @property
    def total(self) -> Cents:
        return self.fee + self.flat_compensation + self.interest


@dataclass
class Claim:
    """What one invoice's debtor owes, as collection goes on."""

    policy: JurisdictionPolicy
    client_is_business: bool
    due_date: date
    principal_due: Cents
    charges_due: Cents = 0
    charges_total: Cents = 0
    paid: Cents = 0
    level: int = 0
    anchor: date = field(init=False)
    interest_from: date | None = field(init=False)
    interest_accrued: Decimal = Decimal(0)
    flat_charged: bool = False
    principal_paid: Cents = 0
    charges_paid: Cents = 0
    overpaid: Cents = 0  # received beyond what was owed, held for the client
    # 1: the rules orders invoiced before them were collected by (interest only inside
    # reminders, dropped when the principal was paid; reminders until escalation whatever is
    # owed). 2: interest to the day of payment becomes a charge of its own; when only charges
    # remain, one final statement, no new fees, small remainders waived (docs/collection.md).
    rules: int = 1
    final_statement_sent: bool = False
    charges_waived: Cents = 0
    # Rules 2, Belgian consumer: the last day of the first reminder's free period (Book XIX)
    free_period_end: date | None = None

    def __post_init__(self) -> None:
        self.anchor = self.due_date
        # Belgian consumers owe interest only once the free first reminder's period expired.
        self.interest_from = None if self._consumer_grace() else self.due_date

    def rate_on(self, day: date) -> RateUsed:
        """The late-payment rate for ``day`` (the half-year's, ``domain.late_interest``)."""
        return annual_rate(self.policy.jurisdiction, self.client_is_business, day)

    def unpublished_rate(self, until: date) -> str:
        """Why interest up to ``until`` may not be charged yet (a half-year's rate missing from
        our policy data for too long), or "" when every day's rate may be charged."""
        if self.interest_from is None or until <= self.interest_from:
            return ""
        for segment in interest_segments(
            self.policy.jurisdiction, self.client_is_business, 1, self.interest_from, until
        ):
            if segment.rate.refused:
                return segment.rate.refused
        return ""

    @property
    def owed(self) -> Cents:
        return self.principal_due + self.charges_due

    @property
    def settled(self) -> bool:
        return self.principal_due == 0 and self.charges_due == 0

    def _consumer_grace(self) -> bool:
        return self.policy.jurisdiction == "BE" and not self.client_is_business

    def _interest_since(self, until: date) -> Decimal:
        """Unrounded interest on the principal due from ``interest_from`` to ``until``."""
        return interest_between(
            self.policy.jurisdiction,
            self.client_is_business,
            self.principal_due,
            self.interest_from,
            until,
        )

    def accrue(self, until: date) -> None:
        if self.interest_from is None or until <= self.interest_from:
            return
        self.interest_accrued += self._interest_since(until)
        self.interest_from = until

    def apply_payment(self, amount: Cents, received_on: date) -> PaymentSplit:
        """Principal first (interest stops on what is paid), then charges; re-anchors the
        dunning clock when something is still owed."""
        self.accrue(received_on)
        split = split_payment(
            amount, principal_due=self.principal_due, charges_due=self.charges_due
        )
        self.principal_due -= split.to_principal
        self.charges_due -= split.to_charges
        self.paid += amount
        self.principal_paid += split.to_principal
        self.charges_paid += split.to_charges
        self.overpaid += split.overpaid
        if self.principal_due == 0:
            self.interest_accrued = Decimal(0)
        else:
            self.anchor = max(self.anchor, received_on)
        if self.rules >= 2 and self.only_charges_left:
            self.anchor = max(self.anchor, received_on)  # the final statement goes out now
        return split

    def charge_interest_to(self, day: date) -> Cents:
        """Rules 2: the interest accrued up to ``day`` (a payment's day) becomes a charge of its
        own, whatever the reminder rhythm; the cents it adds (0 under rules 1)."""
        if self.rules < 2:
            return 0
        self.accrue(day)
        cents = round_cents(self.interest_accrued)
        if cents <= 0:
            return 0
        self.interest_accrued -= Decimal(cents)
        self.charges_due += cents
        self.charges_total += cents
        return cents

    def interest_to(self, day: date) -> Cents:
        """Rules 2: the interest accrued and not yet charged, up to ``day`` (nothing changes):
        what a payment on ``day`` owes beyond the principal and the charges."""
        if self.rules < 2:
            return 0
        extra = self._interest_since(day)
        return round_cents(self.interest_accrued + extra)

    @property
    def only_charges_left(self) -> bool:
        return self.principal_due == 0 and self.charges_due > 0

    def waivable(self) -> bool:
        """Rules 2: only charges are left and they are below the policy's threshold."""
        return (
            self.rules >= 2
            and self.only_charges_left
            and self.charges_due < self.policy.charges_waiver_threshold_cents
        )

    def waive_charges(self) -> Cents:
        """The charges still open are waived (booked as such); returns them."""
        waived = self.charges_due
        self.charges_due = 0
        self.charges_waived += waived
        return waived

    def forgive(self, today: date) -> tuple[Cents, Cents]:
        """Finance waives what lateness added: the charges open (booked as waived) and the
        interest accrued to ``today`` and not yet charged (never booked, so simply dropped).
        No interest runs afterwards, unless finance sets a new due date (``extend``), from
        which it runs again. Returns both."""
        self.accrue(today)
        interest = round_cents(self.interest_accrued)
        self.interest_accrued = Decimal(0)
        self.interest_from = None
        return self.waive_charges(), interest

    def next_step(self) -> tuple[date, DunningStage | None]:
        """When the next reminder is due (or escalation, ``None``). Rules 2, when only charges
        are left: one final statement of them at once, then escalation if they stay unpaid."""
        if self.rules >= 2 and self.only_charges_left:
            if not self.final_statement_sent:
                return self.anchor, DunningStage(
                    level=self.level + 1,
                    name=self.policy.final_statement_name,
                    days_after_previous=0,
                    charge_interest=False,
                )
            return self.anchor + timedelta(days=self.policy.escalation_after_last_stage_days), None
        schedule = self.policy.dunning_schedule(self.client_is_business)
        if self.level < len(schedule):
            stage = schedule[self.level]
            when = self.anchor + timedelta(days=stage.days_after_previous)
            if self.free_period_end is not None and self.level == 1:
                # Nothing may be charged before the free period has fully run out.
                when = max(when, self.free_period_end + timedelta(days=1))
            return when, stage
        return self.anchor + timedelta(days=self.policy.escalation_after_last_stage_days), None

    def remind(self, stage: DunningStage, today: date) -> ReminderCharges:
        """Charge a reminder: fees, flat compensation or lump-sum damages, and the interest
        accrued so far, as a separate dunning document."""
        self.accrue(today)
        interest = 0
        if stage.charge_interest:
            interest = round_cents(self.interest_accrued)
            self.interest_accrued = Decimal(0)
        flat = 0
        if stage.charge_flat_compensation and not self.flat_charged:
            if self.client_is_business:
                flat = self.policy.flat_compensation_cents
            elif self._consumer_grace():
                flat = be_consumer_lump_sum(self.principal_due)
            self.flat_charged = flat > 0
        pay_by = today + timedelta(days=FIRST_REMINDER_MIN_DAYS)
        if self.level == 0 and self._consumer_grace():
            if self.rules >= 2:
                # The 14 days start on the second working day after the e-mail (art. XIX.2).
                _, self.free_period_end = free_period(today, electronic=True)
                pay_by = self.free_period_end
            # Interest and damages run from the day after the free reminder's 14 days.
            self.interest_from = pay_by
        charges = ReminderCharges(
            fee=stage.fee_cents,
            flat_compensation=flat,
            interest=interest,
            interest_rate=self.rate_on(today).rate,
            pay_by=pay_by,
        )
        self.level = stage.level
        self.anchor = today
        if self.rules >= 2 and self.only_charges_left:
            self.final_statement_sent = True
        self.charges_due += charges.total
        self.charges_total += charges.total
        return charges

    def extend(self, new_due_date: date, today: date) -> None:
        """Finance agreed a later due date: interest accrued so far stays, none runs until then."""
        self.accrue(today)
        self.due_date = new_due_date
        self.anchor = new_due_date
        self.interest_from = new_due_date

    def write_off(self) -> tuple[Cents, Cents]:
        """Everything still owed is written off; returns (principal, charges)."""
        written = (self.principal_due, self.charges_due)
        self.principal_due = 0
        self.charges_due = 0
        self.interest_accrued = Decimal(0)
        return written

    def cancel(self) -> CancelledClaim:
        """The invoice is cancelled by a credit note: nothing is owed any more, open charges
        fall away, and everything the client paid (principal, charges, overpayments) is held
        for it, to be refunded."""
        cancelled = CancelledClaim(
            principal_paid=self.principal_paid,
            charges_paid=self.charges_paid,
            charges_open=self.charges_due,
            overpaid=self.overpaid,
        )
        self.principal_due = 0
        self.charges_due = 0
        self.interest_accrued = Decimal(0)
        self.interest_from = None
        self.overpaid += self.principal_paid + self.charges_paid
        self.principal_paid = 0
        self.charges_paid = 0
        return cancelled

    def refund(self, amount: Cents, on: date) -> RefundSplit:
        """Money paid back to the client: first what is held for it; the rest was money owed,
        so the principal is open again (interest and dunning run from ``on``)."""
        from_overpayments = min(amount, self.overpaid)
        reopened = amount - from_overpayments
        self.overpaid -= from_overpayments
        self.paid -= amount
        if reopened:
            self.accrue(on)
            self.principal_due += reopened
            self.principal_paid -= reopened
            self.anchor = max(self.anchor, on)
        return RefundSplit(from_overpayments=from_overpayments, reopened=reopened)


@dataclass(frozen=True)
class CancelledClaim:
    principal_paid: Cents
    charges_paid: Cents
    charges_open: Cents
    overpaid: Cents

    @property
    def refund_due(self) -> Cents:
        return self.principal_paid + self.charges_paid + self.overpaid


@dataclass(frozen=True)
class RefundSplit:
    from_overpayments: Cents
    reopened: Cents

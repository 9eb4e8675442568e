"""Interest runs to the day of payment, whatever the reminder rhythm, and what is left after the
principal is paid is either one final statement or, below the threshold, waived.

Worked case (German business debtor, rates of 2026: 1.27 % + 9 = 10.27 %): €5,712.00 due on
2 March 2026, reminders on days 7, 21 and 35, paid on day 45.

    interest days 1-7    571,200 × 10.27 % ×  7 / 365 = 1,125.03 → €11.25 (R1, with €40 flat)
    interest days 8-21   571,200 × 10.27 % × 14 / 365 = 2,250.06 → €22.50 (R2)
    interest days 22-35  571,200 × 10.27 % × 14 / 365 = 2,250.06 → €22.50 (R3)
    interest days 36-45  571,200 × 10.27 % × 10 / 365 = 1,607.18 → €16.07 (charged at payment)

Before (rules 1, and the former fees): €22.50 + €2.50 + €40 at R2, €22.50 + €2.50 at R3: the
client settled with €101.25 of charges and the €16.07 of days 36-45 were lost. After: €112.32 =
45 days of interest (€72.32, i.e. 571,200 × 10.27 % × 45 / 365) + the €40 flat, no fees.
"""

from __future__ import annotations

from datetime import date, timedelta

from domain.dunning import Claim
from domain.policy import policy_for

DUE = date(2026, 3, 2)


def day(n: int) -> date:
    return DUE + timedelta(days=n)


def _claim(rules: int, jurisdiction: str = "DE", gross: int = 571_200) -> Claim:
    return Claim(
        policy=policy_for(jurisdiction, DUE),  # type: ignore[arg-type]
        client_is_business=True,
        due_date=DUE,
        principal_due=gross,
        rules=rules,
    )


def _three_reminders(claim: Claim) -> None:
    for expected in (7, 21, 35):
        when, stage = claim.next_step()
        assert stage is not None
        assert when == day(expected)
        claim.remind(stage, when)


def test_interest_runs_to_the_day_of_payment() -> None:
    claim = _claim(rules=2)
    _three_reminders(claim)
    assert claim.charges_due == 1125 + 4000 + 2250 + 2250
    assert claim.interest_to(day(45)) == 1607
    settlement = claim.principal_due + claim.charges_due + claim.interest_to(day(45))
    assert claim.charge_interest_to(day(45)) == 1607
    claim.apply_payment(settlement, day(45))
    assert claim.settled
    assert claim.charges_total == 11_232
    assert claim.charges_total - 4000 == 7232  # 571200 × 10.27 % × 45 / 365 = 7232.21


def test_before_the_interest_after_the_last_reminder_was_lost() -> None:
    claim = _claim(rules=1)
    _three_reminders(claim)
    assert claim.interest_to(day(45)) == 0  # nothing beyond the reminders under rules 1
    assert claim.charge_interest_to(day(45)) == 0
    claim.apply_payment(claim.principal_due + claim.charges_due, day(45))
    assert claim.settled
    assert claim.charges_total == 9625  # days 36-45 never charged


def test_when_only_charges_are_left_one_final_statement_then_finance() -> None:
    claim = _claim(rules=2)
    _three_reminders(claim)
    claim.charge_interest_to(day(45))
    claim.apply_payment(571_200, day(45))  # the principal alone
    assert claim.only_charges_left
    assert not claim.waivable()
    when, stage = claim.next_step()
    assert stage is not None
    assert (when, stage.level, stage.name) == (day(45), 4, "Abrechnung der Verzugskosten")
    final = claim.remind(stage, when)
    assert (final.fee, final.flat_compensation, final.interest) == (0, 0, 0)
    assert claim.charges_due == 11_232  # nothing new is added
    when, stage = claim.next_step()
    assert stage is None  # escalation, 14 days after the final statement
    assert when == day(45 + 14)


def test_small_charges_left_are_waived() -> None:
    """BE business, €100.00: R1 on day 7 brings the €40 flat and 20 cents of interest; paid
    with them on day 10, the 3 days since R1 add 9 cents (10000 × 10.5 % × 3 / 365 = 8.6),
    below the €5 threshold: waived, not chased."""
    claim = _claim(rules=2, jurisdiction="BE", gross=10_000)
    when, stage = claim.next_step()
    assert stage is not None
    charges = claim.remind(stage, when)
    assert (charges.flat_compensation, charges.interest) == (4000, 20)
    claim.charge_interest_to(day(10))
    claim.apply_payment(10_000 + 4020, day(10))
    assert claim.charges_due == 9
    assert claim.waivable()
    assert claim.waive_charges() == 9
    assert claim.settled
    assert claim.charges_waived == 9

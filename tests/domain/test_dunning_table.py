"""The dunning table: worked cases per jurisdiction, to the cent.

Each row: who owes (jurisdiction, business or consumer), the invoice amount, payments (day
after the due date, amount) and the reminders that follow, with the interest, fees and flat
compensation each must charge. Interest = principal outstanding × rate × days / 365, per
segment, rounded once per reminder (half-up).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.dunning import Claim, be_consumer_lump_sum
from domain.policy import policy_for

DUE = date(2026, 3, 2)


def day(n: int) -> date:
    return DUE + timedelta(days=n)


# (case, jurisdiction, business, gross, payments [(day, cents)],
#  expected reminders [(day, level, interest, fee, flat)])
TABLE = [
    (
        # §288 BGB business: 1.27 % + 9 pp = 10.27 %. In default from the day after the due
        # date (§286(2) Nr. 2), so the €40 flat (§288(5)) comes with the first reminder; no own
        # reminder fee on top (§288(5) sentence 3 credits the €40 against such costs).
        # R1 day 7: 571200 × 10.27 % × 7/365 = 1125.03 → 1125, €40 flat.
        # R2 day 21: 14 days → 2250.06 → 2250; R3 day 35: 2250.
        "DE business, unpaid",
        "DE",
        True,
        571_200,
        [],
        [(7, 1, 1125, 0, 4000), (21, 2, 2250, 0, 0), (35, 3, 2250, 0, 0)],
    ),
    (
        # Consumer: 1.27 % + 5 pp = 6.27 %. R1: 571200 × 6.27 % × 7/365 = 686.85 → 687.
        # R2: 14 days → 1373.70 → 1374; no €40 flat for a consumer.
        "DE consumer, unpaid",
        "DE",
        False,
        571_200,
        [],
        [(7, 1, 687, 0, 0), (21, 2, 1374, 250, 0)],
    ),
    (
        # Half paid on the due date: interest only on what is outstanding.
        # R1: 285600 × 10.27 % × 7/365 = 562.51 → 563.
        "DE business, half paid on the due date",
        "DE",
        True,
        571_200,
        [(0, 285_600)],
        [(7, 1, 563, 0, 4000)],
    ),
    (
        # €1,000 paid on day 3: the clock re-anchors, R1 comes 7 days after the payment.
        # Interest: 571200 × 10.27 % × 3/365 = 482.16 plus 471200 × 10.27 % × 7/365 = 928.06,
        # together 1410.23 → 1410 (rounded once).
        "DE business, partial payment re-anchors",
        "DE",
        True,
        571_200,
        [(3, 100_000)],
        [(10, 1, 1410, 0, 4000)],
    ),
    (
        # Belgium B2B (law of 2 Aug 2002): ECB 2.5 % + 8 pp = 10.5 % from the due date, €40
        # flat with the first reminder. R1: 100000 × 10.5 % × 7/365 = 201.37 → 201;
        # R2: 14 days → 402.74 → 403.
        "BE business, unpaid",
        "BE",
        True,
        100_000,
        [],
        [(7, 1, 201, 0, 4000), (21, 2, 403, 0, 0)],
    ),
    (
        # Belgium B2C (Book XIX CEL): the first reminder is free and gives 14 days; then the
        # capped lump sum (€300 owed → €30 + 10 % × €150 = €45) and a €7.50 fee; interest runs
        # only from day 21: R3 day 35: 30000 × 10.5 % × 14/365 = 120.82 → 121.
        "BE consumer, unpaid",
        "BE",
        False,
        30_000,
        [],
        [(7, 1, 0, 0, 0), (21, 2, 0, 750, 4500), (35, 3, 121, 750, 0)],
    ),
]


@pytest.mark.parametrize(
    ("case", "jurisdiction", "business", "gross", "payments", "reminders"),
    TABLE,
    ids=[row[0] for row in TABLE],
)
def test_dunning_table(
    case: str,
    jurisdiction: str,
    business: bool,
    gross: int,
    payments: list[tuple[int, int]],
    reminders: list[tuple[int, int, int, int, int]],
) -> None:
    claim = Claim(
        policy=policy_for(jurisdiction, DUE),  # type: ignore[arg-type]
        client_is_business=business,
        due_date=DUE,
        principal_due=gross,
    )
    for when, amount in payments:
        claim.apply_payment(amount, day(when))
    charged = 0
    for when, level, interest, fee, flat in reminders:
        due_on, stage = claim.next_step()
        assert stage is not None
        assert (due_on, stage.level) == (day(when), level), case
        charges = claim.remind(stage, due_on)
        assert (charges.interest, charges.fee, charges.flat_compensation) == (
            interest,
            fee,
            flat,
        ), f"{case}: reminder {level}"
        charged += interest + fee + flat
    assert claim.charges_due == charged
    assert claim.owed == gross - sum(a for _, a in payments) + charged


def test_payment_after_reminders_settles_principal_first_then_charges() -> None:
    claim = Claim(
        policy=policy_for("DE", DUE), client_is_business=True, due_date=DUE, principal_due=571_200
    )
    _, stage = claim.next_step()
    assert stage is not None
    charges = claim.remind(stage, day(7))
    split = claim.apply_payment(571_200, day(9))
    assert (split.to_principal, split.to_charges) == (571_200, 0)
    assert claim.principal_due == 0
    assert claim.charges_due == charges.total
    # No more interest once the principal is paid.
    claim.accrue(day(60))
    assert claim.interest_accrued == 0
    claim.apply_payment(charges.total, day(10))
    assert claim.settled


def test_extension_stops_interest_until_the_new_due_date() -> None:
    claim = Claim(
        policy=policy_for("BE", DUE), client_is_business=True, due_date=DUE, principal_due=1_000_000
    )
    claim.extend(day(40), today=day(10))
    due_on, stage = claim.next_step()
    assert stage is not None
    assert due_on == day(47)
    charges = claim.remind(stage, due_on)
    # 10 days before the extension + 7 days after the new due date, on €10,000 at 10.5 %:
    # 1000000 × 10.5 % × 17/365 = 4890.41 → 4890.
    assert charges.interest == 4890


def test_after_the_last_stage_the_claim_escalates() -> None:
    claim = Claim(
        policy=policy_for("DE", DUE), client_is_business=True, due_date=DUE, principal_due=10_000
    )
    for _ in range(4):
        when, stage = claim.next_step()
        assert stage is not None
        claim.remind(stage, when)
    when, stage = claim.next_step()
    assert stage is None
    assert when == day(7 + 14 + 14 + 14 + 14)


@pytest.mark.parametrize(
    ("owed", "lump_sum"),
    [
        (10_000, 2_000),  # €100 → €20
        (15_000, 2_000),  # €150 → €20
        (15_001, 3_000),  # €150.01 → €30 + 10 % × €0.01 = €30.00
        (50_000, 6_500),  # €500 → €30 + €35 = €65
        (100_000, 9_000),  # €1,000 → €65 + 5 % × €500 = €90
        (5_000_000, 200_000),  # €50,000 → €65 + €2,475 = €2,540, capped at €2,000
    ],
)
def test_be_consumer_lump_sum_damages(owed: int, lump_sum: int) -> None:
    assert be_consumer_lump_sum(owed) == lump_sum

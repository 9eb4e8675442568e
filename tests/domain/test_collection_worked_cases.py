"""Worked cases of late payment under the collection rules of 2026 (``docs/collection.md``):
German business and consumer debtors across the 1 July 2025 base-rate change, a Belgian
business across the change of the commercial rate, a Belgian consumer with the free period.
Each reminder charges the interest up to its day, split by half-year; the payment day's
interest becomes a charge of its own. Computations (act/365, rounded once per charge):

DE B2B, €10,000.00 due 2025-06-15 (11.27 % to 30 June, 10.27 % from 1 July), paid 2025-07-25:
  R1 06-22: 1,000,000 × 11.27 % × 7 / 365 = 2,161.37 → 2,161, and the €40 flat
  R2 07-06: × 11.27 % × 8 / 365 = 2,470.14 + × 10.27 % × 6 / 365 = 1,688.22 → 4,158
  R3 07-20: × 10.27 % × 14 / 365 = 3,939.18 → 3,939
  payment 07-25: × 10.27 % × 5 / 365 = 1,406.85 → 1,407
DE B2C, €1,000.00 due 2025-06-20 (7.27 % to 30 June, 6.27 % from 1 July), paid 2025-07-15:
  R1 06-27: 100,000 × 7.27 % × 7 / 365 = 139.42 → 139 (no flat sum, no fee: not yet a Mahnung)
  R2 07-11: × 7.27 % × 3 / 365 = 59.75 + × 6.27 % × 11 / 365 = 188.96 → 249, €2.50 fee
  payment 07-15: × 6.27 % × 4 / 365 = 68.71 → 69
BE B2B, €2,000.00 due 2025-06-25 (11.5 % in H1 2025, 10.5 % in H2), paid 2025-07-10:
  R1 07-02: 200,000 × 11.5 % × 5 / 365 = 315.07 + × 10.5 % × 2 / 365 = 115.07 → 430, €40 flat
  payment 07-10: × 10.5 % × 8 / 365 = 460.27 → 460
BE B2C, €300.00 due 2026-12-02 (10.5 %, carried forward into H2 2026 and H1 2027), paid
2027-01-05: R1 12-09 free, its period 11-24 December (second working day after the e-mail);
  R2 12-25: lump sum €30 + 10 % × €150 = €45, fee €7.50, interest 30,000 × 10.5 % × 1 / 365 =
  8.63 → 9; payment 01-05: × 10.5 % × 11 / 365 = 94.93 → 95
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.dunning import Claim
from domain.policy import policy_for

D = date
# case, jurisdiction, business, gross, due, paid on,
# reminders [(day, level, interest, fee, flat)], interest charged at payment
CASES = [
    (
        "DE B2B across 1 July 2025",
        "DE",
        True,
        1_000_000,
        D(2025, 6, 15),
        D(2025, 7, 25),
        [
            (D(2025, 6, 22), 1, 2161, 0, 4000),
            (D(2025, 7, 6), 2, 4158, 0, 0),
            (D(2025, 7, 20), 3, 3939, 0, 0),
        ],
        1407,
    ),
    (
        "DE B2C across 1 July 2025",
        "DE",
        False,
        100_000,
        D(2025, 6, 20),
        D(2025, 7, 15),
        [(D(2025, 6, 27), 1, 139, 0, 0), (D(2025, 7, 11), 2, 249, 250, 0)],
        69,
    ),
    (
        "BE B2B across 1 July 2025",
        "BE",
        True,
        200_000,
        D(2025, 6, 25),
        D(2025, 7, 10),
        [(D(2025, 7, 2), 1, 430, 0, 4000)],
        460,
    ),
    (
        "BE B2C with the free period",
        "BE",
        False,
        30_000,
        D(2026, 12, 2),
        D(2027, 1, 5),
        [(D(2026, 12, 9), 1, 0, 0, 0), (D(2026, 12, 25), 2, 9, 750, 4500)],
        95,
    ),
]


@pytest.mark.parametrize(
    ("case", "jurisdiction", "business", "gross", "due", "paid_on", "reminders", "at_payment"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_worked_case(
    case: str,
    jurisdiction: str,
    business: bool,
    gross: int,
    due: date,
    paid_on: date,
    reminders: list[tuple[date, int, int, int, int]],
    at_payment: int,
) -> None:
    claim = Claim(
        policy=policy_for(jurisdiction, due),  # type: ignore[arg-type]
        client_is_business=business,
        due_date=due,
        principal_due=gross,
        rules=2,
    )
    for when, level, interest, fee, flat in reminders:
        next_day, stage = claim.next_step()
        assert stage is not None
        assert (next_day, stage.level) == (when, level), case
        charges = claim.remind(stage, next_day)
        assert (charges.interest, charges.fee, charges.flat_compensation) == (
            interest,
            fee,
            flat,
        ), f"{case}: reminder {level}"
    settlement = claim.principal_due + claim.charges_due + claim.interest_to(paid_on)
    assert claim.charge_interest_to(paid_on) == at_payment, case
    claim.apply_payment(settlement, paid_on)
    assert claim.settled, case
    assert claim.charges_total == sum(r[2] + r[3] + r[4] for r in reminders) + at_payment

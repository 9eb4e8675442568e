"""The payroll the lifecycle runs: the member's employment record picks the exact engine.

- Germany (``EmploymentRecordDE``): contributions with ceilings, Minijob/Midijob, PAP wage tax,
  solidarity surcharge and church tax (``domain.payroll.de_engine``).
- Belgium (``BelgianEmployment``: contract + tax record): ONSS on the right base and the key
  formula's withholding (``domain.payroll.be_engine``).
- No record yet: the policy's flat provisional rates (``PolicyPayroll``), flagged provisional, so
  an order never waits on paperwork; ops complete the record for the next wage.

The German engine prices each order as its own employment over the request's period (the
order's actual start and end): a part month with pro-rata ceilings and the daily wage-tax
table. The Belgian engine does not use the period (monthly figures, as before).

Each engine spends the employment budget on the largest gross wage whose employer cost fits;
the cent or two no gross can spend (``remainder_cents``) goes to the cooperative as rounding.
"""

from __future__ import annotations

from domain.payroll.be_engine import belgian_result
from domain.payroll.de_engine import german_result
from domain.payroll.employment import BelgianEmployment, EmploymentRecordDE
from domain.payroll.protocol import PayrollRequest, PayrollResult
from domain.payroll.provisional import PolicyPayroll


class EmploymentPayroll:
    async def run(self, request: PayrollRequest) -> PayrollResult:
        record = request.employment
        if isinstance(record, EmploymentRecordDE) and request.jurisdiction == "DE":
            return german_result(request.breakdown, record, request.pay_date, request.period)
        if isinstance(record, BelgianEmployment) and request.jurisdiction == "BE":
            return belgian_result(request.breakdown, record, request.pay_date, request.period)
        if record is not None:
            raise request.record_mismatch()
        return await PolicyPayroll().run(request)

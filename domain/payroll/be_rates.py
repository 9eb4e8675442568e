"""Belgian payroll figures, dated by ``valid_from`` and chosen by the wage's payment date.

One ``BelgianRates`` per calendar year. Each covers its year up to ``valid_until``: a payment
date after the newest year is refused (the withholding scale is re-indexed every 1 January, so
last year's figures would be a guess), and so is one before the oldest.

Sources, figure by figure:

- Employee social-security contribution, 13.07 % of gross (ONSS/RSZ administrative instructions
  DmfA, "Les cotisations / De bijdragen": cotisation personnelle des travailleurs salariés).
- Employer basic contribution, private sector (category 1 of the structural reduction): 25.00 %
  = 19.88 % basic contribution + 5.12 % wage-moderation contribution. ONSS instructions DmfA,
  "Le pourcentage de cotisation globalisé" (tax-shift, in force since Q1 2018) and
  "Loonmatigingsbijdrage": 4.27 % of the wage plus 4.27 % of the employer contributions for
  categories 1 and 3, i.e. 4.27 % x 1.1988 = 5.12 %. DOMAIN.md's "≈ 27 % effective" adds the
  small employer-specific levies (closure fund, temporary unemployment, sector funds), which
  depend on the joint committee and are not included here.
- Blue-collar workers and artists (art. 1bis, law of 27 June 1969, who fall under the manual
  workers' holiday scheme): every contribution on 108 % of gross (ONSS instructions DmfA,
  "Travailleurs manuels: cotisations sur 108 %").
- Blue-collar and artists' annual-holiday contribution, employer only, 15.84 % of the 108 % base
  (5.57 % collected each quarter + 10.27 % collected once a year by ONSS for the holiday fund).
  Royal Decree of 7 June 2015 (Belgian Official Gazette 16 June 2015, executing the law of
  23 April 2015 on the promotion of employment): the quarterly part falls to 5.57 % from
  Q1 2018, the yearly 10.27 % is unchanged, total 15.84 % (Easypay Group, "Diminution des
  cotisations patronales à la caisse de vacances", 19 June 2015); ONSS instructions, "Les
  cotisations annuelles" (10.27 % of the 108 % wages, due 31 March); Acerta 2019 (5.57 % a
  quarter); Cobelsa, "Pécule de vacances 2025" (10.27 % of 108 % for 2025). No change in 2026
  was found (ONSS instructions 2026/3, code 253, as quoted before).
- The professional withholding tax scale ("formule-clé", Annex III to the Royal Decree
  implementing the 1992 Income Tax Code, AR/CIR 92):
  2025: SPF Finances, "Formule-clé pour le calcul du précompte professionnel sur les
  rémunérations payées ou attribuées à partir du 1er janvier 2025", ref. ESS-SR/2024-0015
  (Royal Decree of 12 Dec 2024, Belgian Official Gazette 18 Dec 2024);
  2026: same title "... à partir du 1er janvier 2026", ref. ESS-SR/2025-0928 (Royal Decree of
  11 Dec 2025, Official Gazette 29 Dec 2025). Point numbers are quoted next to each figure.
  The figures were read from two independent public implementations that quote these
  documents; the 2026 case "gross 3,500, single" reproduces an external reference (617.41).
  The 2026 document says it will be adapted during 2026 (federal tax reform): that is a new
  ``BelgianRates`` with its own ``valid_from``, not an edit of this one.
- Work bonus (bonus à l'emploi / werkbonus), social and fiscal: ``be_work_bonus``, with its own
  dated periods (they change several times a year, not on 1 January).
- Special social-security contribution (cotisation spéciale de sécurité sociale / bijzondere
  bijdrage voor de sociale zekerheid): not computed and not withheld. It is a quarterly advance
  on a household-based contribution (spouse's income matters), regularised each quarter, and its
  2026 scale changed with the tax reform; see docs/payroll-be.md. ``be_payroll`` reports it as
  not withheld rather than guessing it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Final

from pydantic import BaseModel, ConfigDict

from domain.errors import UnsupportedCase

# Marks a figure taken from a secondary source and not yet checked against the official text.
SECONDARY: Final = "secondary source, to check against the official text"

HOLIDAY_RATE_SOURCE: Final = (
    "Royal Decree of 7 June 2015 (MB 16.06.2015): 5.57 % a quarter from Q1 2018 + 10.27 % a "
    "year (ONSS instructions, annual contributions)"
)


class TaxBracket(BaseModel):
    """One bracket of the withholding base scale: ``rate`` on the part above ``above_cents``."""

    model_config = ConfigDict(frozen=True)

    above_cents: int
    rate: Decimal


class WithholdingScale(BaseModel):
    """The parameters of the formule-clé for one year (annual amounts, in cents)."""

    model_config = ConfigDict(frozen=True)

    source: str
    # n° 8, 1°: lump-sum professional expenses of employees, a rate capped at a maximum.
    lump_sum_expenses_rate: Decimal
    lump_sum_expenses_max_cents: int
    # Annex 1: the base scale. Its rates are the income-tax rates (25/40/45/50 %) x 1.07, the
    # 7 % standing for the average municipal surcharge.
    brackets: tuple[TaxBracket, ...]
    # n° 11, a: the tax on the tax-free allowance (quotité exemptée), for a single person or a
    # spouse with own professional income.
    exempt_allowance_cents: int
    exempt_allowance_tax_cents: int
    # Annex 3: annual reduction for dependent children, indexed by their number (0..8), and
    # per child above eight.
    child_reductions_cents: tuple[int, ...]
    extra_child_reduction_cents: int
    # Annex 4, 1: supplementary annual reduction for a single person with dependent children.
    single_parent_reduction_cents: int


class BelgianRates(BaseModel):
    model_config = ConfigDict(frozen=True)

    valid_from: date
    valid_until: date

    employee_rate: Decimal
    employer_basic_rate: Decimal  # basic contribution incl. wage moderation, category 1
    blue_collar_base_factor: Decimal  # contributions on 108 % for blue-collar work and artists
    blue_collar_holiday_rate: Decimal  # employer, on the 108 % base
    blue_collar_holiday_rate_source: str

    withholding: WithholdingScale

    def covers(self, on: date) -> bool:
        return self.valid_from <= on <= self.valid_until


def _brackets(*pairs: tuple[int, str]) -> tuple[TaxBracket, ...]:
    return tuple(TaxBracket(above_cents=above, rate=Decimal(rate)) for above, rate in pairs)


_RATES_2025 = BelgianRates(
    valid_from=date(2025, 1, 1),
    valid_until=date(2025, 12, 31),
    employee_rate=Decimal("0.1307"),
    employer_basic_rate=Decimal("0.2500"),
    blue_collar_base_factor=Decimal("1.08"),
    blue_collar_holiday_rate=Decimal("0.1584"),
    blue_collar_holiday_rate_source=HOLIDAY_RATE_SOURCE,
    withholding=WithholdingScale(
        source="SPF Finances, formule-clé 2025, ESS-SR/2024-0015 (AR 12.12.2024, MB 18.12.2024)",
        lump_sum_expenses_rate=Decimal("0.30"),
        lump_sum_expenses_max_cents=593_000,
        brackets=_brackets(
            (0, "0.2675"),
            (1_631_000, "0.4280"),
            (2_879_000, "0.4815"),
            (4_982_000, "0.5350"),
        ),
        exempt_allowance_cents=1_090_000,
        exempt_allowance_tax_cents=291_575,
        child_reductions_cents=(
            0,
            61_200,
            160_800,
            429_600,
            742_800,
            1_083_600,
            1_423_200,
            1_767_600,
            2_144_400,
        ),
        extra_child_reduction_cents=378_000,
        single_parent_reduction_cents=61_200,
    ),
)

_RATES_2026 = BelgianRates(
    valid_from=date(2026, 1, 1),
    valid_until=date(2026, 12, 31),
    employee_rate=Decimal("0.1307"),
    employer_basic_rate=Decimal("0.2500"),
    blue_collar_base_factor=Decimal("1.08"),
    blue_collar_holiday_rate=Decimal("0.1584"),
    blue_collar_holiday_rate_source=HOLIDAY_RATE_SOURCE,
    withholding=WithholdingScale(
        source="SPF Finances, formule-clé 2026, ESS-SR/2025-0928 (AR 11.12.2025, MB 29.12.2025)",
        lump_sum_expenses_rate=Decimal("0.30"),
        lump_sum_expenses_max_cents=607_000,
        brackets=_brackets(
            (0, "0.2675"),
            (1_671_000, "0.4280"),
            (2_950_000, "0.4815"),
            (5_105_000, "0.5350"),
        ),
        exempt_allowance_cents=1_117_000,
        exempt_allowance_tax_cents=298_798,
        child_reductions_cents=(
            0,
            62_400,
            165_600,
            440_400,
            762_000,
            1_110_000,
            1_459_200,
            1_812_000,
            2_199_600,
        ),
        extra_child_reduction_cents=386_400,
        single_parent_reduction_cents=62_400,
    ),
)

BELGIAN_RATES: tuple[BelgianRates, ...] = (_RATES_2025, _RATES_2026)


def be_rates_for(pay_date: date) -> BelgianRates:
    """The Belgian figures in force on ``pay_date`` (the day the wage is paid)."""
    for rates in BELGIAN_RATES:
        if rates.covers(pay_date):
            return rates
    known = ", ".join(str(r.valid_from.year) for r in BELGIAN_RATES)
    raise UnsupportedCase(
        f"no Belgian payroll figures for a wage paid on {pay_date.isoformat()}: the withholding "
        f"scale is published per year and only {known} are encoded"
    )

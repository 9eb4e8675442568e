"""German wage tax (Lohnsteuer), solidarity surcharge and church-tax base for a monthly wage.

A Decimal transcription of the BMF Programmablaufplan (PAP) for the machine computation of wage
tax, PAP 2025 (with the Steuerfortentwicklungsgesetz figures: Grundfreibetrag 12,096 €) and
PAP 2026 (BMF letter of 12 Nov 2025), following the BMF's own pseudo-code (the ITZBund XML
files "Lohnsteuer2025Big" and "Lohnsteuer2026Big", the latter of 2025-10-23) module by module,
with the same truncations (Java ``ROUND_DOWN`` = toward zero, ``ROUND_UP`` = away from zero).

Scope: the current wage of a month (LZZ = 2), of a calendar day (LZZ = 4, for a pay period
shorter than a month) or of a year (LZZ = 1, for the BMF test table) of a statutorily insured
employee (PKV = 0), factor procedure off (f = 1), no Versorgungsbezüge,
no allowance or addition on the ELStAM (LZZFREIB, LZZHINZU), no other payments (SONSTB):
those inputs do not exist here, so they cannot be passed.

Pay periods (MRE4JL and UPANTEIL): the PAP turns the wage of the period (RE4) into a yearly
wage, ZRE4J = RE4 x 12 / 100 for a month, RE4 x 360 / 100 for a day, cut to the cent, and takes
the period's share of the yearly tax, SolZ and church-tax base: / 12 for a month, / 360 for a
day, cut to whole cents. A part month (an employment beginning or ending within the month) is a
Teillohnzahlungszeitraum: its wage is turned into a wage per calendar day, the daily table
(LZZ = 4) applies, and the daily amounts times the calendar days are withheld (R 39b.5 Abs. 2
LStR, § 39b Abs. 2 Satz 9 EStG; Haufe TVöD Office, "Teillohnzahlungszeitraum: Berechnung der
Lohnsteuer"): ``part_period_wage_tax``.

The PAP returns BK, the church-tax base; church tax itself is BK times the Land's rate (8 % or
9 %), fractions of a cent dropped, as for the solidarity surcharge.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_UP, Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.errors import UnsupportedCase
from domain.money import Cents, round_cents

_D0 = Decimal(0)
_D100 = Decimal(100)
_D12 = Decimal(12)
_D360 = Decimal(360)
PayPeriod = Literal["month", "day", "year"]
# MRE4JL's factor from the period's wage to a yearly wage, and UPANTEIL's divisor back.
_PERIODS_PER_YEAR: dict[str, Decimal] = {"year": Decimal(1), "month": _D12, "day": _D360}


def _down(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)


def _up(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_UP)


class _Tariff(BaseModel):
    """§ 32a EStG as the PAP's UPTAB routine writes it."""

    model_config = ConfigDict(frozen=True)

    gfb: Decimal  # Grundfreibetrag
    zone2_below: Decimal
    zone2_a: Decimal
    zone3_start: Decimal
    zone3_below: Decimal
    zone3_a: Decimal
    zone3_c: Decimal
    zone4_below: Decimal
    zone4_minus: Decimal
    zone5_minus: Decimal


class PapParameters(BaseModel):
    """The figures of one year's PAP (MPARA, MZTABFB, UPTAB, UPEVP)."""

    model_config = ConfigDict(frozen=True)

    year: int
    bbg_rv: Decimal  # yearly, euros
    bbg_kv_pv: Decimal
    rv_employee_rate: Decimal
    av_employee_rate: Decimal
    kv_reduced_half_rate: Decimal  # 7.0 %: half of the reduced rate, § 39b Abs. 2 S. 5 Nr. 3 b
    pv_employee_rate: Decimal
    pv_saxony_employee_rate: Decimal
    w1: Decimal
    w2: Decimal
    w3: Decimal
    solz_free: Decimal
    child_allowance: Decimal  # full KFB per ZKF 1.0 (half in tax class IV)
    tariff: _Tariff
    # PAP 2025 keeps the 12 % "Mindestvorsorgepauschale"; PAP 2026 caps KV/PV + AV at 1,900 €.
    minimum_provision: bool
    up56_x_places: int  # UP5_6 truncates 1.25 x ZX to 2 places in 2025, to euros in 2026


PAP_2025 = PapParameters(
    year=2025,
    bbg_rv=Decimal(96600),
    bbg_kv_pv=Decimal(66150),
    rv_employee_rate=Decimal("0.093"),
    av_employee_rate=Decimal("0.013"),
    kv_reduced_half_rate=Decimal("0.07"),
    pv_employee_rate=Decimal("0.018"),
    pv_saxony_employee_rate=Decimal("0.023"),
    w1=Decimal(13785),
    w2=Decimal(34240),
    w3=Decimal(222260),
    solz_free=Decimal(19950),
    child_allowance=Decimal(9600),
    tariff=_Tariff(
        gfb=Decimal(12096),
        zone2_below=Decimal(17444),
        zone2_a=Decimal("932.30"),
        zone3_start=Decimal(17443),
        zone3_below=Decimal(68481),
        zone3_a=Decimal("176.64"),
        zone3_c=Decimal("1015.13"),
        zone4_below=Decimal(277826),
        zone4_minus=Decimal("10911.92"),
        zone5_minus=Decimal("19246.67"),
    ),
    minimum_provision=True,
    up56_x_places=2,
)

PAP_2026 = PapParameters(
    year=2026,
    bbg_rv=Decimal(101400),
    bbg_kv_pv=Decimal(69750),
    rv_employee_rate=Decimal("0.093"),
    av_employee_rate=Decimal("0.013"),
    kv_reduced_half_rate=Decimal("0.07"),
    pv_employee_rate=Decimal("0.018"),
    pv_saxony_employee_rate=Decimal("0.023"),
    w1=Decimal(14071),
    w2=Decimal(34939),
    w3=Decimal(222260),
    solz_free=Decimal(20350),
    child_allowance=Decimal(9756),
    tariff=_Tariff(
        gfb=Decimal(12348),
        zone2_below=Decimal(17800),
        zone2_a=Decimal("914.51"),
        zone3_start=Decimal(17799),
        zone3_below=Decimal(69879),
        zone3_a=Decimal("173.10"),
        zone3_c=Decimal("1034.87"),
        zone4_below=Decimal(277826),
        zone4_minus=Decimal("11135.63"),
        zone5_minus=Decimal("19470.38"),
    ),
    minimum_provision=False,
    up56_x_places=0,
)

PAPS: dict[int, PapParameters] = {2025: PAP_2025, 2026: PAP_2026}

# Altersentlastungsbetrag (§ 24a EStG), PAP TAB4 / TAB5 indexed by AJAHR - 2004.
_TAB4 = tuple(
    Decimal(x)
    for x in (
        "0 0.4 0.384 0.368 0.352 0.336 0.32 0.304 0.288 0.272 0.256 0.24 0.224 0.208 0.192 "
        "0.176 0.16 0.152 0.144 0.14 0.136 0.132 0.128 0.124 0.12 0.116 0.112 0.108 0.104 0.1 "
        "0.096 0.092 0.088 0.084 0.08 0.076 0.072 0.068 0.064 0.06 0.056 0.052 0.048 0.044 "
        "0.04 0.036 0.032 0.028 0.024 0.02 0.016 0.012 0.008 0.004 0"
    ).split()
)
_TAB5 = tuple(
    Decimal(x)
    for x in (
        "0 1900 1824 1748 1672 1596 1520 1444 1368 1292 1216 1140 1064 988 912 836 760 722 "
        "684 665 646 627 608 589 570 551 532 513 494 475 456 437 418 399 380 361 342 323 304 "
        "285 266 247 228 209 190 171 152 133 114 95 76 57 38 19 0"
    ).split()
)


class WageTaxInput(BaseModel):
    """PAP inputs, named for what they mean; the PAP's own name in each comment."""

    model_config = ConfigDict(frozen=True)

    year: int
    wage_cents: Cents = Field(ge=0)  # RE4, for the pay period
    pay_period: PayPeriod = "month"  # LZZ = 2, 4 or 1
    tax_class: int = Field(ge=1, le=6)  # STKL
    child_allowances: Decimal = Decimal(0)  # ZKF
    church: bool = False  # R > 0
    kv_additional_percent: Decimal = Decimal(0)  # KVZ, e.g. 2.90
    pv_saxony: bool = False  # PVS
    pv_surcharge: bool = False  # PVZ
    pv_reductions: int = Field(default=0, ge=0, le=4)  # PVA
    age_relief_year: int | None = None  # AJAHR when ALTER1 = 1
    rv_insured: bool = True  # KRV = 0
    av_insured: bool = True  # ALV = 0 (PAP 2026)


class WageTaxResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    wage_tax_cents: Cents  # LSTLZZ
    solidarity_cents: Cents  # SOLZLZZ
    church_tax_base_cents: Cents  # BK


class _Run:
    """One run of the PAP's main line for a current wage (MPARA .. MSOLZ)."""

    def __init__(self, p: PapParameters, i: WageTaxInput) -> None:
        self.p = p
        self.i = i
        self.kv_rate = i.kv_additional_percent / 2 / _D100 + p.kv_reduced_half_rate
        pv = p.pv_saxony_employee_rate if i.pv_saxony else p.pv_employee_rate
        if i.pv_surcharge:
            pv += Decimal("0.006")
        else:
            pv -= Decimal(i.pv_reductions) * Decimal("0.0025")
        self.pv_rate = pv
        periods = _PERIODS_PER_YEAR[i.pay_period]
        self.zre4j = _down(Decimal(i.wage_cents) * periods / _D100, 2)  # MRE4JL
        self.alte = self._age_relief()  # MRE4 / MRE4ALTE
        self.zre4 = max(_D0, _down(self.zre4j - self.alte, 2))  # MRE4ABZ
        self.kztab = 2 if i.tax_class == 3 else 1

    def _age_relief(self) -> Decimal:
        if self.i.age_relief_year is None:
            return _D0
        k = min(max(self.i.age_relief_year - 2004, 1), 54)
        return min(_up(self.zre4j * _TAB4[k], 0), _TAB5[k])

    def table_allowances(self) -> tuple[Decimal, Decimal]:
        """MZTABFB: the fixed allowances (ZTABFB) and the child allowances (KFB)."""
        stkl = self.i.tax_class
        anp = _D0
        if stkl < 6 and self.zre4 > 0:
            anp = _up(self.zre4, 0) if self.zre4 < 1230 else Decimal(1230)
        efa = Decimal(4260) if stkl == 2 else _D0
        sap = Decimal(36) if stkl < 6 else _D0
        if stkl in (1, 2, 3):
            kfb = _down(self.i.child_allowances * self.p.child_allowance, 0)
        elif stkl == 4:
            kfb = _down(self.i.child_allowances * self.p.child_allowance / 2, 0)
        else:
            kfb = _D0
        return _down(efa + anp + sap, 2), kfb

    def provision(self) -> Decimal:
        """UPEVP: the Vorsorgepauschale."""
        return self._provision_2025() if self.p.minimum_provision else self._provision_2026()

    def _provision_2026(self) -> Decimal:
        p, i, zre4vp = self.p, self.i, self.zre4j
        vspr = _down(min(zre4vp, p.bbg_rv) * p.rv_employee_rate, 2) if i.rv_insured else _D0
        vspkvpv = _down(min(zre4vp, p.bbg_kv_pv) * (self.kv_rate + self.pv_rate), 2)  # MVSPKVPV
        vsp = _up(vspkvpv + vspr, 0)
        if i.av_insured and i.tax_class != 6:  # MVSPHB
            vspalv = _down(p.av_employee_rate * min(zre4vp, p.bbg_rv), 2)
            vsphb = min(_down(vspalv + vspkvpv, 2), Decimal(1900))
            vsp = max(vsp, _up(vspr + vsphb, 0))
        return vsp

    def _provision_2025(self) -> Decimal:
        p, i, zre4vp = self.p, self.i, self.zre4j
        if i.rv_insured:
            zre4vp = min(zre4vp, p.bbg_rv)
            vsp1 = _down(zre4vp * p.rv_employee_rate, 2)
        else:
            vsp1 = _D0
        vsp2 = min(_down(zre4vp * Decimal("0.12"), 2), Decimal(3000 if i.tax_class == 3 else 1900))
        vspn = _up(vsp1 + vsp2, 0)
        vsp3 = _down(min(zre4vp, p.bbg_kv_pv) * (self.kv_rate + self.pv_rate), 2)  # MVSP
        return max(_up(vsp3 + vsp1, 0), vspn)

    def tariff(self, x: Decimal) -> Decimal:
        """UPTAB25 / UPTAB26 on X (per person: the caller halves it for splitting)."""
        t = self.p.tariff
        if x < t.gfb + 1:
            st = _D0
        elif x < t.zone2_below:
            y = _down((x - t.gfb) / 10000, 6)
            st = _down((y * t.zone2_a + 1400) * y, 0)
        elif x < t.zone3_below:
            y = _down((x - t.zone3_start) / 10000, 6)
            st = _down((y * t.zone3_a + 2397) * y + t.zone3_c, 0)
        elif x < t.zone4_below:
            st = _down(x * Decimal("0.42") - t.zone4_minus, 0)
        else:
            st = _down(x * Decimal("0.45") - t.zone5_minus, 0)
        return st * self.kztab

    def _up5_6(self, zx: Decimal) -> Decimal:
        places = self.p.up56_x_places
        st1 = self.tariff(_down(zx * Decimal("1.25"), places))
        st2 = self.tariff(_down(zx * Decimal("0.75"), places))
        diff = (st1 - st2) * 2
        mist = _down(zx * Decimal("0.14"), 0)
        return mist if mist > diff else diff

    def _mst5_6(self, zzx: Decimal) -> Decimal:
        p = self.p
        if zzx > p.w2:
            st = self._up5_6(p.w2)
            if zzx > p.w3:
                st = _down(st + (p.w3 - p.w2) * Decimal("0.42"), 0)
                return _down(st + (zzx - p.w3) * Decimal("0.45"), 0)
            return _down(st + (zzx - p.w2) * Decimal("0.42"), 0)
        st = self._up5_6(zzx)
        if zzx > p.w1:
            high = _down(self._up5_6(p.w1) + (zzx - p.w1) * Decimal("0.42"), 0)
            return high if high < st else st
        return st

    def yearly_tax(self, ztabfb: Decimal) -> Decimal:
        """MLSTJAHR + UPMLST: the yearly tax ST in euros."""
        zve = self.zre4 - ztabfb - self.provision()
        x = _D0 if zve < 1 else _down(zve / self.kztab, 0)
        if self.i.tax_class < 5:
            return self.tariff(x)
        return self._mst5_6(x)


def _share(yearly_cents: Decimal, pay_period: str) -> Cents:
    """UPANTEIL: the pay period's share of a yearly amount, cut to whole cents (LZZ 1: all
    of it; LZZ 2: / 12; LZZ 4: / 360)."""
    if pay_period == "year":
        return int(yearly_cents)
    return int(_down(yearly_cents / _PERIODS_PER_YEAR[pay_period], 0))


def wage_tax(i: WageTaxInput) -> WageTaxResult:
    """LSTLZZ, SOLZLZZ and BK of the PAP of ``i.year`` for the pay period."""
    p = PAPS.get(i.year)
    if p is None:
        raise UnsupportedCase(f"no BMF Programmablaufplan for {i.year} (have {sorted(PAPS)})")
    if i.child_allowances and i.tax_class > 4:
        raise UnsupportedCase("child allowances (ZKF) exist in tax classes I to IV only")
    run = _Run(p, i)
    ztabfb, kfb = run.table_allowances()
    lstjahr = run.yearly_tax(ztabfb)  # f = 1
    lstlzz = _share(lstjahr * _D100, i.pay_period)
    jbmg = run.yearly_tax(ztabfb + kfb) if i.child_allowances > 0 else lstjahr

    solz_free = p.solz_free * run.kztab  # MSOLZ
    solzlzz = 0
    if jbmg > solz_free:
        solzj = _down(jbmg * Decimal("5.5") / _D100, 2)
        solzmin = _down((jbmg - solz_free) * Decimal("11.9") / _D100, 2)
        solzj = min(solzj, solzmin)
        solzlzz = _share(_down(solzj * _D100, 0), i.pay_period)
    bk = _share(jbmg * _D100, i.pay_period) if i.church else 0
    return WageTaxResult(wage_tax_cents=lstlzz, solidarity_cents=solzlzz, church_tax_base_cents=bk)


class PartPeriodWageTax(BaseModel):
    """The daily table's result for a part month and what is withheld for it."""

    model_config = ConfigDict(frozen=True)

    days: int
    daily_wage_cents: Cents  # RE4 of LZZ 4
    daily: WageTaxResult  # LSTLZZ, SOLZLZZ, BK for one day
    total: WageTaxResult  # each x days: what is withheld for the period


def part_period_wage_tax(i: WageTaxInput, days: int) -> PartPeriodWageTax:
    """Wage tax, SolZ and church-tax base for ``days`` calendar days, ``i.wage_cents`` being the
    wage of the whole part period: the wage per calendar day (rounded to the cent, as RE4 is in
    cents) runs through the PAP with LZZ = 4, and each daily amount is multiplied by ``days``.
    The church tax is then taken on the period's base (``church_tax(total.church_tax_base_cents,
    rate)``), as for a month."""
    if not 1 <= days <= 31:
        raise UnsupportedCase(f"a part pay period has 1 to 31 calendar days, not {days}")
    daily_wage = round_cents(Decimal(i.wage_cents) / days)
    daily = wage_tax(i.model_copy(update={"wage_cents": daily_wage, "pay_period": "day"}))
    total = WageTaxResult(
        wage_tax_cents=daily.wage_tax_cents * days,
        solidarity_cents=daily.solidarity_cents * days,
        church_tax_base_cents=daily.church_tax_base_cents * days,
    )
    return PartPeriodWageTax(days=days, daily_wage_cents=daily_wage, daily=daily, total=total)


def church_tax(base_cents: Cents, rate: Decimal) -> Cents:
    """Church tax on the PAP's base BK; fractions of a cent are dropped."""
    return int(_down(Decimal(base_cents) * rate, 0))

"""The periodic declaration workflows' activity steps: names and typed requests/results.

Workflows call the activities by these names (they never import the activity code, which
touches the database); ``activities/declaration_activities.py`` registers under them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

DECLARE_DEUEV_REPORTS = "declare_deuev_reports"
DECLARE_BEITRAGSNACHWEISE = "declare_beitragsnachweise"
DECLARE_LOHNSTEUERANMELDUNG = "declare_lohnsteueranmeldung"
DECLARE_DMFA = "declare_dmfa"


class PeriodInput(BaseModel):
    """Workflow input. ``period`` (``2026-03`` or ``2026-Q1``) when started by hand; a
    schedule leaves it empty and the workflow takes the period before its scheduled time."""

    model_config = ConfigDict(frozen=True)

    period: str | None = None


class PeriodRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    period: str


class Declared(BaseModel):
    """One declaration of the period, as recorded."""

    model_config = ConfigDict(frozen=True)

    period_key: str
    kind: str
    created: bool  # False: it was already declared (a rerun of the period)
    total_cents: int = 0
    late: bool = False  # filed after its deadline
    # Payslips of the period that are not in the recorded declaration (paid after it was
    # made): they need a correction, which is not automated.
    unreported_payslips: tuple[str, ...] = ()


class ManualCase(BaseModel):
    """A payslip the automatic declarations leave to a person (an unsupported case)."""

    model_config = ConfigDict(frozen=True)

    payslip_ref: str
    declaration: str  # which declaration it is missing from
    reason: str


class StepResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    declared: tuple[Declared, ...] = ()
    manual: tuple[ManualCase, ...] = ()


class PeriodOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    period: str
    declarations: tuple[Declared, ...]
    manual: tuple[ManualCase, ...] = ()

    @property
    def created(self) -> int:
        return sum(d.created for d in self.declarations)

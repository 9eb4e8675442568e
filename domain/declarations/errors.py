"""Errors of the declarations."""

from __future__ import annotations

from domain.errors import DomainError


class MissingEmployeeData(DomainError):
    """A payslip's employee lacks what a declaration needs (insurance number, health fund...):
    ops completes the member's social-security data and retries."""

    code = "missing-employee-data"

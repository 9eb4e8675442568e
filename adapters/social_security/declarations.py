"""Employment declarations to social security: start and end of each engagement.

Belgium: Dimona IN / OUT. Germany: DEUEV registration (Abgabegrund 10) / deregistration (30).

``SocialSecurity`` is what activities depend on; it stays one method so a real client fits
behind it: the local register (``local_register.LocalSocialSecurity``) or the Dimona REST API
(``dimona.DimonaClient``). With ``social_security_backend="dimona"`` the worker routes Belgian
declarations to Dimona and keeps German ones in the local register
(``SocialSecurityByJurisdiction``; docs/payroll-and-declarations-setup.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from adapters.errors import PermanentAdapterError

Jurisdiction = Literal["DE", "BE"]
DeclarationKind = Literal["start", "end"]


class EmploymentDeclaration(BaseModel):
    model_config = ConfigDict(frozen=True)

    declaration_key: str  # idempotency key, e.g. "order-42-start"; [A-Za-z0-9._-], <= 128
    kind: DeclarationKind
    jurisdiction: Jurisdiction
    member_id: str
    member_name: str
    order_id: str
    period_start: date
    period_end: date


class DeclarationReceipt(BaseModel):
    model_config = ConfigDict(frozen=True)

    declaration_key: str
    reference: str
    # accepted_with_warning: filed after its deadline; it stands, but was late.
    status: Literal["accepted", "accepted_with_warning"]
    created: bool  # False when the key was declared before and nothing was written


class SocialSecurity(Protocol):
    async def declare(self, declaration: EmploymentDeclaration) -> DeclarationReceipt: ...


class SocialSecurityByJurisdiction:
    """One ``SocialSecurity`` per jurisdiction (the activities hold one): e.g. Dimona for BE,
    the local register for DE until a DEÜV channel exists."""

    def __init__(self, by_jurisdiction: Mapping[str, SocialSecurity]) -> None:
        self._by = dict(by_jurisdiction)

    async def declare(self, declaration: EmploymentDeclaration) -> DeclarationReceipt:
        target = self._by.get(declaration.jurisdiction)
        if target is None:
            raise PermanentAdapterError(
                f"no social-security channel for {declaration.jurisdiction} is configured"
            )
        return await target.declare(declaration)

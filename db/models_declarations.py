"""Tables of the periodic declarations: what was declared per period, and the social-security
data of members the declarations need (insurance numbers, health fund, contribution groups)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base


class PeriodicDeclaration(Base):
    """One declaration for one period, written once: the unique ``period_key`` (e.g.
    ``DE-BN-2026-03-12345678``, ``DE-LSTA-2026-03``, ``BE-DMFA-2026-Q1``) is what makes
    running a period twice declare nothing twice."""

    __tablename__ = "periodic_declarations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_key: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(32))  # beitragsnachweis | lohnsteueranmeldung | dmfa
    jurisdiction: Mapped[str] = mapped_column(String(2))
    period: Mapped[str] = mapped_column(String(10), index=True)  # 2026-03 or 2026-Q1
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="prepared")  # prepared | filed
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class MemberSocialInsurance(Base):
    """What the declarations need to know about a member as an employee. DE: pension insurance
    number, health fund, person group, contribution groups, occupation key, church tax. BE:
    national number (INSS), contract type, joint committee and Dimona worker type."""

    __tablename__ = "member_social_insurance"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(2))
    insurance_number: Mapped[str] = mapped_column(String(16))  # DE VSNR / BE INSS
    family_name: Mapped[str] = mapped_column(String(100), default="")
    given_name: Mapped[str] = mapped_column(String(100), default="")
    # DE
    health_fund_number: Mapped[str | None] = mapped_column(String(8), nullable=True)
    person_group: Mapped[str] = mapped_column(String(3), default="101")
    contribution_groups: Mapped[str] = mapped_column(String(4), default="1111")
    occupation_key: Mapped[str | None] = mapped_column(String(9), nullable=True)
    childless: Mapped[bool] = mapped_column(Boolean, default=False)
    church_tax: Mapped[str | None] = mapped_column(String(2), nullable=True)  # ev | rk
    # BE
    contract_type: Mapped[str] = mapped_column(String(16), default="white_collar")
    joint_committee: Mapped[str | None] = mapped_column(String(10), nullable=True)
    dimona_worker_type: Mapped[str | None] = mapped_column(String(3), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

"""The member's employment record: what payroll needs beyond the order (tax class, children,
church, federal state and health fund in Germany; contract type and family situation in
Belgium). Stored as the validated domain model's JSON, one row per member."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base


class EmploymentRecord(Base):
    __tablename__ = "employment_records"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(2))
    data: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

"""Magic links of the member's pages (``/me/magic/<token>``): a log-in by e-mail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base


class MemberLoginLink(Base):
    """A one-time ``/me/magic/<token>`` capability e-mailed to a member who asked for it:
    random (192 bits), stored only as its SHA-256, short-lived, used once (``used_at``)."""

    __tablename__ = "member_login_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

"""Bearer tokens as the API shows them: issued (the token itself shown once) and revoked."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.schemas import UtcDatetime


class TokenIssued(BaseModel):
    token: str | None = Field(description="Shown once: store it now")
    token_id: int | None = Field(default=None, description="To revoke it: DELETE /tokens/{id}")
    role: str
    label: str
    member_id: int | None = None
    expires_at: UtcDatetime | None = None


class TokenRevoked(BaseModel):
    token_id: int
    role: str
    label: str
    revoked_at: UtcDatetime


class LinksRevoked(BaseModel):
    """An order's public links closed at once (leaked, sent to the wrong person)."""

    order_id: int
    signing_links: int = Field(description="signing links revoked (the open offer's)")
    pay_links: int = Field(description="payment-link tokens revoked")
    revoked_at: UtcDatetime
    next_steps: str

"""Online payment through Stripe: customers, payment links, the webhook inbox, refunds.

A Stripe payment itself becomes a row of ``payments`` (``db.models.Payment``, source
``stripe``, key ``<payment intent id>:<charge id>``) like any other payment of an invoice.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base


def _now() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now())


class StripeCustomer(Base):
    """The one Stripe Customer of a client."""

    __tablename__ = "stripe_customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), unique=True)
    customer_id: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = _now()


class PayLinkToken(Base):
    """A public ``/pay/<token>`` capability: random (192 bits), stored only as its SHA-256,
    expiring and revocable. Each document (the invoice, each reminder, the credit note) carries
    a token of its own; all lead to the invoice's one ``PaymentLink``."""

    __tablename__ = "pay_link_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    payment_link_id: Mapped[int] = mapped_column(ForeignKey("payment_links.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PaymentLink(Base):
    """The invoice's payment and the PaymentIntent it pays now; ``token`` is its internal
    random id (never shown: clients reach it through ``PayLinkToken``s).

    The intent is replaced (and the old one cancelled) when the amount due changed or the last
    attempt failed; ``generation`` counts the intents created, so each gets its own
    Idempotency-Key even when an amount comes back.
    """

    __tablename__ = "payment_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), unique=True)
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), nullable=True, index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    # open | processing | succeeded | failed: the state of the current intent
    status: Mapped[str] = mapped_column(String(16), default="open")
    generation: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = _now()
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class StripeEvent(Base):
    """The webhook inbox: each event stored once (by Stripe's id), handled after the 2xx."""

    __tablename__ = "stripe_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(100), index=True)
    payload: Mapped[str] = mapped_column(Text)
    # From the object's metadata; no foreign key: an event may name an order of another system.
    order_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    received_at: Mapped[datetime] = _now()
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    outcome: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")


class StripeRefund(Base):
    """Money returned to the client through Stripe: a negative movement, one row per Stripe
    refund. ``booked`` is for whoever books it against the order (the workflow or finance)."""

    __tablename__ = "stripe_refunds"
    __table_args__ = (CheckConstraint("amount_cents < 0", name="ck_stripe_refunds_negative"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    refund_id: Mapped[str] = mapped_column(String(255), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    payment_intent_id: Mapped[str] = mapped_column(String(255))
    charge_id: Mapped[str] = mapped_column(String(255), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    refunded_on: Mapped[date] = mapped_column(Date)
    event_id: Mapped[str] = mapped_column(String(255))
    booked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = _now()

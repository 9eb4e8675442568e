"""Keyword-default factories for test data (STYLE.md: polar's factory functions)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Client, Member, Order
from domain.order_messages import OrderInput

_seq = count(1)


async def create_member(sessions: async_sessionmaker[AsyncSession], **overrides: object) -> Member:
    n = next(_seq)
    values: dict[str, object] = {
        "name": "Ada Lovelace",
        "email": f"ada{n}@example.org",
        "jurisdiction": "DE",
        "language": "de",
        "iban": "DE89370400440532013000",
        "bic": "COBADEFFXXX",
    }
    values.update(overrides)
    async with sessions.begin() as session:
        member = Member(**values)
        session.add(member)
    return member


async def create_client(
    sessions: async_sessionmaker[AsyncSession], member: Member, **overrides: object
) -> Client:
    values: dict[str, object] = {
        "member_id": member.id,
        "name": "ACME GmbH",
        "email": "ap@acme.example",
        "address": "Hauptstraße 1, 10115 Berlin",
        "country": "DE",
        "is_business": True,
        "vat_id": "DE123456789",
        "language": "de",
    }
    values.update(overrides)
    async with sessions.begin() as session:
        client = Client(**values)
        session.add(client)
    return client


async def create_order(
    sessions: async_sessionmaker[AsyncSession],
    member: Member,
    client: Client,
    *,
    today: date,
    **overrides: object,
) -> Order:
    values: dict[str, object] = {
        "member_id": member.id,
        "client_id": client.id,
        "description": "Stage lighting design, 5 days",
        "jurisdiction": member.jurisdiction,
        "period_start": today,
        "period_end": today + timedelta(days=4),
        "net_amount_cents": 480_000,
        "vat_category": "standard",
        "payment_terms_days": 30,
        "offer_valid_until": today + timedelta(days=14),
        "status": "AwaitingSignature",
    }
    values.update(overrides)
    async with sessions.begin() as session:
        order = Order(**values)
        session.add(order)
    return order


def order_input(
    order: Order, member: Member, client: Client, *, today: date, seconds_per_day: float = 86400
) -> OrderInput:
    return OrderInput(
        order_id=order.id,
        member_id=member.id,
        member_name=member.name,
        client_id=client.id,
        client_name=client.name,
        client_email=client.email,
        client_country=client.country,
        client_is_business=client.is_business,
        client_vat_id=client.vat_id,
        client_language=client.language,  # type: ignore[arg-type]
        client_buyer_reference=client.buyer_reference,
        client_einvoice_profile=client.einvoice_profile,  # type: ignore[arg-type]
        jurisdiction=order.jurisdiction,  # type: ignore[arg-type]
        description=order.description,
        period_start=order.period_start,
        period_end=order.period_end,
        net_amount_cents=order.net_amount_cents,
        quantity=Decimal(order.quantity or "1"),
        unit_code=order.unit_code or "LS",  # type: ignore[arg-type]
        vat_category=order.vat_category,  # type: ignore[arg-type]
        payment_terms_days=order.payment_terms_days,
        offer_valid_until=order.offer_valid_until,
        submitted_on=today,
        seconds_per_day=seconds_per_day,
    )

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from adapters.errors import DeclarationRefused, PermanentAdapterError
from adapters.social_security.declarations import EmploymentDeclaration
from adapters.social_security.local_register import LocalSocialSecurity

TODAY = date(2026, 3, 1)


def make_declaration(**overrides: Any) -> EmploymentDeclaration:
    fields: dict[str, Any] = {
        "declaration_key": "order-42-start",
        "kind": "start",
        "jurisdiction": "BE",
        "member_id": "member-7",
        "member_name": "Anna Peeters",
        "order_id": "42",
        "period_start": date(2026, 3, 2),
        "period_end": date(2026, 3, 20),
    }
    fields.update(overrides)
    return EmploymentDeclaration(**fields)


@pytest.fixture
def register(tmp_path: Path) -> LocalSocialSecurity:
    return LocalSocialSecurity(tmp_path / "declarations", today=lambda: TODAY)


def files_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


@pytest.mark.parametrize(
    ("jurisdiction", "kind", "prefix"),
    [
        ("BE", "start", "DIMONA-IN-"),
        ("BE", "end", "DIMONA-OUT-"),
        ("DE", "start", "DEUEV-10-"),
        ("DE", "end", "DEUEV-30-"),
    ],
)
async def test_declaration_is_registered(
    register: LocalSocialSecurity, tmp_path: Path, jurisdiction: str, kind: str, prefix: str
) -> None:
    key = f"order-42-{kind}"
    declaration = make_declaration(declaration_key=key, kind=kind, jurisdiction=jurisdiction)

    receipt = await register.declare(declaration)

    assert receipt.declaration_key == key
    assert receipt.reference.startswith(prefix)
    assert len(receipt.reference) == len(prefix) + 12
    assert receipt.status == "accepted"
    assert receipt.created is True
    stored = json.loads((tmp_path / "declarations" / f"{key}.json").read_text())
    assert stored["declaration"] == declaration.model_dump(mode="json")
    assert stored["receipt"] == {
        "declaration_key": key,
        "reference": receipt.reference,
        "status": "accepted",
    }


async def test_reference_is_stable_per_key(tmp_path: Path) -> None:
    one = LocalSocialSecurity(tmp_path / "one", today=lambda: TODAY)
    other = LocalSocialSecurity(tmp_path / "other", today=lambda: TODAY)

    first = await one.declare(make_declaration())
    again = await other.declare(make_declaration())
    different = await one.declare(make_declaration(declaration_key="order-43-start"))

    assert first.reference == again.reference
    assert different.reference != first.reference


@pytest.mark.parametrize(
    ("jurisdiction", "kind", "today", "status"),
    [
        # Dimona IN is due before work begins.
        ("BE", "start", date(2026, 3, 2), "accepted"),
        ("BE", "start", date(2026, 3, 3), "accepted_with_warning"),
        # Dimona OUT is due the day after the last day.
        ("BE", "end", date(2026, 3, 21), "accepted"),
        ("BE", "end", date(2026, 3, 22), "accepted_with_warning"),
        # DEUEV comes with the next payroll, at the latest six weeks on.
        ("DE", "start", date(2026, 4, 13), "accepted"),
        ("DE", "start", date(2026, 4, 14), "accepted_with_warning"),
        ("DE", "end", date(2026, 5, 1), "accepted"),
        ("DE", "end", date(2026, 5, 2), "accepted_with_warning"),
    ],
)
async def test_late_declaration_is_accepted_with_warning(
    tmp_path: Path, jurisdiction: str, kind: str, today: date, status: str
) -> None:
    register = LocalSocialSecurity(tmp_path, today=lambda: today)

    receipt = await register.declare(make_declaration(jurisdiction=jurisdiction, kind=kind))

    assert receipt.status == status


async def test_period_ending_before_it_starts_is_refused(
    register: LocalSocialSecurity, tmp_path: Path
) -> None:
    bad = make_declaration(period_start=date(2026, 3, 20), period_end=date(2026, 3, 19))

    with pytest.raises(
        DeclarationRefused, match="ends on 2026-03-19 before it starts on 2026-03-20"
    ):
        await register.declare(bad)

    assert files_in(tmp_path / "declarations") == []


async def test_one_day_period_is_accepted(register: LocalSocialSecurity) -> None:
    one_day = make_declaration(period_start=date(2026, 3, 2), period_end=date(2026, 3, 2))

    assert (await register.declare(one_day)).created is True


@pytest.mark.parametrize("field", ["member_name", "member_id", "order_id"])
async def test_missing_identity_is_refused(register: LocalSocialSecurity, field: str) -> None:
    with pytest.raises(DeclarationRefused, match=f"{field} is empty"):
        await register.declare(make_declaration(**{field: "  "}))


@pytest.mark.parametrize("key", ["", "../order-42", "order 42", "k" * 129])
async def test_unusable_key_is_refused(register: LocalSocialSecurity, key: str) -> None:
    with pytest.raises(PermanentAdapterError, match="declaration key"):
        await register.declare(make_declaration(declaration_key=key))


async def test_declaring_a_key_twice_writes_once(
    register: LocalSocialSecurity, tmp_path: Path
) -> None:
    first = await register.declare(make_declaration())
    path = tmp_path / "declarations" / "order-42-start.json"
    written = path.read_bytes()

    second = await register.declare(make_declaration())

    assert second.created is False
    assert second.model_dump(exclude={"created"}) == first.model_dump(exclude={"created"})
    assert path.read_bytes() == written
    assert files_in(tmp_path / "declarations") == ["order-42-start.json"]


async def test_stored_status_wins_over_a_later_retry(tmp_path: Path) -> None:
    # Filed on time; a retry after the deadline must not turn the receipt into a warning.
    days = iter([date(2026, 3, 1), date(2026, 6, 1)])
    register = LocalSocialSecurity(tmp_path, today=lambda: next(days))

    first = await register.declare(make_declaration())
    second = await register.declare(make_declaration())

    assert (first.status, second.status, second.created) == ("accepted", "accepted", False)


async def test_concurrent_declarations_of_one_key_create_one(
    register: LocalSocialSecurity, tmp_path: Path
) -> None:
    receipts = await asyncio.gather(*(register.declare(make_declaration()) for _ in range(8)))

    assert [r.created for r in receipts].count(True) == 1
    assert len({r.reference for r in receipts}) == 1
    assert files_in(tmp_path / "declarations") == ["order-42-start.json"]


async def test_reusing_a_key_for_another_declaration_is_refused(
    register: LocalSocialSecurity,
) -> None:
    await register.declare(make_declaration())

    with pytest.raises(PermanentAdapterError, match="already used for a different declaration"):
        await register.declare(make_declaration(period_end=date(2026, 3, 31)))

"""The local register of employment declarations: one JSON file per declaration key in a
directory (``LocalSocialSecurity``), the stand-in for an authority's channel.

Idempotency: the declaration key (``order-42-start``) names the file. Declaring the same key again
returns the stored receipt with ``created=False`` and writes nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from adapters.errors import DeclarationRefused, PermanentAdapterError
from adapters.files import write_once
from adapters.social_security.declarations import (
    DeclarationKind,
    DeclarationReceipt,
    EmploymentDeclaration,
    Jurisdiction,
)

_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_REFERENCE_PREFIX: dict[tuple[Jurisdiction, DeclarationKind], str] = {
    ("BE", "start"): "DIMONA-IN",
    ("BE", "end"): "DIMONA-OUT",
    ("DE", "start"): "DEUEV-10",
    ("DE", "end"): "DEUEV-30",
}
# How long after the period starts (start) or ends (end) a declaration is still on time.
# Dimona IN is due before work begins, Dimona OUT the day after it ends; a DEUEV registration
# or deregistration comes with the next payroll, at the latest six weeks later.
_DEADLINE: dict[tuple[Jurisdiction, DeclarationKind], timedelta] = {
    ("BE", "start"): timedelta(days=0),
    ("BE", "end"): timedelta(days=1),
    ("DE", "start"): timedelta(weeks=6),
    ("DE", "end"): timedelta(weeks=6),
}


class LocalSocialSecurity:
    """Writes ``<out_dir>/<declaration_key>.json`` with the declaration and its receipt."""

    def __init__(self, out_dir: Path, *, today: Callable[[], date] = date.today) -> None:
        self._out_dir = Path(out_dir)
        self._today = today

    async def declare(self, declaration: EmploymentDeclaration) -> DeclarationReceipt:
        _check(declaration)
        return await asyncio.to_thread(self._declare, declaration)

    def file_for(self, declaration_key: str) -> Path:
        return self._out_dir / f"{declaration_key}.json"

    def _declare(self, declaration: EmploymentDeclaration) -> DeclarationReceipt:
        path = self.file_for(declaration.declaration_key)
        if not path.exists():
            receipt = DeclarationReceipt(
                declaration_key=declaration.declaration_key,
                reference=reference_for(declaration),
                status="accepted" if self._on_time(declaration) else "accepted_with_warning",
                created=True,
            )
            record = {
                "declaration": declaration.model_dump(mode="json"),
                "receipt": receipt.model_dump(mode="json", exclude={"created"}),
                "filed_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            if write_once(path, json.dumps(record, indent=2).encode() + b"\n"):
                return receipt
        return _stored_receipt(path, declaration)

    def _on_time(self, declaration: EmploymentDeclaration) -> bool:
        key = (declaration.jurisdiction, declaration.kind)
        due_from = (
            declaration.period_start if declaration.kind == "start" else declaration.period_end
        )
        return self._today() <= due_from + _DEADLINE[key]


def reference_for(declaration: EmploymentDeclaration) -> str:
    """``DIMONA-IN-…``, ``DIMONA-OUT-…``, ``DEUEV-10-…`` or ``DEUEV-30-…``; stable per key."""
    prefix = _REFERENCE_PREFIX[(declaration.jurisdiction, declaration.kind)]
    digest = hashlib.sha256(declaration.declaration_key.encode()).hexdigest()[:12].upper()
    return f"{prefix}-{digest}"


def _check(declaration: EmploymentDeclaration) -> None:
    key = declaration.declaration_key
    if not _KEY.fullmatch(key):
        raise PermanentAdapterError(
            f"declaration key {key!r} must be 1 to 128 characters of A-Z, a-z, 0-9, '.', '_' "
            "or '-' (it names the register's file)"
        )
    for field in ("member_id", "member_name", "order_id"):
        if not getattr(declaration, field).strip():
            raise DeclarationRefused(f"declaration {key!r} refused: {field} is empty")
    if declaration.period_end < declaration.period_start:
        raise DeclarationRefused(
            f"declaration {key!r} refused: the period ends on {declaration.period_end} before "
            f"it starts on {declaration.period_start}; correct the order's dates"
        )


def _stored_receipt(path: Path, declaration: EmploymentDeclaration) -> DeclarationReceipt:
    record = json.loads(path.read_text())
    if record["declaration"] != declaration.model_dump(mode="json"):
        raise PermanentAdapterError(
            f"declaration key {declaration.declaration_key!r} was already used for a different "
            f"declaration (see {path}); a changed declaration needs its own key"
        )
    return DeclarationReceipt.model_validate({**record["receipt"], "created": False})

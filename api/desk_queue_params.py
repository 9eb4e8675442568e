"""The queue's filters, sort and page as GET parameters: read leniently (a value that does not
parse is left out and named on the page, never a 500) and written back into links."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import InvalidOperation
from typing import get_args
from urllib.parse import urlencode

from api.html import typed_euros
from api.services.finance_queue import Kind, QueueFilter, QueueOrder, Sort, Status

_MAX_TEXT = 100
_MAX_NUMBER = 100_000


@dataclass(frozen=True)
class QueueParams:
    filter: QueueFilter
    order: QueueOrder
    page: int
    problems: list[str] = field(default_factory=list)  # what was left out, in words

    def query(self, **changes: str | int) -> str:
        """This view's query string with ``changes`` (e.g. another page or sort)."""
        values: dict[str, str | int] = {}
        f = self.filter
        for name in ("status", "kind", "jurisdiction", "member", "client"):
            value = getattr(f, name)
            if value and value != QueueFilter.__dataclass_fields__[name].default:
                values[name] = value
        for name in ("level", "min_days", "max_days"):
            if getattr(f, name) is not None:
                values[name] = getattr(f, name)
        for name, cents in (("min_eur", f.min_cents), ("max_eur", f.max_cents)):
            if cents is not None:
                values[name] = f"{cents // 100}.{cents % 100:02d}"
        if self.order.sort != "opened":
            values["sort"] = self.order.sort
        if self.order.descending:
            values["dir"] = "desc"
        if self.page != 1:
            values["page"] = self.page
        values |= changes
        defaults: dict[str, tuple[str | int, ...]] = {"page": (1, ""), "dir": ("asc", "")}
        return urlencode(
            {k: v for k, v in values.items() if v != "" and v not in defaults.get(k, ())}
        )


def _choice(raw: str, allowed: tuple[str, ...], label: str, problems: list[str]) -> str | None:
    if raw in allowed:
        return raw
    problems.append(f"{label} must be one of {', '.join(allowed)}.")
    return None


def _number(raw: str, label: str, problems: list[str]) -> int | None:
    if raw.isdigit() and int(raw) <= _MAX_NUMBER:
        return int(raw)
    problems.append(f"{label} must be a whole number from 0 to {_MAX_NUMBER}.")
    return None


def _euros(raw: str, label: str, problems: list[str]) -> int | None:
    try:
        cents = typed_euros(raw)
    except (ValueError, InvalidOperation):
        cents = -1
    if 0 <= cents <= 100_000_000_00:
        return cents
    problems.append(f"{label} must be an amount in euros, e.g. 1234.56.")
    return None


def read(params: Mapping[str, str]) -> QueueParams:
    """The queue view a request asks for; blank parameters mean "any"."""
    problems: list[str] = []
    raw = {k: v.strip()[:_MAX_TEXT] for k, v in params.items()}
    values: dict[str, object] = {}
    if raw.get("status"):
        values["status"] = _choice(raw["status"], get_args(Status), "Status", problems)
    if raw.get("kind"):
        values["kind"] = _choice(raw["kind"], get_args(Kind), "Kind", problems)
    if raw.get("jurisdiction"):
        code = raw["jurisdiction"].upper()
        if len(code) == 2 and code.isalpha():
            values["jurisdiction"] = code
        else:
            problems.append("Jurisdiction must be a two-letter country code, e.g. DE.")
    for name, label in (("level", "Level"), ("min_days", "Days overdue (from)")):
        if raw.get(name):
            values[name] = _number(raw[name], label, problems)
    if raw.get("max_days"):
        values["max_days"] = _number(raw["max_days"], "Days overdue (to)", problems)
    if raw.get("min_eur"):
        values["min_cents"] = _euros(raw["min_eur"], "Minimum amount", problems)
    if raw.get("max_eur"):
        values["max_cents"] = _euros(raw["max_eur"], "Maximum amount", problems)
    for name in ("member", "client"):
        if raw.get(name):
            values[name] = raw[name]
    known = {f.name for f in fields(QueueFilter)}
    chosen = {k: v for k, v in values.items() if v is not None and k in known}
    sort = raw.get("sort", "") or "opened"
    checked_sort = _choice(sort, get_args(Sort), "Sort", problems) or "opened"
    page = raw.get("page", "") or "1"
    page_no = int(page) if page.isdigit() and 0 < int(page) <= _MAX_NUMBER else 1
    return QueueParams(
        filter=QueueFilter(**chosen),  # type: ignore[arg-type]
        order=QueueOrder(sort=checked_sort, descending=raw.get("dir") == "desc"),  # type: ignore[arg-type]
        page=page_no,
        problems=problems,
    )


def page_numbers(page: int, pages: int, around: int = 3) -> list[int | None]:
    """The page links to show: the first, the last and a few around ``page``; None is a gap."""
    shown = sorted({1, pages} | set(range(max(page - around, 1), min(page + around, pages) + 1)))
    links: list[int | None] = []
    for n in shown:
        if links and links[-1] is not None and n - links[-1] > 1:
            links.append(None)
        links.append(n)
    return links

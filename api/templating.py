"""Jinja2 pages (the finance desk): templates in ``api/templates``, every value escaped by
autoescape, money shown with ``format_eur``; pages are never cached."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from domain.money import format_eur

TEMPLATES = Path(__file__).parent / "templates"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"], default_for_string=True, default=True),
    undefined=StrictUndefined,  # a misspelt name fails the test, not the page silently
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["eur"] = format_eur


def euros_field(cents: int) -> str:
    """Cents as an input's value in euros: ``571200`` → ``"5712.00"``."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


_env.filters["euros_field"] = euros_field


def render(name: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(
        _env.get_template(name).render(**context),
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )

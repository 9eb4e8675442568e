"""The words of the member's pages in the member's language: one TOML file of labels per
language in ``api/templates/me/labels`` (as the invoice templates do); a language without a
file, or a label missing from one, falls back to English."""

from __future__ import annotations

import tomllib
from datetime import date
from functools import cache
from pathlib import Path

LABELS_DIR = Path(__file__).parent / "templates" / "me" / "labels"
FALLBACK = "en"


@cache
def _file(language: str) -> dict[str, str]:
    path = LABELS_DIR / f"{language}.toml"
    if not path.is_file():
        return {}
    return {k: str(v) for k, v in tomllib.loads(path.read_text(encoding="utf-8")).items()}


def labels(language: str) -> dict[str, str]:
    """Every label, in ``language`` where it has one (``language`` also tags the page)."""
    chosen = language if language.isalpha() and len(language) == 2 else FALLBACK
    return _file(FALLBACK) | _file(chosen) | {"lang": chosen if _file(chosen) else FALLBACK}


def short_date(day: date, words: dict[str, str]) -> str:
    """``12 Dec`` in the labels' month names."""
    months = words["months"].split()
    return words["date_format"].format(day=day.day, month=months[day.month - 1], year=day.year)


def browser_language(accept_language: str) -> str:
    """The first language of the browser's ``Accept-Language`` we have labels for (before
    log-in the member's own is not known yet), else English."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")[:20]):
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        ranked.append((-weight, position, tag.split("-")[0].strip().lower()))
    for _, _, language in sorted(ranked):
        if language.isalpha() and len(language) == 2 and _file(language):
            return language
    return FALLBACK

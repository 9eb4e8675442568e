"""The words of the client's pages in the client's language: the payment page ``/pay/<token>``
(``pay_templates/``) and the signing page ``/sign/<token>`` (``sign_templates/``).

Every word comes from ``<folder>/<lang>.toml`` (one file per language, the same keys and
placeholders in each; a missing key raises ``KeyError``: there is no English fallback, as for the
invoice and the e-mails that carry the links). Amounts and dates are formatted by Babel in the
client's locale exactly as on the invoice (``adapters.documents.invoice_text.locale_for`` and its
``Formatter``), so the page repeats the figures of the e-mail the client came from.

Pure: no I/O except reading the templates once.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from html import escape
from pathlib import Path

from adapters.documents.invoice_text import Formatter, locale_for
from domain.invoice_wording import LANGUAGES
from domain.order_messages import Language

TEMPLATE_DIR = Path(__file__).resolve().parent / "pay_templates"
SIGN_TEMPLATE_DIR = Path(__file__).resolve().parent / "sign_templates"


@cache
def labels(language: Language, folder: Path = TEMPLATE_DIR) -> dict[str, str]:
    """The texts of one language, exactly as its file holds them."""
    with (folder / f"{language}.toml").open("rb") as f:
        data = tomllib.load(f)
    return {key: str(value).strip() for key, value in data.items()}


def language_of(code: str) -> Language:
    """The client's ``language`` column as a page language; the API accepts only these six."""
    if code not in LANGUAGES:
        raise ValueError(f"the payment page has no texts in {code!r}")
    return code  # narrowed by the membership test


@dataclass(frozen=True)
class PayTexts:
    """One client's texts: ``text`` for plain text (titles, messages: the page escapes them),
    ``html`` for HTML fragments (the template and every value escaped, ``markup`` values as they
    are), ``money`` and ``day`` in the client's locale."""

    language: Language
    fmt: Formatter
    folder: Path = TEMPLATE_DIR

    @property
    def labels(self) -> dict[str, str]:
        return labels(self.language, self.folder)

    def text(self, key: str, **values: str) -> str:
        return self.labels[key].format(**values)

    def html(self, key: str, *, markup: Mapping[str, str] | None = None, **values: str) -> str:
        escaped = {name: escape(value) for name, value in values.items()}
        return escape(self.labels[key]).format(**escaped, **(markup or {}))

    def money(self, cents: int) -> str:
        return self.fmt.money(cents)

    def day(self, value: date) -> str:
        return self.fmt.day(value)


def for_client(
    language: str, country: str, currency: str = "EUR", *, folder: Path = TEMPLATE_DIR
) -> PayTexts:
    """The texts for a client writing ``language`` in ``country`` (ISO 3166 alpha-2)."""
    lang = language_of(language)
    return PayTexts(lang, Formatter(locale_for(lang, country), currency), folder)


__all__ = [
    "LANGUAGES",
    "SIGN_TEMPLATE_DIR",
    "TEMPLATE_DIR",
    "PayTexts",
    "for_client",
    "labels",
    "language_of",
]

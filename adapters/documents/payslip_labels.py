"""The payslip's words: ``payslip_templates/<language>.toml`` holds every label of the payslip
in that language, one file per language. The loader demands exactly the keys in
``REQUIRED_KEYS``: a missing translation is an error (``MissingTranslation``), never an English
fallback."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Final, get_args

from adapters.documents.payslip_document import LANGUAGES, LineKind, NoteKind
from adapters.errors import PermanentAdapterError
from domain.payroll.be_payroll import BelgianContract

TEMPLATES: Final = Path(__file__).with_name("payslip_templates")

REQUIRED_KEYS: Final[Mapping[str, frozenset[str]]] = {
    "labels": frozenset(
        {
            "title",
            "payslip_number",
            "employer",
            "employee",
            "member_number",
            "enterprise_number",
            "social_security_number",
            "establishment_number",
            "tax_number",
            "provisional",
            "sv_days",
            "period",
            "pay_date",
            "contract",
            "item",
            "base",
            "rate",
            "amount",
            "net_pay",
            "payout",
            "employer_contributions",
            "employer_cost",
        }
    ),
    "contracts": frozenset(get_args(BelgianContract)),
    "lines": frozenset(get_args(LineKind)),
    "notes": frozenset(get_args(NoteKind)),
}


class MissingTranslation(PermanentAdapterError):
    """A language has no catalog, or its catalog lacks (or misspells) a label."""


def load_catalog(language: str, directory: Path = TEMPLATES) -> dict[str, dict[str, str]]:
    """The labels of ``language``; refuses a missing file, a missing key or an unknown key."""
    path = directory / f"{language}.toml"
    if language not in LANGUAGES or not path.is_file():
        raise MissingTranslation(f"no payslip template for language {language!r}")
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    catalog: dict[str, dict[str, str]] = {}
    for table, keys in REQUIRED_KEYS.items():
        entries = raw.get(table, {})
        missing = sorted(keys - entries.keys())
        unknown = sorted(entries.keys() - keys)
        if missing or unknown:
            raise MissingTranslation(
                f"payslip template {path.name} [{table}]: missing {missing}, unknown {unknown}"
            )
        if any(not isinstance(v, str) or not v.strip() for v in entries.values()):
            raise MissingTranslation(f"payslip template {path.name} [{table}] has an empty label")
        catalog[table] = dict(entries)
    extra = sorted(raw.keys() - REQUIRED_KEYS.keys())
    if extra:
        raise MissingTranslation(f"payslip template {path.name}: unknown tables {extra}")
    return catalog

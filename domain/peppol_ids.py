"""A business's Peppol participant identifier derived from its VAT ID (EN 16931 BT-49 with an
EAS scheme of the Peppol code list).

Peppol accepts only the numeric EAS schemes (ISO 6523 ICDs and the 99xx VAT schemes); the
UN/CEFACT channels such as ``EM`` (e-mail) are valid EN 16931 but fatal in Peppol
(PEPPOL-EN16931-CL008). Each country's identifier is the one its Peppol community uses and
the VAT ID already carries: Belgium the enterprise number (0208, the ten digits of the VAT
ID), Denmark the CVR (0184), Sweden the organisation number (0007), Norway the organisation
number (0192), Switzerland the UID (0183), Italy the Partita IVA (0211), Finland the VAT
number (0213), every other country its VAT-number scheme (9914 AT … 9957 FR) with the VAT ID
as it is written, country prefix included.
"""

from __future__ import annotations

import re

from domain.invoice_document import ElectronicAddress

# VAT ID prefix → (EAS scheme, pattern of the compact VAT ID whose first group is the value).
_REGISTER_SCHEMES: dict[str, tuple[str, str]] = {
    "BE": ("0208", r"BE([01]\d{9})"),
    "DK": ("0184", r"(DK\d{8})"),
    "SE": ("0007", r"SE(\d{10})01"),
    "NO": ("0192", r"NO(\d{9})(?:MVA)?"),
    "CH": ("0183", r"(CHE\d{9})(?:MWST|TVA|IVA)?"),
    "IT": ("0211", r"(IT\d{11})"),
    "FI": ("0213", r"(FI\d{8})"),
}
_VAT_NUMBER_SCHEMES: dict[str, str] = {
    "AT": "9914",
    "BG": "9926",
    "CY": "9928",
    "CZ": "9929",
    "DE": "9930",
    "EE": "9931",
    "ES": "9920",
    "FR": "9957",
    "GB": "9932",
    "EL": "9933",  # Greece writes its VAT IDs with EL
    "HR": "9934",
    "HU": "9910",
    "IE": "9935",
    "LI": "9936",
    "LT": "9937",
    "LU": "9938",
    "LV": "9939",
    "MC": "9940",
    "MT": "9943",
    "NL": "9944",
    "PL": "9945",
    "PT": "9946",
    "RO": "9947",
    "SI": "9949",
    "SK": "9950",
    "SM": "9951",
}
_SCHEMES: dict[str, tuple[str, str]] = {
    **{
        prefix: (scheme, rf"({prefix}[0-9A-Z]{{2,13}})")
        for prefix, scheme in _VAT_NUMBER_SCHEMES.items()
    },
    **_REGISTER_SCHEMES,
}


def compact_vat_id(vat_id: str) -> str:
    """``"CHE-123.456.788 MWST"`` → ``"CHE123456788MWST"``."""
    return re.sub(r"[\s.\-/]", "", vat_id).upper()


def peppol_id_from_vat(vat_id: str) -> ElectronicAddress | None:
    """The Peppol participant identifier a VAT ID gives, or ``None`` when its country has no
    scheme here or the number does not have the scheme's form."""
    compact = compact_vat_id(vat_id)
    scheme = _SCHEMES.get(compact[:2])
    if scheme is None:
        return None
    match = re.fullmatch(scheme[1], compact)
    if match is None:
        return None
    return ElectronicAddress(scheme=scheme[0], value=match.group(1))

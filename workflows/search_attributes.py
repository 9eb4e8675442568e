"""Custom search attributes that make an order findable in the Temporal UI.

One list, read by the workflow (to upsert), by the dev stack and the ops command (to register),
and by the tests (to register on the time-skipping server). Values are plaintext in visibility:
no personal data here beyond the client's business name.
"""

from __future__ import annotations

from typing import Any

from temporalio.common import SearchAttributeKey

ORDER_STATUS = SearchAttributeKey.for_keyword("CoopOrderStatus")
MEMBER_ID = SearchAttributeKey.for_keyword("CoopMemberId")
CLIENT_NAME = SearchAttributeKey.for_keyword("CoopClientName")
JURISDICTION = SearchAttributeKey.for_keyword("CoopJurisdiction")
INVOICE_NUMBER = SearchAttributeKey.for_keyword("CoopInvoiceNumber")
AMOUNT_DUE = SearchAttributeKey.for_int("CoopAmountDue")
DUNNING_LEVEL = SearchAttributeKey.for_int("CoopDunningLevel")
ESCALATED = SearchAttributeKey.for_bool("CoopEscalated")
DUE_DATE = SearchAttributeKey.for_datetime("CoopDueDate")

ALL_KEYS: list[SearchAttributeKey[Any]] = [
    ORDER_STATUS,
    MEMBER_ID,
    CLIENT_NAME,
    JURISDICTION,
    INVOICE_NUMBER,
    AMOUNT_DUE,
    DUNNING_LEVEL,
    ESCALATED,
    DUE_DATE,
]

# Type names as the `temporal` CLI spells them (`--search-attribute Name=Type`).
CLI_TYPES = {
    "Keyword": "Keyword",
    "Text": "Text",
    "Int": "Int",
    "Bool": "Bool",
    "Datetime": "Datetime",
    "Double": "Double",
    "KeywordList": "KeywordList",
}


def cli_arguments() -> list[str]:
    """``--search-attribute Name=Type`` pairs for ``temporal server start-dev`` or
    ``temporal operator search-attribute create``."""
    args: list[str] = []
    for key in ALL_KEYS:
        args += ["--search-attribute", f"{key.name}={CLI_TYPES[key._metadata_type]}"]
    return args

"""Why a SEPA credit transfer came back: ISO 20022 reason codes in plain English for ops.

A bank that rejects one of our payouts (pain.002 ``StsRsnInf/Rsn/Cd``) or returns it (camt
``RtrInf/Rsn/Cd``) says why with a four-letter code. Ops needs a sentence and what to do.

Sources: the ISO 20022 external code sets (``ExternalStatusReason1Code`` and
``ExternalReturnReason1Code``, published by the ISO 20022 Registration Authority on
iso20022.org) for the meaning of each code, and the EPC SEPA Credit Transfer rulebook and its
"Guidance on reason codes for SCT R-transactions" (EPC135-18) for which codes SEPA banks use
for rejects, returns and recalls. The sentences are ours, written for a cooperative paying its
members, not copied from those documents.
"""

from __future__ import annotations

from typing import Final

REASONS: Final[dict[str, str]] = {
    # The account
    "AC01": "the account number (IBAN) is wrong or does not exist; ask the member to check it",
    "AC02": "the debtor account number is invalid or missing",
    "AC03": "the beneficiary's account number is invalid or missing; ask the member to check it",
    "AC04": "the account is closed; ask the member for their new IBAN",
    "AC06": "the account is blocked; the member must contact their bank",
    "AC13": "the debtor account type is invalid",
    "AG01": "transfers to this account are not allowed (e.g. a savings account); ask for "
    "another IBAN",
    "AG02": "the bank operation code is invalid or the file format is wrong",
    # The amount
    "AM01": "the amount is zero",
    "AM02": "the amount is above what is allowed for this account or transfer",
    "AM03": "the currency is not allowed for this account",
    "AM04": "there were not enough funds on the account",
    "AM05": "the bank saw this transfer twice and refused the duplicate",
    "AM09": "the amount is wrong (the beneficiary disputes it)",
    # Names, addresses, banks
    "BE04": "the beneficiary's address is missing or invalid",
    "BE05": "the bank does not recognise us as the party initiating the transfer",
    "RC01": "the bank identifier (BIC) is wrong",
    "CNOR": "the beneficiary's bank cannot be reached through the payment system for this BIC",
    "DNOR": "our bank cannot be reached through the payment system for this BIC",
    "RR01": "regulatory reason: the debtor account or identification is missing",
    "RR02": "regulatory reason: the debtor's name or address is missing",
    "RR03": "regulatory reason: the beneficiary's name or address is missing",
    "RR04": "regulatory reason (sanctions or anti-money-laundering checks); the bank says no more",
    # The person
    "MD07": "the account holder has died; contact the member's family or estate",
    "MS02": "the beneficiary refused the transfer, without giving a reason",
    "MS03": "the bank refused the transfer without giving a reason",
    "CUST": "requested by the customer (recall or refusal by the beneficiary)",
    # Processing
    "FF01": "the payment file was invalid (format or content); check the file we sent",
    "TM01": "the file reached the bank after its cut-off time",
    "ED05": "settlement between the banks failed",
    "DT01": "a date in the transfer is invalid",
    "TECH": "a technical problem at a bank; the transfer can be sent again",
    # Recalls and returns after a recall
    "DUPL": "recalled as a duplicate payment",
    "FOCR": "returned after a cancellation (recall) request",
    "FRAD": "returned or recalled as fraudulent",
    "UPAY": "recalled as an undue payment",
    "LEGL": "returned for a legal decision (e.g. a court order)",
    "AGNT": "the bank (agent) given in the transfer is wrong",
    "CURR": "the currency is wrong",
    "NOAS": "the beneficiary did not answer the recall request",
    "NOOR": "the bank never received the original transfer",
    "ARDT": "the transfer was already returned",
    "SL01": "a specific service of the beneficiary's bank refused it",
    "NARR": "see the additional information the bank gave",
}


def explain(code: str) -> str:
    """``"AC04"`` → ``"AC04: the account is closed; ask the member for their new IBAN"``.

    An unknown code still gives a sentence ops can act on, and an empty one says none was given.
    """
    normalised = code.strip().upper()
    if not normalised:
        return "no reason code was given; ask the bank why"
    meaning = REASONS.get(normalised)
    if meaning is None:
        return (
            f"{normalised}: a reason code we do not know; look it up in the ISO 20022 external "
            "code sets or ask the bank"
        )
    return f"{normalised}: {meaning}"


def is_known(code: str) -> bool:
    return code.strip().upper() in REASONS

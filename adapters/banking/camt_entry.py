"""One camt ``Ntry`` element (camt.053 or camt.054, versions .001.02 and .001.08) as BankLines.

Kept apart from the streaming in ``camt.py``: this part only looks at one entry that the schema
has already accepted, and says in a finance person's words what is wrong when it cannot be
taken. The two versions differ little where we read: ``Sts`` is a code (.02) or ``Sts/Cd``
(.08), a party is ``Dbtr/Nm`` (.02) or ``Dbtr/Pty/Nm`` (.08), and only .08 has ``TxDtls/Amt``.
Both spellings are tried, so no version switch is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from lxml import etree

from domain.banking.statement import BankLine, Direction, StatementError
from domain.money import Cents, parse_euros

CURRENCY: Final = "EUR"
# An EndToEndId the payer left empty is written as this (EPC implementation guidelines).
NOT_PROVIDED: Final = "NOTPROVIDED"
_DIRECTIONS: Final[dict[str, Direction]] = {"CRDT": "credit", "DBIT": "debit"}


class Paths:
    """Qualified element paths for one namespace (``"A/B"`` → ``"{ns}A/{ns}B"``), memoised."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self._cache: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        found = self._cache.get(path)
        if found is None:
            found = "/".join(f"{{{self.namespace}}}{part}" for part in path.split("/"))
            self._cache[path] = found
        return found


def text(element: etree._Element | None, path: str, q: Paths) -> str:
    """The stripped text at ``path`` under ``element``, "" when absent."""
    if element is None:
        return ""
    return (element.findtext(q(path)) or "").strip()


def amount_cents(element: etree._Element) -> Cents:
    """An ``Amt``-like element as cents, exactly; refuses other currencies and sub-cent amounts."""
    currency = element.get("Ccy", "")
    if currency != CURRENCY:
        raise StatementError(
            f"an amount is in {currency or 'no currency'}; we only take euro (EUR) accounts",
            element.sourceline,
        )
    raw = (element.text or "").strip()
    try:
        return parse_euros(raw)
    except ValueError:
        raise StatementError(
            f"the amount {raw} has more than two decimals; a euro amount has whole cents",
            element.sourceline,
        ) from None


def date_of(element: etree._Element | None, q: Paths) -> date | None:
    """A ``DateAndDateTimeChoice`` (``Dt`` or ``DtTm``) as the date it names, None if absent."""
    if element is None:
        return None
    value = text(element, "Dt", q) or text(element, "DtTm", q)
    return date.fromisoformat(value[:10]) if value else None


def datetime_of(value: str) -> datetime:
    """An ISODateTime as written (naive when the bank gives no offset)."""
    return datetime.fromisoformat(value)


class Flat:
    """An element's descendants by local path (``"Refs/EndToEndId"``), found in one walk.

    Reading a transaction takes some twenty lookups; one walk over its forty-odd elements and
    dictionary lookups cost a fraction of as many ``findtext`` calls (a 100,000-line statement
    reads in seconds, not half a minute). Descent stops at the paths in ``stop``.
    """

    __slots__ = ("_found",)

    def __init__(self, element: etree._Element | None, stop: frozenset[str] = frozenset()):
        self._found: dict[str, list[etree._Element]] = {}
        if element is not None:
            self._walk(element, "", stop)

    def _walk(self, element: etree._Element, prefix: str, stop: frozenset[str]) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):  # a comment or processing instruction
                continue
            path = prefix + tag[tag.find("}") + 1 :]
            self._found.setdefault(path, []).append(child)
            if len(child) and path not in stop:
                self._walk(child, path + "/", stop)

    def all(self, path: str) -> list[etree._Element]:
        return self._found.get(path, [])

    def first(self, path: str) -> etree._Element | None:
        found = self._found.get(path)
        return found[0] if found else None

    def text(self, path: str) -> str:
        found = self._found.get(path)
        return (found[0].text or "").strip() if found else ""

    def texts(self, path: str) -> list[str]:
        return [t for t in ((e.text or "").strip() for e in self.all(path)) if t]

    def date(self, path: str) -> date | None:
        value = self.text(f"{path}/Dt") or self.text(f"{path}/DtTm")
        return date.fromisoformat(value[:10]) if value else None

    def bank_code(self) -> str:
        """``BkTxCd/Domn`` as ``"PMNT/RCDT/ESCT"``; "" when only a proprietary code is given."""
        if self.first("BkTxCd/Domn") is None:
            return ""
        return "/".join(
            self.text(p)
            for p in ("BkTxCd/Domn/Cd", "BkTxCd/Domn/Fmly/Cd", "BkTxCd/Domn/Fmly/SubFmlyCd")
        )


@dataclass(frozen=True)
class _Entry:
    """What the ``Ntry`` itself says; each of its transactions inherits it."""

    account_iban: str
    booking_date: date
    value_date: date | None
    account_servicer_ref: str
    entry_ref: str
    bank_code: str


_STOP: Final = frozenset({"NtryDtls/TxDtls"})


def entry_lines(ntry: etree._Element, account_iban: str) -> list[BankLine]:
    """The lines of one booked entry: one per ``TxDtls`` of a batch, else one.

    Entries that are not booked (``PDNG``, ``INFO``) and zero amounts move no money and give no
    line. A single transaction carries the entry's amount (what the balance moved by); the
    transactions of a batch carry their own, which must add up to the entry's.
    """
    flat = Flat(ntry, _STOP)
    if (flat.text("Sts/Cd") or flat.text("Sts")) != "BOOK":
        return []
    amount_el = flat.first("Amt")
    assert amount_el is not None  # required by the schema
    amount = amount_cents(amount_el)
    entry_direction = _DIRECTIONS[flat.text("CdtDbtInd")]
    value_date = flat.date("ValDt")
    booking_date = flat.date("BookgDt") or value_date
    if booking_date is None:
        reason = "an entry has neither a booking date nor a value date"
        raise StatementError(reason, ntry.sourceline)
    entry = _Entry(
        account_iban=account_iban,
        booking_date=booking_date,
        value_date=value_date,
        account_servicer_ref=flat.text("AcctSvcrRef"),
        entry_ref=flat.text("NtryRef"),
        bank_code=flat.bank_code(),
    )
    transactions = flat.all("NtryDtls/TxDtls")
    declared = flat.texts("NtryDtls/Btch/NbOfTxs")
    if transactions and declared:
        count = sum(int(n) for n in declared)
        if count != len(transactions):
            raise StatementError(
                f"a batch entry announces {count} transactions but details {len(transactions)}",
                ntry.sourceline,
            )
    if amount == 0:
        return []
    if len(transactions) <= 1:
        tx = Flat(transactions[0] if transactions else None)
        return [_line(entry, tx, entry_direction, amount, 0)]
    return _batch_lines(entry, ntry, transactions, entry_direction, amount)


def _batch_lines(
    entry: _Entry,
    ntry: etree._Element,
    transactions: list[etree._Element],
    entry_direction: Direction,
    amount: Cents,
) -> list[BankLine]:
    lines: list[BankLine] = []
    for index, element in enumerate(transactions):
        tx = Flat(element)
        tx_amount = tx.first("Amt")
        if tx_amount is None:
            tx_amount = tx.first("AmtDtls/TxAmt/Amt")
        if tx_amount is None:
            raise StatementError(
                f"a batch entry of {len(transactions)} transactions does not give the amount of "
                f"transaction {index + 1}, so it cannot be split; ask the bank for a statement "
                "with transaction details (TxDtls/Amt or AmtDtls/TxAmt)",
                element.sourceline,
            )
        tx_direction = _DIRECTIONS.get(tx.text("CdtDbtInd"), entry_direction)
        lines.append(_line(entry, tx, tx_direction, amount_cents(tx_amount), index))
    signed = sum(ln.amount_cents if ln.direction == "credit" else -ln.amount_cents for ln in lines)
    expected = amount if entry_direction == "credit" else -amount
    if signed != expected:
        raise StatementError(
            f"the transactions of a batch entry add up to {signed} cents, the entry says "
            f"{expected} cents",
            ntry.sourceline,
        )
    return [ln for ln in lines if ln.amount_cents]


def _line(
    entry: _Entry, tx: Flat, line_direction: Direction, amount: Cents, batch_index: int
) -> BankLine:
    end_to_end = tx.text("Refs/EndToEndId")
    name, iban = _counterparty(tx, line_direction, entry.account_iban)
    return BankLine(
        account_iban=entry.account_iban,
        currency=CURRENCY,
        direction=line_direction,
        amount_cents=amount,
        booking_date=entry.booking_date,
        value_date=entry.value_date,
        account_servicer_ref=tx.text("Refs/AcctSvcrRef") or entry.account_servicer_ref,
        entry_ref=entry.entry_ref,
        end_to_end_id="" if end_to_end == NOT_PROVIDED else end_to_end,
        structured_refs=tuple(tx.texts("RmtInf/Strd/CdtrRefInf/Ref")),
        unstructured=" ".join(tx.texts("RmtInf/Ustrd")),
        counterparty_name=name,
        counterparty_iban=iban,
        bank_code=tx.bank_code() or entry.bank_code,
        return_reason=tx.text("RtrInf/Rsn/Cd") or tx.text("RtrInf/Rsn/Prtry"),
        batch_index=batch_index,
    )


def _counterparty(tx: Flat, line_direction: Direction, own_iban: str) -> tuple[str, str]:
    """The payer of a credit, the payee of a debit: (name, IBAN).

    Some banks report a returned transfer with the original parties (we are the debtor of the
    credit that brings the money back); the party that is not our own account is taken then.
    """
    debtor = _party(tx, "Dbtr")
    creditor = _party(tx, "Cdtr")
    first, other = (debtor, creditor) if line_direction == "credit" else (creditor, debtor)
    if first[1] == own_iban and other != ("", ""):
        return other
    return first


def _party(tx: Flat, role: str) -> tuple[str, str]:
    name = tx.text(f"RltdPties/{role}/Nm") or tx.text(f"RltdPties/{role}/Pty/Nm")
    return name, tx.text(f"RltdPties/{role}Acct/Id/IBAN").replace(" ", "")

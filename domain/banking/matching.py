"""What an incoming bank line is for: the matching cascade (pure; no database, no clock).

Rules, first that applies wins; every outcome carries its rule, a confidence and one sentence:

1. ``end_to_end_id``: a debit carrying the EndToEndId of one of our payouts is that payout
   leaving; a returned credit carrying it is that payout coming back.
2. ``creditor_reference``: RF (ISO 11649) or Belgian structured communication, from the
   structured remittance and from the free text (valid check digits only).
3. ``invoice_number``: "DE-2026-000012" in the free text, however spaced, cased or zero-padded.
   References and numbers found together count as one list, in the order written.
4. ``amount_and_payer``: the payer is a client (known IBAN, else a similar name) and the amount
   fits that client's open invoices: always a suggestion, never a match.
5. ``none``: unmatched.

Edge cases. T = ``MatchingPolicy.tolerance_cents`` (500); owed = what the invoice owes now;
"ref" = rule 2 or 3 (confidence shown for 2; rule 3 gives 5 less); conf = confidence %.

================================================ ========= =============================== ====
Line                                             kind      allocations; surplus            conf
================================================ ========= =============================== ====
debit, EndToEndId of a known payout              payout    none; payout_id                 100
  ... for another amount than the payout's       payout    none; payout_id                  90
debit, anything else                             ignored   none (not an incoming payment)  100
credit with return reason, payout's EndToEndId   return    none; payout_id                 100
credit, payout's EndToEndId, no return reason    return    none; payout_id                  80
credit with return reason, unknown               unmatched none                              0
credit of 0                                      ignored   none                            100
credit in another currency than the policy's     unmatched none                              0
ref, amount == owed                              matched   owed                            100
ref, owed - T <= amount < owed                   matched   amount, rest stays open (the     95
                                                           reason offers it for write-off)
ref, amount < owed - T                           matched   amount: partial, rest stays open 90
ref, owed < amount <= owed + T                   matched   owed; surplus = excess           95
ref, amount > owed + T                           suggested owed; surplus = excess           70
several refs                                     as above  in the order written, each up to as
                                                           what it owes; the rest stays    above
                                                           open or is surplus
ref to a paid invoice (owes 0 now)               duplicate none; surplus = amount          100
ref to an invoice cancelled by a credit note     refund    none; surplus = amount          100
refs to unpaid and to paid/cancelled invoices    suggested the unpaid ones, in order        60
one ref, several invoices: one owes the amount   suggested that one                        <=50
one ref, several invoices: none or several owe   unmatched none; invoice_ids = all           0
ref that is none of ours (valid check digits)    rule 4, the reason says it
payer's IBAN known, one invoice owes the amount  suggested that invoice                     80
  ... oldest consecutive invoices sum to it      suggested those invoices                   70
  ... one invoice within T of it                 suggested that invoice; surplus if over    70
  ... several invoices fit equally well          suggested the oldest                       50
payer found by name instead of IBAN              suggested as above                      10 less
name as like two clients, only one has a fit     suggested that client's                 30 less
name as like two clients, both have a fit        unmatched none                              0
payer known, nothing fits; or nothing at all     unmatched none                              0
a line already consumed                          the outcome recorded then
================================================ ========= =============================== ====

A payer's name is first compared whole once normalised (case, accents, umlauts spelt out or
not, legal forms and titles gone, word order): clients with that very name are the answer.
Only when none has it do similar names count (``name_similarity`` %, among clients sharing a
name token; those within a few points of the best are equally plausible).

Tolerance. An amount short of what a named invoice owes by at most T (bank charges deducted on
the way, a client rounding down) is "matched" rather than "suggested": the reference leaves no
doubt which invoice it pays. But only the money received is allocated (never more, so that
allocations + surplus == amount always) and the invoice keeps ``remaining_cents`` open; the
reason calls it a write-off candidate. Writing it off is a ledger decision, not the matcher's.
An excess up to T is matched and held as the client's surplus; a larger excess could pay
other invoices, so a person decides.

Duplicate and refund. A reference to an invoice that owes nothing any more is a duplicate
payment; one to an invoice a credit note cancelled is money to give back. Neither allocates:
the whole amount is surplus, ``invoice_ids`` names the invoice, ``client_id`` the client.

Several lines for one invoice. ``match`` is pure: the same line gives the same Outcome however
often it is asked. ``consume(outcome)`` records a decided line: the allocations of a "matched"
outcome lower the matcher's own copy of what each invoice owes, so a second transfer for the
same invoice in the same statement becomes partial or duplicate. Suggestions are not consumed
(a person has not confirmed them; a later exact payment must still match). ``consume`` ignores
a line identity it has seen, and ``match`` of a consumed line returns the recorded outcome, so
importing a statement twice applies nothing twice. ``match_statement`` does both, line by line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from domain.banking.allocation import (
    Allocation,
    Kind,
    OpenInvoice,
    Verdict,
    by_payer,
    by_reference,
    payer_fit,
)
from domain.banking.indexes import Hit, InvoiceIndex, PayerIndex
from domain.banking.reason_codes import explain
from domain.banking.statement import BankLine
from domain.money import Cents, format_eur

__all__ = [
    "Allocation",
    "Kind",
    "KnownPayout",
    "Matcher",
    "MatchingPolicy",
    "OpenInvoice",
    "Outcome",
    "Rule",
]

Rule = Literal["end_to_end_id", "creditor_reference", "invoice_number", "amount_and_payer", "none"]


@dataclass(frozen=True)
class KnownPayout:  # our own outgoing transfers (wages, refunds)
    end_to_end_id: str
    payout_id: int
    order_id: int | None
    amount_cents: Cents


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: Kind
    rule: Rule
    confidence: int  # percent 0..100
    allocations: tuple[Allocation, ...]
    surplus_cents: Cents  # received beyond what the allocated invoices owe
    payout_id: int | None
    reason: str  # one plain sentence for finance
    line_identity: str = ""  # BankLine.identity, what consume() remembers
    invoice_ids: tuple[int, ...] = ()  # invoices named or proposed (also for duplicate/refund)
    client_id: int | None = None  # whose money it is, when known
    remaining_cents: Cents = 0  # what the allocated invoices still owe after this line


@dataclass(frozen=True)
class MatchingPolicy:
    tolerance_cents: Cents = 500  # bank charges, small differences (cents, never a percentage)
    name_similarity: int = 80  # percent
    currency: str = "EUR"  # the invoices' currency: lines in another one are not allocated


DEFAULT_POLICY = MatchingPolicy()


class Matcher:
    """Indexes built once; each line then costs a few dictionary look-ups and one scan of its
    own text, never a scan of all invoices or clients."""

    def __init__(
        self,
        invoices: Iterable[OpenInvoice],
        payouts: Iterable[KnownPayout],
        client_ibans: Mapping[str, int],  # IBAN (normalised) -> client_id, from earlier payments
        client_names: Mapping[int, str],  # client_id -> name
        policy: MatchingPolicy = DEFAULT_POLICY,
    ) -> None:
        self._policy = policy
        self._index = InvoiceIndex(invoices)
        self._payers = PayerIndex(client_ibans, client_names, policy.name_similarity)
        self._payouts = {p.end_to_end_id.strip(): p for p in payouts if p.end_to_end_id.strip()}
        self._consumed: dict[str, Outcome] = {}

    def match(self, line: BankLine) -> Outcome:
        """What ``line`` is for. The same line gives the same outcome (for a consumed line,
        the outcome recorded when it was consumed)."""
        identity = line.identity
        recorded = self._consumed.get(identity)
        return recorded if recorded is not None else self._decide(line, identity)

    def consume(self, outcome: Outcome) -> bool:
        """Book a decided line: a "matched" outcome's allocations lower what its invoices owe.
        False, and nothing changes, when this line identity was consumed before."""
        if outcome.line_identity in self._consumed:
            return False
        self._consumed[outcome.line_identity] = outcome
        if outcome.kind == "matched":
            owed = self._index.owed
            for allocation in outcome.allocations:
                if allocation.invoice_id in owed:
                    left = owed[allocation.invoice_id] - allocation.amount_cents
                    owed[allocation.invoice_id] = max(0, left)
        return True

    def match_statement(self, lines: Iterable[BankLine]) -> list[Outcome]:
        """Each line matched, then consumed, in order."""
        outcomes = []
        for line in lines:
            outcome = self.match(line)
            self.consume(outcome)
            outcomes.append(outcome)
        return outcomes

    def owed(self, invoice_id: int) -> Cents:
        """What the invoice still owes after the lines consumed so far."""
        return self._index.owed[invoice_id]

    def _decide(self, line: BankLine, identity: str) -> Outcome:
        e2e = line.end_to_end_id.strip()
        if e2e == "NOTPROVIDED":
            e2e = ""
        payout = self._payouts.get(e2e) if e2e else None
        if line.direction == "debit":
            if payout is None:
                return _plain(
                    identity,
                    "ignored",
                    100,
                    f"A debit of {format_eur(line.amount_cents)}, none of our known payouts: "
                    "not an incoming payment",
                )
            said = f"EndToEndId {e2e} is payout {payout.payout_id}: the bank confirms it left"
            if payout.amount_cents == line.amount_cents:
                return _plain(identity, "payout", 100, said, payout.payout_id)
            differs = (
                f", but with {format_eur(line.amount_cents)}, not {format_eur(payout.amount_cents)}"
            )
            return _plain(identity, "payout", 90, said + differs, payout.payout_id)
        if payout is not None:
            said = f"EndToEndId {e2e} is payout {payout.payout_id}"
            if line.return_reason:
                return _plain(
                    identity,
                    "return",
                    100,
                    f"{said}, returned by the bank: {explain(line.return_reason)}",
                    payout.payout_id,
                )
            return _plain(
                identity,
                "return",
                80,
                f"{said}, back without a return reason: probably returned",
                payout.payout_id,
            )
        if line.return_reason:
            return _plain(
                identity,
                "unmatched",
                0,
                f"A returned transfer ({line.return_reason}) whose "
                f"EndToEndId {e2e or '(none)'} is none of our payouts",
            )
        if line.amount_cents <= 0:
            return _plain(identity, "ignored", 100, "A credit of nothing: nothing to allocate")
        if line.currency != self._policy.currency:
            return _plain(
                identity,
                "unmatched",
                0,
                f"A credit in {line.currency}, invoices are in "
                f"{self._policy.currency}: a person converts it",
            )
        # Some clients' software puts the invoice reference in the EndToEndId.
        text = f"{line.unstructured} {e2e}" if e2e else line.unstructured
        hits, unknown = self._index.named(line.structured_refs, text)
        if hits:
            return self._referenced(line, identity, hits)
        return self._by_payer(line, identity, unknown)

    def _referenced(self, line: BankLine, identity: str, hits: list[Hit]) -> Outcome:
        amount, index = line.amount_cents, self._index
        tolerance = self._policy.tolerance_cents
        if len(hits) == 1 and len(hits[0][2]) == 1:  # most lines: one reference, one invoice
            printed, rule, ids = hits[0]
            invoice = index.invoices[ids[0]]
            base = 100 if rule == "creditor_reference" else 95
            verdict = by_reference(amount, (invoice,), index.owed, tolerance, base)
            return Outcome(  # _outcome's, positional: this runs for most lines
                verdict.kind,
                rule,
                verdict.confidence,  # 60 to 100 here
                verdict.allocations,
                verdict.surplus_cents,
                None,
                f"{printed} names invoice {invoice.number}; {verdict.says}",
                identity,
                ids,
                invoice.client_id,
                verdict.remaining_cents,
            )
        rule = "invoice_number"
        for _, found_by, _ in hits:
            if found_by == "creditor_reference":
                rule = found_by
        named: dict[int, OpenInvoice] = {}  # in the order written, each once
        labels: list[str] = []
        ambiguous: list[str] = []
        for printed, _, ids in hits:
            if len(ids) > 1:  # one reference, several invoices: only the amount can tell
                fitting = [i for i in ids if index.owed[i] == amount]
                if len(fitting) != 1:
                    numbers = ", ".join([index.invoices[i].number for i in ids])
                    reason = f"{printed} matches several invoices ({numbers}): a person decides"
                    return Outcome("unmatched", rule, 0, (), 0, None, reason, identity, ids)
                ambiguous.append(printed)
                ids = (fitting[0],)
            if printed not in labels:
                labels.append(printed)
            if ids[0] not in named:
                named[ids[0]] = index.invoices[ids[0]]
        base = 100 if rule == "creditor_reference" else 95
        invoices = list(named.values())
        verdict = by_reference(amount, invoices, index.owed, tolerance, base)
        names = ("names" if len(labels) == 1 else "name") + (
            " invoice" if len(invoices) == 1 else " invoices"
        )
        numbers = ", ".join([invoice.number for invoice in invoices])
        reason = f"{', '.join(labels)} {names} {numbers}; {verdict.says}"
        kind, confidence = verdict.kind, verdict.confidence
        if ambiguous:
            kind = "suggested" if kind == "matched" else kind
            confidence = min(confidence, 50)
            reason += (
                f" ({', '.join(ambiguous)} fits several invoices: the one owing exactly "
                "the amount is proposed)"
            )
        client = invoices[0].client_id
        return _outcome(identity, kind, rule, confidence, reason, verdict, tuple(named), client)

    def _by_payer(self, line: BankLine, identity: str, unknown: list[str]) -> Outcome:
        amount, payers = line.amount_cents, self._payers
        tolerance = self._policy.tolerance_cents
        note = f" ({', '.join(unknown)}: none of our invoices)" if unknown else ""
        known = payers.by_iban(line.counterparty_iban)
        if known is not None:
            clients: tuple[int, ...] = (known,)
            confidence = 80
            who = f"The payer's IBAN is {payers.label(known)}'s"
        else:
            clients = payers.by_name(line.counterparty_name) if line.counterparty_name else ()
            confidence = 70
            like = " and ".join(payers.label(c) for c in clients)
            who = f"The payer \u201c{line.counterparty_name}\u201d is like {like}"
        if not clients:
            reason = f"No reference, invoice number or known payer{note}"
            return Outcome("unmatched", "none", 0, (), 0, None, reason, identity)
        fits = []
        for client in clients:
            fit = payer_fit(amount, self._index.open_of(client), self._index.owed, tolerance)
            if fit is not None:
                fits.append((client, fit))
        if len(fits) != 1:
            why = (
                "none of their open invoices comes to" if not fits else "several have invoices for"
            )
            reason = f"{who}, but {why} {format_eur(amount)}{note}"
            single = clients[0] if len(clients) == 1 else None
            return Outcome("unmatched", "none", 0, (), 0, None, reason, identity, (), single)
        client, fit = fits[0]
        if len(clients) > 1:
            confidence -= 30
            who += f"; only {payers.label(client)} has open invoices for this amount"
        verdict = by_payer(amount, fit, self._index.owed, tolerance, confidence)
        reason = f"{who}; {verdict.says}{note}"
        return _outcome(
            identity,
            "suggested",
            "amount_and_payer",
            verdict.confidence,
            reason,
            verdict,
            tuple([invoice.invoice_id for invoice in fit.invoices]),
            fit.invoices[0].client_id,
        )


def _plain(
    identity: str, kind: Kind, confidence: int, reason: str, payout_id: int | None = None
) -> Outcome:
    """An outcome that allocates nothing: rule 1's, or no rule's."""
    rule: Rule = "end_to_end_id" if payout_id is not None else "none"
    return Outcome(kind, rule, confidence, (), 0, payout_id, reason, identity)


def _outcome(
    identity: str,
    kind: Kind,
    rule: Rule,
    confidence: int,
    reason: str,
    verdict: Verdict,
    invoice_ids: tuple[int, ...],
    client_id: int,
) -> Outcome:
    """The outcome of rules 2 to 4: ``invoice_ids`` named or proposed, the first one's client."""
    return Outcome(  # positional: this runs once per line
        kind,
        rule,
        0 if confidence < 0 else 100 if confidence > 100 else confidence,
        verdict.allocations,
        verdict.surplus_cents,
        None,
        reason,
        identity,
        invoice_ids,
        client_id,
        verdict.remaining_cents,
    )

"""Everything a legal invoice or credit note says, as one frozen value.

The document adapters (PDF, Factur-X/ZUGFeRD CII, Peppol UBL) only lay this value out; every
legal decision is taken here or earlier (``domain.vat``): which VAT category, which exemption
reason, which totals. Amounts are integer cents; the XML and PDF show them with two decimals
through ``domain.money.to_decimal_euros``.

Mandatory content (§14(4) UStG, art. 5 Royal Decree no. 1 on VAT in Belgium, EN 16931): names
and addresses of seller and buyer, the seller's VAT ID or tax number, both VAT IDs on a
reverse-charge invoice, issue date, a unique sequential number, quantity and kind of service,
the service period, the net amount per rate, the rate and tax amount or the exemption reason.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.order_messages import Language

DocumentKind = Literal["invoice", "credit_note"]
# EN 16931 VAT category codes (UNTDID 5305) this cooperative uses.
VatCategory = Literal["S", "AE", "O"]

# UN/ECE Recommendation 20 unit codes the invoices use.
UNIT_LUMP_SUM = "LS"

VATEX_REVERSE_CHARGE = "VATEX-EU-AE"
VATEX_OUTSIDE_SCOPE = "VATEX-EU-O"

LANGUAGES: tuple[Language, ...] = ("de", "en", "fr", "nl", "it", "pl")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class PostalAddress(_Frozen):
    lines: tuple[str, ...] = ()  # street and building; at most three go into the XML
    postcode: str = ""
    city: str = ""
    country: str = Field(pattern=r"^[A-Z]{2}$")  # ISO 3166-1 alpha-2


class ElectronicAddress(_Frozen):
    """Where e-invoices reach a party (EN 16931 BT-34/BT-49): a CEF EAS scheme and a value,
    e.g. ``0208`` + Belgian enterprise number (Peppol), ``EM`` + e-mail address."""

    scheme: str = Field(min_length=2, max_length=4)
    value: str = Field(min_length=1)


class Seller(_Frozen):
    """The cooperative that issues the invoice (in its own name, for its member)."""

    name: str = Field(min_length=1)
    address: PostalAddress
    vat_id: str = Field(min_length=4)
    tax_number: str | None = None  # DE Steuernummer (§14(4) Nr. 2 UStG: VAT ID or tax number)
    legal_id: str | None = None  # company register number (BE: enterprise number)
    legal_id_scheme: str | None = None  # ISO 6523 ICD, e.g. "0208" for the BE enterprise number
    email: str = Field(min_length=3)
    electronic_address: ElectronicAddress
    iban: str = Field(min_length=15)
    bic: str = Field(min_length=8, max_length=11)


class Buyer(_Frozen):
    name: str = Field(min_length=1)
    address: PostalAddress
    vat_id: str | None = None
    is_business: bool
    email: str | None = None
    electronic_address: ElectronicAddress | None = None

    @property
    def country(self) -> str:
        return self.address.country


class InvoiceLine(_Frozen):
    line_id: str
    description: str = Field(min_length=1)
    quantity: Decimal = Field(gt=0)
    unit_code: str = UNIT_LUMP_SUM
    unit_net_cents: int = Field(ge=0)
    net_cents: int = Field(ge=0)
    vat_category: VatCategory
    vat_rate_percent: Decimal = Field(ge=0)  # 19 for 19 %; 0 for AE and O

    @model_validator(mode="after")
    def _net_is_quantity_times_price(self) -> InvoiceLine:
        if Decimal(self.unit_net_cents) * self.quantity != self.net_cents:
            raise ValueError(
                f"line {self.line_id}: {self.quantity} × {self.unit_net_cents} cents "
                f"is not {self.net_cents} cents"
            )
        return self


class VatBreakdown(_Frozen):
    """One VAT rate (or exemption) of the document: EN 16931 BG-23."""

    category: VatCategory
    rate_percent: Decimal = Field(ge=0)
    taxable_cents: int
    tax_cents: int
    exemption_reason: str | None = None  # BT-120, the legal wording
    exemption_reason_code: str | None = None  # BT-121, VATEX code list

    @model_validator(mode="after")
    def _exemption(self) -> VatBreakdown:
        if self.category == "S":
            if self.rate_percent <= 0:
                raise ValueError("a standard-rated breakdown needs a rate above zero")
            if self.exemption_reason or self.exemption_reason_code:
                raise ValueError("a standard-rated breakdown has no exemption reason")
        else:
            if self.rate_percent != 0 or self.tax_cents != 0:
                raise ValueError(f"category {self.category} carries no VAT")
            if not (self.exemption_reason and self.exemption_reason_code):
                raise ValueError(f"category {self.category} needs the exemption reason and code")
        return self


class Totals(_Frozen):
    net_cents: int
    vat_cents: int
    gross_cents: int
    paid_cents: int = 0
    due_cents: int

    @model_validator(mode="after")
    def _balanced(self) -> Totals:
        if self.net_cents + self.vat_cents != self.gross_cents:
            raise ValueError("net + VAT must equal gross")
        if self.gross_cents - self.paid_cents != self.due_cents:
            raise ValueError("gross - paid must equal the amount due")
        return self


class InvoiceDocument(_Frozen):
    kind: DocumentKind
    number: str = Field(min_length=1)
    issue_date: date
    # A credit note names the invoice it corrects (EN 16931 BT-25/BT-26).
    preceding_invoice_number: str | None = None
    preceding_invoice_date: date | None = None
    period_start: date
    period_end: date
    currency: str = "EUR"
    seller: Seller
    buyer: Buyer
    member_name: str = Field(min_length=1)  # the cooperative invoices on behalf of this member
    # BT-10: the client's own reference if it gave one, else the order number it signed.
    buyer_reference: str = Field(min_length=1)
    lines: tuple[InvoiceLine, ...] = Field(min_length=1)
    vat_breakdown: tuple[VatBreakdown, ...] = Field(min_length=1)
    totals: Totals
    due_date: date | None = None
    payment_terms: str = Field(min_length=1)
    creditor_reference: str = Field(min_length=1)  # RF… (DE) or +++…+++ (BE)
    payment_link: str | None = None
    language: Language
    legal_note: str = ""  # the exemption wording as stored on the invoice row
    reason: str = ""  # why a credit note was issued

    @model_validator(mode="after")
    def _consistent(self) -> InvoiceDocument:
        if self.period_end < self.period_start:
            raise ValueError("the service period ends before it starts")
        if self.kind == "credit_note":
            if not self.preceding_invoice_number:
                raise ValueError("a credit note must name the invoice it corrects")
        else:
            if self.preceding_invoice_number:
                raise ValueError("only a credit note refers to a preceding invoice")
            if self.due_date is None:
                raise ValueError("an invoice needs a due date")
            if not self.payment_link:
                raise ValueError("an invoice needs its online-payment link")
        if sum(line.net_cents for line in self.lines) != self.totals.net_cents:
            raise ValueError("the lines do not add up to the net total")
        if sum(v.taxable_cents for v in self.vat_breakdown) != self.totals.net_cents:
            raise ValueError("the VAT breakdown does not cover the net total")
        if sum(v.tax_cents for v in self.vat_breakdown) != self.totals.vat_cents:
            raise ValueError("the VAT breakdown does not add up to the VAT total")
        keys = {(v.category, v.rate_percent) for v in self.vat_breakdown}
        if len(keys) != len(self.vat_breakdown):
            raise ValueError("one VAT breakdown per category and rate")
        for line in self.lines:
            if (line.vat_category, line.vat_rate_percent) not in keys:
                raise ValueError(f"line {line.line_id} has no VAT breakdown")
        categories = {v.category for v in self.vat_breakdown}
        if "AE" in categories and not self.buyer.vat_id:
            raise ValueError("a reverse-charge invoice must carry the client's VAT ID")
        return self

    @property
    def is_credit_note(self) -> bool:
        return self.kind == "credit_note"

    @property
    def on_behalf_note(self) -> str:
        return ON_BEHALF[self.language].format(seller=self.seller.name, member=self.member_name)

    @property
    def note(self) -> str:
        """The document-level note (EN 16931 BT-22): on whose behalf, and for a credit note
        which invoice it cancels and why."""
        text = self.on_behalf_note
        if self.is_credit_note:
            text += " " + CANCELS_INVOICE[self.language].format(
                invoice=self.preceding_invoice_number
            )
            if self.reason:
                text += f" {self.reason}"
        return text

    @property
    def categories(self) -> frozenset[str]:
        return frozenset(v.category for v in self.vat_breakdown)


# ---- payment terms wording (legal text printed on the document and put in BT-20) ----

ON_BEHALF: dict[Language, str] = {
    "de": "{seller} stellt dieses Dokument für sein Mitglied {member} aus, das die Leistung "
    "erbracht hat.",
    "en": "{seller} issues this document on behalf of its member {member}, who performed the "
    "service.",
    "fr": "{seller} émet ce document pour son membre {member}, qui a réalisé la prestation.",
    "nl": "{seller} reikt dit document uit voor haar lid {member}, dat de dienst heeft verricht.",
    "it": "{seller} emette questo documento per il proprio socio {member}, che ha eseguito la "
    "prestazione.",
    "pl": "{seller} wystawia ten dokument w imieniu swojego członka {member}, który wykonał "
    "usługę.",
}

CANCELS_INVOICE: dict[Language, str] = {
    "de": "Storno der Rechnung {invoice}.",
    "en": "Cancels invoice {invoice}.",
    "fr": "Annule la facture {invoice}.",
    "nl": "Annuleert factuur {invoice}.",
    "it": "Annulla la fattura {invoice}.",
    "pl": "Anuluje fakturę {invoice}.",
}

# The client signed an order form stating the term, so the due date is fixed by the calendar
# (§286(2) Nr. 2 BGB) and default starts the next day; consumers must be told (§286(3) BGB).
PAYMENT_TERMS: dict[Language, str] = {
    "de": (
        "Zahlbar ohne Abzug innerhalb von {days} Tagen nach Rechnungsdatum. Nach Ablauf der "
        "Zahlungsfrist tritt Verzug ohne weitere Mahnung ein."
    ),
    "en": (
        "Payable without deduction within {days} days of the invoice date. Payment is in "
        "default from the day after the due date without further notice."
    ),
    "fr": (
        "Payable sans escompte dans les {days} jours suivant la date de facture. À défaut de "
        "paiement à l'échéance, le débiteur est en demeure sans autre rappel."
    ),
    "nl": (
        "Betaalbaar zonder korting binnen {days} dagen na factuurdatum. Na de vervaldag is de "
        "schuldenaar zonder verdere aanmaning in gebreke."
    ),
    "it": (
        "Pagabile senza sconto entro {days} giorni dalla data della fattura. Dopo la scadenza "
        "il debitore è in mora senza ulteriore sollecito."
    ),
    "pl": (
        "Płatne bez potrąceń w terminie {days} dni od daty wystawienia faktury. Po upływie "
        "terminu płatności dłużnik pozostaje w zwłoce bez dodatkowego wezwania."
    ),
}

CREDIT_NOTE_TERMS: dict[Language, str] = {
    "de": "Diese Rechnungskorrektur storniert die Rechnung {invoice}. Bereits gezahlte Beträge "
    "erstatten wir auf Ihr Konto.",
    "en": "This credit note cancels invoice {invoice}. Any amount already paid will be refunded "
    "to your account.",
    "fr": "Cette note de crédit annule la facture {invoice}. Tout montant déjà payé vous sera "
    "remboursé.",
    "nl": "Deze creditnota annuleert factuur {invoice}. Reeds betaalde bedragen worden aan u "
    "terugbetaald.",
    "it": "Questa nota di credito annulla la fattura {invoice}. Gli importi già pagati vi saranno "
    "rimborsati.",
    "pl": "Niniejsza faktura korygująca anuluje fakturę {invoice}. Wpłacone kwoty zostaną "
    "zwrócone na Państwa konto.",
}


def payment_terms_text(language: Language, days: int) -> str:
    return PAYMENT_TERMS[language].format(days=days)


# ---- building the document from what the database and the workflow hold ----


class InvoiceRow(Protocol):
    """The columns of ``db.models.Invoice`` the document needs (read structurally, so the pure
    domain never imports the database layer)."""

    @property
    def number(self) -> str: ...
    @property
    def issue_date(self) -> date: ...
    @property
    def due_date(self) -> date: ...
    @property
    def currency(self) -> str: ...
    @property
    def net_cents(self) -> int: ...
    @property
    def vat_rate(self) -> str: ...
    @property
    def vat_cents(self) -> int: ...
    @property
    def gross_cents(self) -> int: ...
    @property
    def vat_treatment(self) -> str: ...
    @property
    def vat_note(self) -> str: ...
    @property
    def creditor_reference(self) -> str: ...
    @property
    def client_name(self) -> str: ...
    @property
    def client_address(self) -> str: ...
    @property
    def client_vat_id(self) -> str | None: ...
    @property
    def description(self) -> str: ...
    @property
    def period_start(self) -> date: ...
    @property
    def period_end(self) -> date: ...
    @property
    def paid_cents(self) -> int: ...


class OrderFacts(Protocol):
    """The fields of ``domain.order_messages.OrderInput`` the document needs."""

    @property
    def order_id(self) -> int: ...
    @property
    def member_name(self) -> str: ...
    @property
    def client_email(self) -> str: ...
    @property
    def client_country(self) -> str: ...
    @property
    def client_is_business(self) -> bool: ...
    @property
    def client_language(self) -> Language: ...
    @property
    def payment_terms_days(self) -> int: ...


# "postcode city": 4-6 digits (DE, BE, FR, IT, CH, AT, NL…), PL 00-120, PT 1000-001, UK
# "SW1A 1AA"; an optional country prefix such as "B-1050" or "D 10115".
_POSTCODE_CITY = re.compile(
    r"^(?:[A-Z]{1,3}[- ])?(\d{4,6}(?:-\d{3})?|\d{2}-\d{3}|[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2})\s+(.+)$"
)


def parse_address(text: str, country: str) -> PostalAddress:
    """A free-text address as the clients table holds it (``"Hauptstraße 1, 10115 Berlin"``,
    or one part a line) split into street lines, postcode and city. The last part that reads
    "postcode city" gives both; everything else stays a street line."""
    parts = [p.strip() for p in re.split(r"[\n,;]", text) if p.strip()]
    postcode = city = ""
    for index in range(len(parts) - 1, -1, -1):
        match = _POSTCODE_CITY.match(parts[index])
        if match:
            postcode, city = match.group(1), match.group(2)
            del parts[index]
            break
    return PostalAddress(lines=tuple(parts), postcode=postcode, city=city, country=country.upper())


def _category(treatment: str, rate: Decimal) -> VatCategory:
    if treatment == "reverse_charge":
        return "AE"
    if treatment == "outside_scope":
        return "O"
    if treatment == "domestic" and rate > 0:
        return "S"
    raise ValueError(f"no VAT category for treatment {treatment!r} at rate {rate}")


def _percent(rate: Decimal) -> Decimal:
    """A fraction (``0.19``) as the percentage the XML carries (``19.00``)."""
    return (rate * 100).quantize(Decimal("0.01"))


def buyer_electronic_address(
    country: str, vat_id: str | None, email: str | None
) -> ElectronicAddress | None:
    """Belgian businesses are reached on Peppol by their enterprise number (scheme 0208, the ten
    digits of the VAT ID); any other buyer by e-mail (scheme EM)."""
    if country == "BE" and vat_id:
        digits = re.sub(r"\D", "", vat_id)
        if len(digits) == 10:
            return ElectronicAddress(scheme="0208", value=digits)
    if email:
        return ElectronicAddress(scheme="EM", value=email)
    return None


def invoice_document_from(
    invoice: InvoiceRow,
    order: OrderFacts,
    *,
    seller: Seller,
    payment_link: str,
    buyer_reference: str | None = None,
) -> InvoiceDocument:
    """The legal invoice for an ``invoices`` row and the order it bills (one line: the agreed
    service as a lump sum over the service period)."""
    rate = Decimal(invoice.vat_rate)
    category = _category(invoice.vat_treatment, rate)
    percent = _percent(rate) if category == "S" else Decimal("0.00")
    country = order.client_country.upper()
    buyer = Buyer(
        name=invoice.client_name,
        address=parse_address(invoice.client_address, country),
        vat_id=invoice.client_vat_id or None,
        is_business=order.client_is_business,
        email=order.client_email,
        electronic_address=buyer_electronic_address(
            country, invoice.client_vat_id, order.client_email
        ),
    )
    reason_code = {"AE": VATEX_REVERSE_CHARGE, "O": VATEX_OUTSIDE_SCOPE}.get(category)
    return InvoiceDocument(
        kind="invoice",
        number=invoice.number,
        issue_date=invoice.issue_date,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        currency=invoice.currency,
        seller=seller,
        buyer=buyer,
        member_name=order.member_name,
        buyer_reference=buyer_reference or f"ORDER-{order.order_id}",
        lines=(
            InvoiceLine(
                line_id="1",
                description=invoice.description,
                quantity=Decimal(1),
                unit_code=UNIT_LUMP_SUM,
                unit_net_cents=invoice.net_cents,
                net_cents=invoice.net_cents,
                vat_category=category,
                vat_rate_percent=percent,
            ),
        ),
        vat_breakdown=(
            VatBreakdown(
                category=category,
                rate_percent=percent,
                taxable_cents=invoice.net_cents,
                tax_cents=invoice.vat_cents,
                exemption_reason=invoice.vat_note if reason_code else None,
                exemption_reason_code=reason_code,
            ),
        ),
        totals=Totals(
            net_cents=invoice.net_cents,
            vat_cents=invoice.vat_cents,
            gross_cents=invoice.gross_cents,
            paid_cents=invoice.paid_cents,
            due_cents=invoice.gross_cents - invoice.paid_cents,
        ),
        due_date=invoice.due_date,
        payment_terms=payment_terms_text(order.client_language, order.payment_terms_days),
        creditor_reference=invoice.creditor_reference,
        payment_link=payment_link,
        language=order.client_language,
        legal_note=invoice.vat_note,
    )


def credit_note_for(
    invoice: InvoiceDocument, *, number: str, issue_date: date, reason: str = ""
) -> InvoiceDocument:
    """The credit note that cancels ``invoice`` in full: same lines, same VAT, its own number
    and date, naming the invoice. The invoice itself is never edited or deleted."""
    if invoice.is_credit_note:
        raise ValueError("a credit note is cancelled by a new invoice, not by a credit note")
    if number == invoice.number:
        raise ValueError("a credit note has its own number")
    if issue_date < invoice.issue_date:
        raise ValueError("a credit note cannot predate the invoice it cancels")
    totals = invoice.totals
    fields = dict(invoice)
    fields.update(
        {
            "kind": "credit_note",
            "number": number,
            "issue_date": issue_date,
            "preceding_invoice_number": invoice.number,
            "preceding_invoice_date": invoice.issue_date,
            "totals": Totals(
                net_cents=totals.net_cents,
                vat_cents=totals.vat_cents,
                gross_cents=totals.gross_cents,
                paid_cents=0,
                due_cents=totals.gross_cents,
            ),
            "due_date": None,
            "payment_terms": CREDIT_NOTE_TERMS[invoice.language].format(invoice=invoice.number),
            "payment_link": None,
            "reason": reason,
        }
    )
    return InvoiceDocument(**fields)

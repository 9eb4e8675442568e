"""Everything a legal invoice or credit note says, as one frozen value.

The document adapters (PDF, Factur-X/ZUGFeRD CII, Peppol UBL) only lay this value out; every
legal decision is taken here (with ``domain.invoice_builders``) or earlier (``domain.vat``):
which VAT category, which exemption reason, which totals. Amounts are integer cents; the XML
and PDF show them with two decimals through ``domain.money.to_decimal_euros``.

Mandatory content (§14(4) UStG, art. 5 Royal Decree no. 1 on VAT in Belgium, EN 16931): names
and addresses of seller and buyer, the seller's VAT ID or tax number, both VAT IDs on a
reverse-charge invoice, issue date, a unique sequential number, quantity and kind of service,
the service period, the net amount per rate, the rate and tax amount or the exemption reason.

``domain.invoice_builders`` builds this value from an invoice row and its order (and the
credit note that cancels an invoice); ``domain.invoice_wording`` holds the legal wording per
language.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.invoice_wording import CANCELS_INVOICE, ON_BEHALF
from domain.order_messages import EinvoiceProfile, Language, UnitCode

DocumentKind = Literal["invoice", "credit_note"]
# EN 16931 VAT category codes (UNTDID 5305) this cooperative uses.
VatCategory = Literal["S", "AE", "O"]

# UN/ECE Recommendation 20 unit codes the invoices use.
UNIT_LUMP_SUM: UnitCode = "LS"

VATEX_REVERSE_CHARGE = "VATEX-EU-AE"
VATEX_OUTSIDE_SCOPE = "VATEX-EU-O"

# Payment means (BT-81, UNTDID 4461): an invoice is paid by SEPA credit transfer to the seller;
# a credit note names no instrument (how a paid amount goes back is settled separately), but
# says so, since XRechnung wants payment instructions on every document (BR-DE-1).
PAYMENT_SEPA_CREDIT_TRANSFER = "58"
PAYMENT_INSTRUMENT_NOT_DEFINED = "1"


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

    @property
    def is_peppol(self) -> bool:
        """A Peppol participant identifier: Peppol allows only the numeric EAS schemes (ISO 6523
        ICDs and the 99xx VAT schemes), not channels such as EM (PEPPOL-EN16931-CL008)."""
        return self.scheme.isdigit()


class Seller(_Frozen):
    """The cooperative that issues the invoice (in its own name, for its member)."""

    name: str = Field(min_length=1)
    address: PostalAddress
    vat_id: str = Field(min_length=4)
    tax_number: str | None = None  # DE Steuernummer (§14(4) Nr. 2 UStG: VAT ID or tax number)
    legal_id: str | None = None  # company register number (BE: enterprise number)
    legal_id_scheme: str | None = None  # ISO 6523 ICD, e.g. "0208" for the BE enterprise number
    email: str = Field(min_length=3)
    # The seller contact (BG-6): XRechnung requires a contact point and a telephone number
    # besides the e-mail (BR-DE-2, BR-DE-5 to BR-DE-7).
    contact_name: str | None = None
    phone: str | None = None
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


def unit_price_cents(net_cents: int, quantity: Decimal) -> int:
    """The price of one unit when ``quantity`` units make ``net_cents``: whole cents, or
    ValueError saying so (an invoice line's net is exactly quantity × unit price)."""
    if quantity <= 0:
        raise ValueError("the quantity must be more than zero")
    price = Decimal(net_cents) / quantity
    if price != price.to_integral_value():
        raise ValueError(
            f"{net_cents} cents are not {quantity} × a price in whole cents; give a net amount "
            "that is the quantity times the unit price (e.g. 5 days × €480.00 = 240000)"
        )
    return int(price)


class InvoiceLine(_Frozen):
    line_id: str
    description: str = Field(min_length=1)
    quantity: Decimal = Field(gt=0)
    unit_code: UnitCode = UNIT_LUMP_SUM
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
    einvoice_profile: EinvoiceProfile = "en16931"

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

    @property
    def payment_means_code(self) -> str:
        return (
            PAYMENT_INSTRUMENT_NOT_DEFINED if self.is_credit_note else PAYMENT_SEPA_CREDIT_TRANSFER
        )

    @property
    def goes_over_peppol(self) -> bool:
        """A Peppol BIS Billing 3.0 UBL goes with it: the Belgian seller's invoices to
        businesses (the Belgian B2B mandate) whose Peppol participant identifier we know. A
        buyer with none gets no UBL rather than one every Peppol validator rejects."""
        address = self.buyer.electronic_address
        return (
            self.seller.address.country == "BE"
            and self.buyer.is_business
            and address is not None
            and address.is_peppol
        )

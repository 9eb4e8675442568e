"""The legal wording of invoices and credit notes in every language the documents speak:
printed on the document and put into the XML (the payment terms in BT-20, the "on behalf of"
note and the "cancels invoice" phrase in BT-22).
"""

from __future__ import annotations

from domain.order_messages import Language

LANGUAGES: tuple[Language, ...] = ("de", "en", "fr", "nl", "it", "pl")


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

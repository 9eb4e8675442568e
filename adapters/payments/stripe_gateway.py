"""Online payment of an invoice through Stripe (stripe-python 16, async calls over httpx).

The cooperative's invoice stays the legal document; Stripe only collects the money for it: one
Customer per client (tax id, preferred locale) and one PaymentIntent per invoice and amount due
(EUR, metadata ``order_id`` / ``invoice_number`` / ``payment_key``).

Every mutating call carries an ``Idempotency-Key`` that the caller derives from its workflow and
step (``order-12:stripe-payment:DE-2026-0001:1:119000``); a call derived from it (cancelling
the PaymentIntent it replaces, attaching the card before confirming) appends a suffix. A retried
step therefore gets Stripe's first answer back instead of a second object. A refund the
cooperative makes (``refund``) also keeps its key in the refund's metadata, because Stripe forgets
keys after 24 hours.

Built by ``worker.py`` and the API's lifespan with the key and API base from the environment
(``COOPFLOW_STRIPE_API_KEY``, ``COOPFLOW_STRIPE_API_BASE``).

``StripeGateway`` is both the real implementation and the local one: pointed at localstripe
(``python -m localstripe``, plain HTTP, same ``/v1`` paths) it does honest work offline.
localstripe keeps no idempotency keys, sends no ``charge.refunded`` events and knows no
``amount_received``; see docs/stripe.md for what the tests do about each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import httpx
import stripe

from adapters.errors import PermanentAdapterError

CURRENCY = "eur"
# Stripe's test payment methods the server may confirm with, in test mode only. pm_card_visa
# succeeds; pm_card_chargeCustomerFail attaches but its charge is declined.
TEST_CARDS = ("pm_card_visa", "pm_card_chargeCustomerFail")
_EU_VAT_PREFIXES = frozenset(
    "AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK XI".split()
)
# The events the webhook endpoint subscribes to (Dashboard, or localstripe's webhook config).
WEBHOOK_EVENTS = (
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "charge.refunded",
    "charge.refund.updated",
)
# PaymentIntent states from which Stripe can still move money: they cannot be replaced.
_MONEY_MOVING = frozenset({"succeeded", "processing", "requires_capture"})


@dataclass(frozen=True)
class PaymentIntentRef:
    id: str
    client_secret: str
    amount: int
    status: str
    order_id: int | None = None


@dataclass(frozen=True)
class ConfirmResult:
    status: str  # succeeded | processing | requires_action | failed
    message: str = ""


@dataclass(frozen=True)
class RefundRef:
    id: str
    amount: int
    status: str
    created: int


@dataclass(frozen=True)
class RefundResult:
    id: str
    amount: int
    status: str  # pending | requires_action | succeeded | failed | canceled


class PaymentInProgress(PermanentAdapterError):
    """The PaymentIntent to replace already moves money (succeeded or processing)."""


@dataclass(frozen=True)
class ReceivedPayment:
    """A succeeded PaymentIntent as Stripe itself reports it."""

    intent_id: str
    charge_id: str | None
    order_id: int | None
    currency: str
    received_cents: int
    invoice_number: str


def received_payment(intent: dict[str, Any]) -> ReceivedPayment:
    """Read a PaymentIntent (Stripe's API shape, or localstripe's, which embeds the charge):
    what the client actually paid is ``amount_received`` (less than ``amount`` after a partial
    capture); localstripe has no such field, its embedded charge tells the same."""
    charge = intent.get("latest_charge")
    if isinstance(intent.get("amount_received"), int):
        received = int(intent["amount_received"])
    elif isinstance(charge, dict):
        received = int(charge["amount"]) - int(charge.get("amount_refunded") or 0)
    else:
        received = int(intent["amount"])
    charge_id = str(charge["id"]) if isinstance(charge, dict) else (str(charge) if charge else None)
    metadata = intent.get("metadata") or {}
    return ReceivedPayment(
        intent_id=str(intent["id"]),
        charge_id=charge_id,
        order_id=_order_id(metadata),
        currency=str(intent.get("currency", "")),
        received_cents=received,
        invoice_number=str(metadata.get("invoice_number", ""))[:140],
    )


class PaymentsGateway(Protocol):
    async def ensure_customer(
        self,
        *,
        client_id: int,
        name: str,
        email: str,
        vat_id: str | None,
        locale: str,
        country: str,
        idempotency_key: str,
    ) -> str: ...

    async def payment_for_invoice(
        self,
        *,
        invoice_number: str,
        order_id: int,
        amount_cents: int,
        customer_id: str,
        idempotency_key: str,
        replaces: str | None = None,
    ) -> PaymentIntentRef: ...

    async def payment_intent(self, payment_intent_id: str) -> PaymentIntentRef: ...

    async def succeeded_payment(self, payment_intent_id: str) -> ReceivedPayment | None: ...

    async def confirm_with_test_card(
        self, payment_intent_id: str, *, payment_method: str, idempotency_key: str
    ) -> ConfirmResult: ...

    async def refunds_for_charge(self, charge_id: str) -> list[RefundRef]: ...

    async def refund(
        self, payment_intent_id: str, amount_cents: int, idempotency_key: str, reason: str
    ) -> RefundResult: ...


def tax_id_data(vat_id: str | None) -> list[dict[str, str]]:
    """An EU VAT number as Stripe's ``eu_vat`` tax id (other schemes are not sent)."""
    if not vat_id:
        return []
    value = vat_id.replace(" ", "").upper()
    if value[:2] in _EU_VAT_PREFIXES:
        return [{"type": "eu_vat", "value": value}]
    return []


def _order_id(metadata: Any) -> int | None:
    raw = (metadata or {}).get("order_id")
    return int(raw) if isinstance(raw, str) and raw.isdigit() else None


def _ref(intent: Any) -> PaymentIntentRef:
    return PaymentIntentRef(
        id=intent.id,
        client_secret=intent.client_secret or "",
        amount=int(intent.amount),
        status=str(intent.status),
        order_id=_order_id(intent.to_dict().get("metadata")),
    )


class StripeGateway:
    def __init__(
        self,
        api_key: str,
        api_base: str = "https://api.stripe.com",
        *,
        http_client: stripe.HTTPClient | None = None,
        max_network_retries: int = 2,
    ) -> None:
        self._http = http_client or stripe.HTTPXClient()
        # Retries of a POST reuse its Idempotency-Key, so they are safe.
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base.rstrip("/")},
            http_client=self._http,
            max_network_retries=max_network_retries,
        )

    async def aclose(self) -> None:
        await self._http.close_async()  # type: ignore[no-untyped-call]

    async def ensure_customer(
        self,
        *,
        client_id: int,
        name: str,
        email: str,
        vat_id: str | None,
        locale: str,
        country: str,
        idempotency_key: str,
    ) -> str:
        """Create the client's Customer. Callers keep its id and call this once per client; the
        Idempotency-Key makes a retried call return the same Customer."""
        params: dict[str, Any] = {
            "name": name,
            "email": email,
            "preferred_locales": [locale],
            "address": {"country": country},
            "metadata": {"client_id": str(client_id)},
        }
        taxes = tax_id_data(vat_id)
        if taxes:
            params["tax_id_data"] = taxes
        created = await self._client.v1.customers.create_async(
            params,  # type: ignore[arg-type]
            {"idempotency_key": idempotency_key},
        )
        return str(created.id)

    async def payment_for_invoice(
        self,
        *,
        invoice_number: str,
        order_id: int,
        amount_cents: int,
        customer_id: str,
        idempotency_key: str,
        replaces: str | None = None,
    ) -> PaymentIntentRef:
        """A PaymentIntent for the amount due. ``replaces`` (the intent for an earlier amount) is
        cancelled first, so the client can never pay both; if it already moves money,
        ``PaymentInProgress`` is raised and nothing new is created."""
        if amount_cents <= 0:
            raise PermanentAdapterError(f"nothing to pay on invoice {invoice_number}")
        if replaces:
            await self._cancel(replaces, f"{idempotency_key}:cancel-previous")
        intent = await self._client.v1.payment_intents.create_async(
            {
                "amount": amount_cents,
                "currency": CURRENCY,
                "customer": customer_id,
                "metadata": {
                    "order_id": str(order_id),
                    "invoice_number": invoice_number,
                    "payment_key": idempotency_key,
                },
            },
            {"idempotency_key": idempotency_key},
        )
        return _ref(intent)

    async def _cancel(self, payment_intent_id: str, idempotency_key: str) -> None:
        intents = self._client.v1.payment_intents
        current = await intents.retrieve_async(payment_intent_id)
        if current.status == "canceled":
            return
        if current.status in _MONEY_MOVING:
            raise PaymentInProgress(
                f"payment {payment_intent_id} is {current.status}; it cannot be replaced"
            )
        await intents.cancel_async(payment_intent_id, None, {"idempotency_key": idempotency_key})

    async def payment_intent(self, payment_intent_id: str) -> PaymentIntentRef:
        return _ref(await self._client.v1.payment_intents.retrieve_async(payment_intent_id))

    async def succeeded_payment(self, payment_intent_id: str) -> ReceivedPayment | None:
        """The PaymentIntent read back from Stripe with our key: a webhook's payload is never
        booked on its own word. None unless Stripe says it succeeded (or does not know it)."""
        try:
            intent = await self._client.v1.payment_intents.retrieve_async(payment_intent_id)
        except stripe.InvalidRequestError:  # no such PaymentIntent at Stripe
            return None
        data = intent.to_dict()
        if data.get("status") != "succeeded":
            return None
        return received_payment(data)

    async def confirm_with_test_card(
        self, payment_intent_id: str, *, payment_method: str, idempotency_key: str
    ) -> ConfirmResult:
        """Test mode only (the /pay page in development and tests): attach a Stripe test
        payment method and confirm on the server. Production confirms in the browser with
        Stripe.js and the intent's client secret."""
        if payment_method not in TEST_CARDS:
            raise PermanentAdapterError(f"{payment_method!r} is not one of {TEST_CARDS}")
        intents = self._client.v1.payment_intents
        # localstripe refuses payment_method on confirm, so attach it with an update first.
        await intents.update_async(
            payment_intent_id,
            {"payment_method": payment_method},
            {"idempotency_key": f"{idempotency_key}:payment-method"},
        )
        try:
            confirmed = await intents.confirm_async(
                payment_intent_id, None, {"idempotency_key": idempotency_key}
            )
        except stripe.CardError as exc:
            return ConfirmResult("failed", exc.user_message or "The card was declined.")
        except stripe.InvalidRequestError:
            # Confirmed already (a second click without Stripe's idempotency, as in
            # localstripe): report the state it is in.
            current = await intents.retrieve_async(payment_intent_id)
            if current.status in _MONEY_MOVING:
                return ConfirmResult(str(current.status))
            raise
        return ConfirmResult(str(confirmed.status))

    async def refunds_for_charge(self, charge_id: str) -> list[RefundRef]:
        listed = await self._client.v1.refunds.list_async({"charge": charge_id, "limit": 100})
        return [
            RefundRef(id=r.id, amount=int(r.amount), status=str(r.status), created=int(r.created))
            for r in listed.data
        ]

    async def refund(
        self, payment_intent_id: str, amount_cents: int, idempotency_key: str, reason: str
    ) -> RefundResult:
        """Pay ``amount_cents`` of the intent's payment back to the client.

        Stripe keeps an Idempotency-Key for 24 hours only, and an activity may retry for longer:
        the key also goes into the refund's metadata, and a refund of the intent carrying it is
        returned instead of making a second one. ``reason`` is free text kept in the metadata
        (Stripe's own ``reason`` field takes three fixed values only and is not sent)."""
        if amount_cents <= 0:
            raise PermanentAdapterError(f"a refund must be positive, not {amount_cents} cents")
        try:
            return await self._refund(payment_intent_id, amount_cents, idempotency_key, reason)
        except (stripe.InvalidRequestError, stripe.IdempotencyError) as exc:
            # An unknown or unpaid intent, more than is left to refund, a key reused with other
            # parameters: asking again will not help.
            raise PermanentAdapterError(
                f"Stripe refused the refund of {amount_cents} cents on {payment_intent_id}: "
                f"{exc.user_message or exc}"
            ) from exc

    async def _refund(
        self, payment_intent_id: str, amount_cents: int, idempotency_key: str, reason: str
    ) -> RefundResult:
        refunds = self._client.v1.refunds
        listed = await refunds.list_async({"payment_intent": payment_intent_id, "limit": 100})
        for earlier in listed.data:
            if (earlier.to_dict().get("metadata") or {}).get("idempotency_key") == idempotency_key:
                if int(earlier.amount) != amount_cents:
                    raise PermanentAdapterError(
                        f"refund key {idempotency_key} was used for {earlier.amount} cents, "
                        f"not {amount_cents}"
                    )
                return _refund_result(earlier)
        created = await refunds.create_async(
            {
                "payment_intent": payment_intent_id,
                "amount": amount_cents,
                "metadata": {"idempotency_key": idempotency_key, "reason": reason[:500]},
            },
            {"idempotency_key": idempotency_key},
        )
        return _refund_result(created)


def _refund_result(refund: Any) -> RefundResult:
    return RefundResult(id=str(refund.id), amount=int(refund.amount), status=str(refund.status))


async def configure_localstripe_webhook(
    api_base: str, url: str, secret: str, *, name: str = "coopflow"
) -> None:
    """Make localstripe POST its events, signed with ``secret``, to ``url`` (its
    ``/_config/webhooks/<name>``; with real Stripe the endpoint is set up in the Dashboard)."""
    async with httpx.AsyncClient(timeout=10) as http:
        answer = await http.post(
            f"{api_base.rstrip('/')}/_config/webhooks/{name}",
            json={"url": url, "secret": secret, "events": list(WEBHOOK_EVENTS)},
        )
        answer.raise_for_status()

"""The member's new-order form → the JSON API's ``OrderCreate`` (its rules apply as they are)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from api.errors import ProblemError
from api.schemas import OrderCreate
from domain.money import parse_euros


def order_from_form(fields: dict[str, str], words: dict[str, str]) -> OrderCreate:
    try:
        net = parse_euros(fields.get("net_eur", "").replace(",", ".").strip())
    except (ValueError, InvalidOperation) as exc:
        raise ProblemError(422, "invalid-amount", words["invalid_amount"]) from exc
    quantity_text = fields.get("quantity", "").replace(",", ".").strip()
    try:
        quantity = Decimal(quantity_text) if quantity_text else Decimal(1)
    except InvalidOperation as exc:
        raise ProblemError(422, "invalid-quantity", words["invalid_quantity"]) from exc
    return OrderCreate.model_validate(
        {
            "client_id": fields.get("client_id", ""),
            "description": fields.get("description", "").strip(),
            "period_start": fields.get("period_start", ""),
            "period_end": fields.get("period_end", ""),
            "net_amount_cents": net,
            "quantity": quantity,
            "unit": fields.get("unit") or "LS",
        }
    )

"""The member's order forms → the JSON API's request models (their rules apply as they are)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from api.errors import ProblemError
from api.html import typed_euros
from api.schemas import CompleteRequest, ExpenseCreate, OrderCreate


def order_from_form(fields: dict[str, str], words: dict[str, str]) -> OrderCreate:
    try:
        net = typed_euros(fields.get("net_eur", ""))
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


def completion_from_form(
    fields: dict[str, str], words: dict[str, str]
) -> tuple[CompleteRequest, ExpenseCreate | None]:
    """The completion form: actual dates and work days, and at most one expense (optional:
    left empty, none)."""
    completion = CompleteRequest.model_validate(
        {
            "actual_start": fields.get("actual_start", ""),
            "actual_end": fields.get("actual_end", ""),
            "work_days": fields.get("work_days", ""),
        }
    )
    what = fields.get("expense_description", "").strip()
    amount = fields.get("expense_eur", "").strip()
    if not what and not amount:
        return completion, None
    try:
        cents = typed_euros(amount)
    except (ValueError, InvalidOperation) as exc:
        raise ProblemError(422, "invalid-expense", words["invalid_expense"]) from exc
    expense = ExpenseCreate.model_validate(
        {
            "description": what,
            "amount_cents": cents,
            "incurred_on": fields.get("expense_on") or fields.get("actual_end", ""),
        }
    )
    return completion, expense

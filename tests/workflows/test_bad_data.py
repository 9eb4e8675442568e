"""Bad data that slipped past the API does not retry for ever: the step that fails on it is
refused, the order waits for ops as NeedsAttention with the reason in plain words, and the
member's action is answered at once."""

from __future__ import annotations

from domain.order_status import OrderStatus
from tests.workflows.conftest import Lifecycle
from tests.workflows.test_order_lifecycle import sign_and_complete
from workflows import search_attributes as sa


async def test_an_amount_beyond_the_books_puts_the_order_before_ops(lifecycle: Lifecycle) -> None:
    # 9 × 10^18 cents fits the order's column; with VAT the invoice does not fit any.
    handle, inp = await lifecycle.start(net_amount_cents=9_000_000_000_000_000_000)
    view = await sign_and_complete(lifecycle, handle, inp)

    assert view.status == OrderStatus.NEEDS_ATTENTION
    assert "Issue and send the invoice" in view.waiting_for
    assert "refused" in view.waiting_for
    described = await handle.describe()
    assert described.typed_search_attributes.get(sa.ORDER_STATUS) == "NeedsAttention"

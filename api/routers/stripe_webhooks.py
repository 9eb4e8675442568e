"""Stripe's webhook endpoint: an inbox (verify → store once → 200 → handle after the answer)."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request

from api.deps import get_resources
from api.errors import ProblemError
from api.services import stripe_inbox as inbox

router = APIRouter(tags=["webhooks"])


@router.post("/webhooks/stripe")
async def stripe_webhook(request: Request, background: BackgroundTasks) -> dict[str, object]:
    """Events of the Stripe endpoint, signed with its secret (``Stripe-Signature``). Each event
    is stored once by its id and handled after the answer; a replay is answered 200 and
    changes nothing."""
    resources = get_resources(request)
    stripe = inbox.stripe_resources(request.app.state)
    try:
        received = await inbox.receive(
            resources.session_factory,
            await request.body(),
            request.headers.get("stripe-signature"),
            stripe.webhook_secret,
        )
    except inbox.BadSignature as exc:
        raise ProblemError(
            400,
            "bad-signature",
            f"Not a webhook of this endpoint ({exc}); nothing was stored. Stripe signs with the "
            "endpoint's secret: check COOPFLOW_STRIPE_WEBHOOK_SECRET.",
        ) from exc
    if received.pending:
        background.add_task(
            inbox.handle,
            inbox.Inbox(resources.session_factory, resources.temporal, stripe.gateway),
            received.event_id,
        )
    return {"received": True, "event_id": received.event_id, "duplicate": received.duplicate}

"""Who may call each route of the API, as a table: one entry per route (method, path), read by
the access matrix (``test_access_matrix.py``). A route without an entry fails the matrix, so a
new endpoint cannot ship without someone deciding who may call it.

Rules:

- ``public``: anyone, no token (health, docs, the finance desk's login page).
- ``capability-token``: no login; whoever holds the link's token (signing, pay links, the
  Stripe webhook's signature) reaches it, a wrong token opens nothing, whatever bearer is sent.
- ``member``: any member token, acting for itself; staff tokens are refused.
- ``member-own``: member A on A's resource; member B and staff are refused.
- ``owner-or-staff``: member A on A's resource, finance and admin; member B is refused.
- ``signed-in``: any token (lists, ``/members/me``): a member's answer holds only its own data.
- ``staff``: finance and admin; ``finance``: finance only; ``admin``: admin only.

``desk=True``: the credentials are the finance desk's session cookie and CSRF token, not a
bearer token; ``me=True``: the member's pages' session cookie (``/me``) and CSRF token.
``reached``: the statuses a caller the rule lets through may get (a state conflict such as 409
still proves the door opened). ``refused``: the statuses a refusal may have. ``exact``: a
role's one right status where the rule alone does not say it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Rule = Literal[
    "public",
    "capability-token",
    "member",
    "member-own",
    "owner-or-staff",
    "signed-in",
    "staff",
    "finance",
    "admin",
]
Role = Literal["anonymous", "member A", "member B", "finance", "admin"]
ROLES: tuple[Role, ...] = ("anonymous", "member A", "member B", "finance", "admin")

OK = frozenset({200})


@dataclass(frozen=True)
class Access:
    rule: Rule
    reached: frozenset[int] = OK
    desk: bool = False
    me: bool = False
    refused: frozenset[int] = field(default_factory=lambda: frozenset({401, 403, 404}))
    exact: tuple[tuple[Role, int], ...] = ()  # a role's one right answer, where it matters

    def expected(self, role: Role) -> int | None:
        return dict(self.exact).get(role)


def _s(*codes: int) -> frozenset[int]:
    return frozenset(codes)


# In the order the matrix runs them: reads first, then actions, the ones that end something
# (cancel, revoke links, revoke a token) last.
ACCESS: dict[tuple[str, str], Access] = {
    # public
    ("GET", "/health"): Access("public"),
    ("GET", "/openapi.json"): Access("public"),
    ("GET", "/docs"): Access("public"),
    ("GET", "/redoc"): Access("public"),
    ("GET", "/docs-assets"): Access("public"),
    ("GET", "/finance"): Access("public"),  # the login page, or the desk with a desk session
    ("GET", "/me"): Access("public"),  # the login page, or my orders with a member session
    # reads
    ("GET", "/members"): Access("admin"),
    ("GET", "/members/me"): Access("member"),
    ("GET", "/members/me/budget"): Access("member"),
    ("GET", "/members/{member_id}/budget"): Access("staff"),
    ("GET", "/members/me/salary"): Access("member"),
    ("PUT", "/members/me/salary"): Access("member"),
    ("GET", "/members/{member_id}/salary"): Access("staff"),
    ("GET", "/finance/salary-months"): Access("staff"),
    # the Temporal UI's codec server: staff only (anyone in a dev-mode stack)
    ("POST", "/codec/decode"): Access("staff"),
    ("POST", "/codec/encode"): Access("staff"),
    ("GET", "/metrics"): Access("public"),  # Prometheus; a bearer token when one is set
    ("OPTIONS", "/codec/decode"): Access("public", reached=_s(204)),  # CORS preflight
    ("OPTIONS", "/codec/encode"): Access("public", reached=_s(204)),
    ("GET", "/members/{member_id}/employment"): Access("admin"),
    ("GET", "/clients"): Access("signed-in"),
    ("GET", "/clients/{client_id}"): Access("owner-or-staff"),
    ("GET", "/orders"): Access("signed-in"),
    ("GET", "/orders/{order_id}"): Access("owner-or-staff"),
    ("GET", "/orders/{order_id}/expenses"): Access("owner-or-staff"),
    ("GET", "/invoices"): Access("signed-in"),
    ("GET", "/invoices/{invoice_id}"): Access("owner-or-staff"),
    ("GET", "/payslips"): Access("signed-in"),
    ("GET", "/payslips/{payslip_id}"): Access("owner-or-staff"),
    ("GET", "/payslips/{payslip_id}/pdf"): Access("owner-or-staff"),
    ("GET", "/ledger/orders/{order_id}"): Access("owner-or-staff"),
    ("GET", "/finance/cases"): Access("staff"),
    ("GET", "/finance/bank-statements"): Access("staff"),
    ("GET", "/finance/bank-statements/{statement_id}"): Access("staff"),
    ("GET", "/finance/bank-lines"): Access("staff"),
    ("GET", "/sign/{token}"): Access("capability-token"),
    ("GET", "/pay/{token}"): Access("capability-token"),
    # The e-mailed log-in link's page: looking does not use it up (its button's POST does).
    ("GET", "/me/magic/{token}"): Access("capability-token"),
    # actions
    ("POST", "/members"): Access("admin", reached=_s(201)),
    ("POST", "/finance-users"): Access("admin", reached=_s(201)),
    ("POST", "/members/{member_id}/tokens"): Access("admin", reached=_s(201)),
    ("PUT", "/members/{member_id}/employment"): Access("admin"),
    ("PUT", "/members/{member_id}/bank-account"): Access("staff"),
    ("POST", "/clients"): Access("member", reached=_s(201)),
    # B names A's client in the body: refused as an unknown client (422 unknown-client).
    ("POST", "/orders"): Access("member-own", reached=_s(201), refused=_s(401, 403, 404, 422)),
    ("POST", "/orders/{order_id}/expenses"): Access("member-own", reached=_s(201)),
    ("POST", "/orders/{order_id}/submit"): Access("member-own"),
    ("POST", "/orders/{order_id}/complete"): Access("member-own", reached=_s(200, 409)),
    ("POST", "/sign/{token}"): Access("capability-token", reached=_s(200, 409)),
    ("POST", "/pay/{token}"): Access("capability-token", reached=_s(200, 409, 503)),
    ("POST", "/pay/{token}/intent"): Access("capability-token", reached=_s(200, 409, 503)),
    ("POST", "/webhooks/stripe"): Access("capability-token", refused=_s(400)),
    ("POST", "/payments"): Access("finance", reached=_s(200, 201, 409)),
    ("POST", "/finance/cases/{case_id}/decision"): Access("finance", reached=_s(200, 409)),
    ("POST", "/finance/cases/{case_id}/refund"): Access("finance", reached=_s(202, 409)),
    ("POST", "/finance/orders/{order_id}/credit-note"): Access("finance", reached=_s(200, 409)),
    ("POST", "/finance/orders/{order_id}/retry"): Access("staff", reached=_s(202, 409)),
    ("POST", "/finance/bank-statements"): Access("staff", reached=_s(200, 201)),
    ("POST", "/finance/payment-status-reports"): Access("staff", reached=_s(200, 404, 409)),
    # 502: the time-skipping test server has no schedules (the door opened all the same).
    ("POST", "/finance/bank-inbox/read"): Access("staff", reached=_s(202, 502)),
    ("POST", "/finance/bank-lines/{line_id}/accept"): Access("finance", reached=_s(200, 409)),
    ("POST", "/finance/bank-lines/{line_id}/assign"): Access("finance", reached=_s(200, 409)),
    ("POST", "/finance/bank-lines/{line_id}/dismiss"): Access("finance", reached=_s(200, 409)),
    # Anyone may try; only a staff token opens a desk session.
    ("POST", "/finance/login"): Access(
        "public",
        reached=_s(303, 401, 403),
        exact=(("anonymous", 401), ("member A", 403), ("member B", 403)),
    ),
    ("POST", "/finance/cases/{case_id}/decide"): Access("finance", reached=_s(303, 409), desk=True),
    ("POST", "/finance/cases/{case_id}/refunded"): Access(
        "finance", reached=_s(303, 409), desk=True
    ),
    # The desk's bank lines page and the queue's CSV: a desk session of staff (anyone else gets
    # the log-in page, 401); only finance acts on a line (admin: 403).
    ("GET", "/finance/queue.csv"): Access("staff", desk=True),
    ("GET", "/finance/desk/cases/{case_id}"): Access("staff", desk=True),
    ("GET", "/finance/desk/audit"): Access("staff", desk=True),
    ("POST", "/finance/desk/cases/{case_id}/notes"): Access("staff", reached=_s(303), desk=True),
    ("GET", "/finance/desk/bank-lines"): Access("staff", desk=True),
    ("POST", "/finance/desk/bank-lines/{line_id}/assign"): Access(
        "finance", reached=_s(303, 409), desk=True
    ),
    ("POST", "/finance/desk/bank-lines/{line_id}/accept"): Access(
        "finance", reached=_s(303, 409), desk=True
    ),
    ("POST", "/finance/desk/bank-lines/{line_id}/dismiss"): Access(
        "finance", reached=_s(303, 409), desk=True
    ),
    ("POST", "/finance/logout"): Access("public", reached=_s(303)),
    # The member's pages: a session opened with a member token (staff have none: 401); B on
    # A's order, invoice or payslip is refused (404), A's client in B's form too (422).
    ("POST", "/me/login"): Access(
        "public",
        reached=_s(303, 401, 403),
        exact=(("anonymous", 401), ("finance", 403), ("admin", 403)),
    ),
    ("GET", "/me/orders/new"): Access("member", me=True),
    ("GET", "/me/invoices"): Access("member", me=True),
    ("GET", "/me/clients"): Access("member", me=True),
    ("POST", "/me/clients"): Access("member", reached=_s(303), me=True),
    ("GET", "/me/payslips"): Access("member", me=True),
    ("GET", "/me/budget"): Access("member", me=True),
    ("POST", "/me/salary"): Access("member", reached=_s(303), me=True),
    ("GET", "/me/invoices/{invoice_id}/pdf"): Access("member-own", me=True),
    ("GET", "/me/payslips/{payslip_id}/pdf"): Access("member-own", me=True),
    ("POST", "/me/orders"): Access(
        "member-own", reached=_s(303), refused=_s(401, 403, 404, 422), me=True
    ),
    ("POST", "/me/orders/{order_id}/submit"): Access("member-own", reached=_s(303, 409), me=True),
    ("POST", "/me/orders/{order_id}/complete"): Access("member-own", reached=_s(303, 409), me=True),
    ("POST", "/me/logout"): Access("public", reached=_s(303)),
    # Anyone may ask for a log-in link: the same answer whoever asks, whatever the address.
    ("POST", "/me/magic-link"): Access("public"),
    # The first holder of A's link logs in as A (303); the link is used up for the next (410).
    ("POST", "/me/magic/{token}"): Access("capability-token", reached=_s(303, 410)),
    # the ones that end something
    ("POST", "/members/{member_id}/leave"): Access("admin"),
    ("POST", "/orders/{order_id}/cancel"): Access("member-own", reached=_s(200, 409)),
    ("POST", "/finance/orders/{order_id}/revoke-links"): Access("staff"),
    ("DELETE", "/tokens/{token_id}"): Access("admin"),
}


def allowed(access: Access, role: Role) -> bool:
    """Whether ``role`` (holding the right link token, for capability routes) gets through."""
    match access.rule:
        case "public" | "capability-token":
            return True
        case "member":
            return role in ("member A", "member B")
        case "member-own":
            return role == "member A"
        case "owner-or-staff":
            return role in ("member A", "finance", "admin")
        case "signed-in":
            return role != "anonymous"
        case "staff":
            return role in ("finance", "admin")
        case "finance" | "admin":
            return role == access.rule

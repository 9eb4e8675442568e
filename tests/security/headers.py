"""What every answer of the API must carry, page or JSON, found or refused."""

from __future__ import annotations

import httpx


def header_problems(response: httpx.Response) -> list[str]:
    """The security headers ``response`` lacks (empty when it has them all)."""
    headers = response.headers
    problems = []
    csp = headers.get("content-security-policy", "")
    if "frame-ancestors 'none'" not in csp:
        problems.append(f"CSP without frame-ancestors 'none': {csp!r}")
    if "default-src 'none'" not in csp:
        problems.append(f"CSP without default-src 'none': {csp!r}")
    if headers.get("x-content-type-options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if headers.get("x-frame-options") != "DENY":
        problems.append("no X-Frame-Options: DENY")
    if headers.get("referrer-policy") not in ("no-referrer", "same-origin"):
        problems.append(f"Referrer-Policy {headers.get('referrer-policy')!r}")
    for cookie in headers.get_list("set-cookie"):
        attributes = {a.strip().split("=")[0].lower() for a in cookie.split(";")[1:]}
        samesite = "samesite=strict" in cookie.lower() or "samesite=lax" in cookie.lower()
        if "httponly" not in attributes or not samesite:
            problems.append(f"cookie without HttpOnly and SameSite: {cookie!r}")
        if response.request.url.scheme == "https" and "secure" not in attributes:
            problems.append(f"cookie without Secure over https: {cookie!r}")
    return problems

"""The error answers in the OpenAPI document: every operation may answer with an RFC 9457
problem (``application/problem+json``), and the document says so, with the shape."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from api.errors import PROBLEM_JSON


class ProblemDoc(BaseModel):
    type: str = Field(examples=["https://coopflow.example/problems/not-found"])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["Order 42 does not exist or is not yours."])
    instance: str = Field(examples=["/orders/42"])
    errors: list[dict[str, str]] | None = Field(
        default=None, description="422 only: each field and what is wrong with it"
    )


_WHEN = {
    401: "No token, or an unknown or revoked one (WWW-Authenticate: Bearer)",
    403: "The token's role may not do this",
    404: "No such resource, or not yours",
    409: "The order's state refuses the action (e.g. already signed)",
    413: "The request body is larger than 1 MB",
    422: "A field is missing or out of its limits; `errors` names each field",
    429: "Too many requests from your address (Retry-After)",
    503: "Temporal is unreachable; nothing was changed (Retry-After)",
    504: "The order did not answer in time; the action may still take effect",
}

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": when, "model": ProblemDoc, "content": {PROBLEM_JSON: {}}}
    for status, when in _WHEN.items()
}

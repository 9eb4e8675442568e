"""RFC 9457 problem details: every error the API returns is ``application/problem+json``.

One exception type for the API's own refusals (``ProblemError``); foreign errors (domain,
validation, HTTP, Temporal) are mapped to a ``Problem`` in one place, ``problem_of``, which the
JSON handlers and the HTML pages (signing, finance) share. The ``detail`` always says what the
caller can do about it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from temporalio.client import RPCTimeoutOrCancelledError, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from domain.errors import DomainError

log = logging.getLogger(__name__)

PROBLEM_BASE = "https://coopflow.example/problems/"
PROBLEM_JSON = "application/problem+json"

_STATUS_CODES = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    410: "gone",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "unprocessable",
    500: "internal-error",
    502: "bad-gateway",
    503: "service-unavailable",
    504: "gateway-timeout",
}


def _title(code: str) -> str:
    return code.replace("-", " ").replace("_", " ").capitalize()


@dataclass
class Problem:
    status: int
    code: str
    detail: str
    title: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.title = self.title or _title(self.code)

    def body(self, instance: str) -> dict[str, Any]:
        return {
            "type": PROBLEM_BASE + self.code,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "instance": instance,
            **self.extra,
        }


class ProblemError(Exception):
    """A refusal the API decides itself. ``code`` becomes the problem ``type`` URI."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.problem = Problem(
            status, code, detail, title or "", dict(headers or {}), dict(extra or {})
        )

    @property
    def status(self) -> int:
        return self.problem.status

    @property
    def detail(self) -> str:
        return self.problem.detail


def not_found(what: str, ident: object) -> ProblemError:
    """404 that does not reveal whether the thing exists for someone else."""
    return ProblemError(
        404, "not-found", f"There is no {what} {ident} among the {what}s you can see; check the id."
    )


def field_errors(errors: Sequence[Any]) -> list[dict[str, str]]:
    """Pydantic errors as ``{location, field, message}`` a person can read."""
    listed: list[dict[str, str]] = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        location = loc[0] if loc and loc[0] in {"body", "query", "path", "header", "cookie"} else ""
        field_name = ".".join(loc[1:] if location else loc) or "(request)"
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        listed.append({"location": location or "body", "field": field_name, "message": message})
    return listed


def validation_problem(errors: Sequence[Any]) -> Problem:
    listed = field_errors(errors)
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in listed)
    return Problem(
        422,
        "validation-error",
        f"The request has {len(listed)} invalid field(s). {summary}",
        title="Invalid request",
        extra={"errors": listed},
    )


def update_refusal(cause: BaseException) -> Problem:
    """The workflow refused an Update (its validator raised): 409 when the order is in the wrong
    state for the action, 422 when the input is wrong.

    A validator that raises ``ApplicationError(message, type=<domain error code>)`` decides: a
    type naming a state or conflict (``invalid-state``, ``InvalidState``) is 409, another code
    (``invalid-period``, ``invalid-amount``) is 422. A plain exception (``ValueError``, which
    arrives as type ``"ValueError"``) is a refusal of the action in the order's current state:
    409 ``action-refused``. The message is passed on as the detail.
    """
    message = cause.message if isinstance(cause, ApplicationError) else str(cause)
    message = message or "the order refused this action"
    kind = cause.type if isinstance(cause, ApplicationError) and cause.type else ""
    title = "The order refused this action"
    if kind in _PLAIN_EXCEPTIONS or not kind:
        return Problem(409, "action-refused", message, title)
    code = _kebab(kind)
    if any(word in code for word in ("state", "conflict", "already")):
        return Problem(409, code, message, title)
    return Problem(422, code, message, title)


_PLAIN_EXCEPTIONS = {"ValueError", "AssertionError", "RuntimeError", "Exception", "TypeError"}


def _kebab(name: str) -> str:
    out: list[str] = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and (name[i - 1].islower() or name[i - 1].isdigit()):
            out.append("-")
        out.append("-" if ch == "_" else ch.lower())
    return "".join(out)


def _rpc_problem(exc: RPCError) -> Problem:
    if exc.status in {RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED}:
        return Problem(
            503,
            "temporal-unavailable",
            "The workflow service (Temporal) is unreachable right now; nothing was changed. "
            "Retry in a few seconds.",
            headers={"Retry-After": "5"},
        )
    if exc.status == RPCStatusCode.NOT_FOUND:
        return Problem(
            409,
            "workflow-not-running",
            "The order's workflow is not running any more (it finished) or never started, so "
            f"it cannot take this action. Check GET /orders/{{id}}. ({exc.message})",
        )
    log.warning("Temporal refused a call: %s (%s)", exc.message, exc.status)
    return Problem(
        502, "temporal-error", f"The workflow service refused the request: {exc.message}"
    )


def problem_of(exc: BaseException) -> Problem | None:
    """The problem an exception stands for, or None for an unexpected error (→ 500)."""
    if isinstance(exc, ProblemError):
        return exc.problem
    if isinstance(exc, DomainError):
        return Problem(422, exc.code, exc.message)
    if isinstance(exc, RequestValidationError | ValidationError):
        # ValidationError: the API built a domain message (Completion, FinanceDecision, ...)
        # from valid JSON that breaks a cross-field rule.
        return validation_problem(exc.errors())
    if isinstance(exc, StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return Problem(
            exc.status_code,
            _STATUS_CODES.get(exc.status_code, "http-error"),
            detail,
            headers=dict(exc.headers or {}),
        )
    if isinstance(exc, WorkflowUpdateFailedError):
        return update_refusal(exc.cause)
    if isinstance(exc, WorkflowAlreadyStartedError):
        return Problem(
            409,
            "workflow-already-finished",
            f"Workflow {exc.workflow_id} already ran and finished; an order is submitted once. "
            "Create a new order instead.",
        )
    if isinstance(exc, RPCTimeoutOrCancelledError):
        return Problem(
            504,
            "workflow-timeout",
            "The order's workflow did not answer in time. The action may still take effect: "
            "check the order with GET /orders/{id} before retrying.",
        )
    if isinstance(exc, RPCError):
        return _rpc_problem(exc)
    return None


def problem_response(request: Request, problem: Problem) -> JSONResponse:
    return JSONResponse(
        problem.body(request.url.path),
        status_code=problem.status,
        headers=problem.headers,
        media_type=PROBLEM_JSON,
    )


HANDLED = (
    ProblemError,
    DomainError,
    RequestValidationError,
    ValidationError,
    StarletteHTTPException,
    WorkflowUpdateFailedError,
    WorkflowAlreadyStartedError,
    RPCTimeoutOrCancelledError,
    RPCError,
)


def install_problem_handlers(app: FastAPI) -> None:
    async def _handle(request: Request, exc: Exception) -> JSONResponse:
        problem = problem_of(exc)
        assert problem is not None
        if isinstance(exc, StarletteHTTPException):
            if exc.status_code == 404 and problem.detail == "Not Found":
                problem.detail = f"No endpoint at {request.url.path}; see /docs for the paths."
            elif exc.status_code == 405:
                problem.detail = f"{request.method} is not allowed on {request.url.path}."
        return problem_response(request, problem)

    for exc_type in HANDLED:
        app.add_exception_handler(exc_type, _handle)

    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem_response(
            request,
            Problem(
                500,
                "internal-error",
                "Something went wrong on our side and nothing may have been saved; retry, and "
                "tell the cooperative's support if it happens again.",
            ),
        )

    app.add_exception_handler(Exception, _unexpected)

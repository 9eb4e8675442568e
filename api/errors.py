"""RFC 9457 problem details: every error the API returns is ``application/problem+json``.

One exception type for the API's own refusals (``ProblemError``) and one handler per foreign
error type (domain, validation, HTTP, Temporal), all registered by ``install_problem_handlers``.
The ``detail`` always says what the caller can do about it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from temporalio.client import (
    RPCTimeoutOrCancelledError,
    WorkflowUpdateFailedError,
)
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
    429: "too-many-requests",
    500: "internal-error",
    502: "bad-gateway",
    503: "service-unavailable",
    504: "gateway-timeout",
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
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title or _title(code)
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})


def not_found(what: str, ident: object) -> ProblemError:
    """404 that does not reveal whether the thing exists for someone else."""
    return ProblemError(
        404,
        "not-found",
        f"There is no {what} {ident} among the {what}s you can see; check the id.",
    )


def _title(code: str) -> str:
    return code.replace("-", " ").replace("_", " ").capitalize()


def problem_response(
    request: Request,
    status: int,
    code: str,
    detail: str,
    *,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": title or _title(code),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    body.update(extra or {})
    return JSONResponse(body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_JSON)


def field_errors(errors: Sequence[Any]) -> list[dict[str, str]]:
    """Pydantic errors as ``{location, field, message}`` a person can read."""
    listed: list[dict[str, str]] = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        location = loc[0] if loc and loc[0] in {"body", "query", "path", "header", "cookie"} else ""
        field = ".".join(loc[1:] if location else loc) or "(request)"
        message = str(error.get("msg", "invalid value"))
        message = message.removeprefix("Value error, ")
        listed.append({"location": location or "body", "field": field, "message": message})
    return listed


def _validation_problem(request: Request, errors: Sequence[Any]) -> JSONResponse:
    listed = field_errors(errors)
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in listed)
    return problem_response(
        request,
        422,
        "validation-error",
        f"The request has {len(listed)} invalid field(s). {summary}",
        title="Invalid request",
        extra={"errors": listed},
    )


def update_refusal_status(cause: BaseException) -> tuple[int, str]:
    """409 when the order is in the wrong state for the action, 422 when the input is wrong.

    The workflow refuses with ``ApplicationError(message, type=<domain error code>)``; a type
    naming a state (``invalid-state``, ``InvalidState``) is a conflict, anything else is input.
    """
    kind = cause.type if isinstance(cause, ApplicationError) and cause.type else ""
    normalized = kind.lower().replace("_", "-")
    if "state" in normalized or "conflict" in normalized or "already" in normalized:
        return 409, _kebab(kind) or "invalid-state"
    if not kind:
        return 409, "action-refused"
    return 422, _kebab(kind)


def _kebab(name: str) -> str:
    out: list[str] = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and (name[i - 1].islower() or name[i - 1].isdigit()):
            out.append("-")
        out.append("-" if ch == "_" else ch.lower())
    return "".join(out)


def _message_of(cause: BaseException) -> str:
    if isinstance(cause, ApplicationError):
        return cause.message
    return str(cause) or type(cause).__name__


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(
            request,
            exc.status,
            exc.code,
            exc.detail,
            title=exc.title,
            headers=exc.headers,
            extra=exc.extra,
        )

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return problem_response(request, 422, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _request_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _validation_problem(request, exc.errors())

    @app.exception_handler(ValidationError)
    async def _model_validation(request: Request, exc: ValidationError) -> JSONResponse:
        # Raised when the API builds a domain message (Completion, FinanceDecision, ...) from
        # valid JSON that breaks a cross-field rule.
        return _validation_problem(request, exc.errors())

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "http-error")
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"No endpoint at {request.url.path}; see /docs for the API's paths."
        elif exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}; see /docs."
        return problem_response(
            request, exc.status_code, code, detail, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(WorkflowUpdateFailedError)
    async def _update_failed(request: Request, exc: WorkflowUpdateFailedError) -> JSONResponse:
        status, code = update_refusal_status(exc.cause)
        return problem_response(
            request, status, code, _message_of(exc.cause), title="The order refused this action"
        )

    @app.exception_handler(WorkflowAlreadyStartedError)
    async def _already_started(request: Request, exc: WorkflowAlreadyStartedError) -> JSONResponse:
        return problem_response(
            request,
            409,
            "workflow-already-finished",
            f"Workflow {exc.workflow_id} already ran and finished; an order is submitted once. "
            "Create a new order instead.",
        )

    @app.exception_handler(RPCTimeoutOrCancelledError)
    async def _rpc_timeout(request: Request, exc: RPCTimeoutOrCancelledError) -> JSONResponse:
        return problem_response(
            request,
            504,
            "workflow-timeout",
            "The order's workflow did not answer in time. The action may still take effect: "
            "check the order with GET /orders/{id} before retrying.",
        )

    @app.exception_handler(RPCError)
    async def _rpc(request: Request, exc: RPCError) -> JSONResponse:
        if exc.status in {RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED}:
            return problem_response(
                request,
                503,
                "temporal-unavailable",
                "The workflow service (Temporal) is unreachable right now; nothing was changed. "
                "Retry in a few seconds.",
                headers={"Retry-After": "5"},
            )
        if exc.status == RPCStatusCode.NOT_FOUND:
            return problem_response(
                request,
                409,
                "workflow-not-running",
                f"The order's workflow is not running (finished or never started): {exc.message}",
            )
        log.warning("Temporal refused a call: %s (%s)", exc.message, exc.status)
        return problem_response(
            request,
            502,
            "temporal-error",
            f"The workflow service refused the request: {exc.message}",
        )

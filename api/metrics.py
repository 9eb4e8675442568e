"""The API's Prometheus metrics at ``/metrics``: requests by method, route (the route's path
template, never the concrete path: no ids or tokens in labels) and status, their latency, and
the server errors. A registry of its own, so tests can build many apps in one process."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import AppConfig
from api.errors import ProblemError

router = APIRouter(tags=["ops"])

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class ApiMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "coopflow_api_requests",
            "HTTP requests answered",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "coopflow_api_request_seconds",
            "Time to answer an HTTP request",
            ["method", "route"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "coopflow_api_server_errors",
            "Answers with a 5xx status",
            ["method", "route"],
            registry=self.registry,
        )


class MetricsMiddleware:
    """Times every HTTP request and counts it under its route template once routing is done
    (unmatched paths count as ``unmatched``)."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self._app = app
        self._metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self._app(scope, receive, sending)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"]
            self._metrics.requests.labels(method, route, str(status)).inc()
            self._metrics.latency.labels(method, route).observe(time.perf_counter() - started)
            if status >= 500:
                self._metrics.errors.labels(method, route).inc()


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, config: AppConfig) -> Response:
    """Prometheus text format. With ``COOPFLOW_METRICS_TOKEN`` set, the scraper sends it as a
    bearer token; without, keep the port on the internal network (docs/production.md)."""
    if config.metrics_token:
        sent = request.headers.get("authorization", "")
        if sent != f"Bearer {config.metrics_token}":
            raise ProblemError(401, "unauthenticated", "Send the metrics bearer token.")
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

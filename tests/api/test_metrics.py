"""The API's Prometheus metrics: requests counted under their route template (no ids in
labels), latency, server errors; behind a bearer token when one is set."""

from __future__ import annotations

import httpx

from api.app import create_app
from config import Settings
from tests.api.api_helpers import bearer, member_with_order


async def test_requests_are_counted_by_route_template(api: httpx.AsyncClient) -> None:
    token, order = await member_with_order(api)
    assert (await api.get(f"/orders/{order['id']}", headers=bearer(token))).status_code == 200
    assert (await api.get("/orders/999999", headers=bearer(token))).status_code == 404
    assert (await api.get("/no-such-page")).status_code == 404
    scraped = await api.get("/metrics")
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    text = scraped.text
    assert (
        'coopflow_api_requests_total{method="GET",route="/orders/{order_id}",status="200"} 1.0'
        in text
    )
    assert 'route="/orders/{order_id}",status="404"} 1.0' in text
    assert 'route="unmatched",status="404"' in text
    assert f"/orders/{order['id']}" not in text  # no ids, no tokens in labels
    assert 'coopflow_api_request_seconds_count{method="GET",route="/orders/{order_id}"} 2.0' in text


async def test_a_metrics_token_keeps_the_endpoint_closed(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"metrics_token": "m" * 32, "dev_mode": True}))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        assert (await http.get("/metrics")).status_code == 401
        ok = await http.get("/metrics", headers={"Authorization": "Bearer " + "m" * 32})
        assert ok.status_code == 200
        assert "coopflow_api_requests_total" in ok.text

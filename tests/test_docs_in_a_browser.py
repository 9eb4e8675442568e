"""A newcomer opens /docs and /redoc: they render in a real browser (Debian's Chromium) with no
internet access at all, from the app's own assets. A screenshot of each is kept in the test's
temporary folder."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live_api import live_api

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium (.ci/run does)")
    pytest.skip("Debian's chromium is not installed here", allow_module_level=True)

from playwright.sync_api import Route, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_api(tmp_path_factory.mktemp("docs")) as base:
        yield base


@pytest.mark.parametrize(
    ("path", "ready"),
    [("/docs", ".swagger-ui .info .title"), ("/redoc", "text=Download OpenAPI specification")],
)
def test_the_api_docs_render_offline(api_url: str, path: str, ready: str, tmp_path: Path) -> None:
    outside: list[str] = []

    def offline(route: Route) -> None:
        if route.request.url.startswith(api_url):
            route.continue_()
        else:  # no internet: anything fetched from elsewhere fails, and is noted
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.route("**/*", offline)
            page.goto(f"{api_url}{path}")
            page.wait_for_selector(ready, timeout=20_000)
            assert "coopflow" in page.content()
            shot = tmp_path / f"{path.strip('/')}.png"
            page.screenshot(path=str(shot), full_page=False)
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000  # a rendered page, not a blank one
    assert outside == []

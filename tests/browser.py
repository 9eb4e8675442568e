"""What the browser tests share: Debian's Chromium (no Playwright browser download), skipped
where it is not installed but required in CI, and a screenshot helper that proves a page
rendered (kept in the test's temporary folder for a person to look at)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH: dict[str, Any] = {"executable_path": CHROMIUM, "args": ["--no-sandbox"]}


def require_chromium() -> None:
    """Call at a browser test module's top: skips it where Chromium is missing, except in CI."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            raise RuntimeError("CI must install Debian's chromium (.ci/run does)")
        pytest.skip("Debian's chromium is not installed here", allow_module_level=True)


async def shot(page: Any, folder: Path, name: str) -> Path:
    """A full-page screenshot ``<folder>/<name>.png``; a blank page fails the test."""
    path = folder / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000  # a rendered page, not a blank one
    return path

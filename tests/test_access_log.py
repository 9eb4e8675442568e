"""No access log line carries a capability token: uvicorn started as the Dockerfile starts it
(`uvicorn api.app:app`, access log on), then its output read back."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.conftest import ROOT
from tests.live_api import live_api

DOCKERFILE_CMD = re.search(
    r'^CMD \["uvicorn", "api\.app:app"', (ROOT / "Dockerfile").read_text(), re.MULTILINE
)


def test_sign_and_pay_tokens_never_reach_the_access_log(tmp_path: Path) -> None:
    assert DOCKERFILE_CMD, "the Dockerfile no longer starts uvicorn api.app:app"
    log = tmp_path / "uvicorn.log"
    secrets = ["eyJvcmRlci1zaWduaW5nLXRva2Vu.c2lnbmF0dXJl", "pay-token-5up3r-s3cr3t"]
    with log.open("w") as out, live_api(tmp_path, access_log=True, output=out) as base:
        httpx.get(f"{base}/sign/{secrets[0]}", timeout=5)
        httpx.post(f"{base}/sign/{secrets[0]}", json={}, timeout=5)
        httpx.get(f"{base}/pay/{secrets[1]}?lang=de", timeout=5)
        httpx.get(f"{base}/health", timeout=5)
    text = log.read_text()
    assert '"GET /health HTTP/1.1" 200' in text  # the access log is on
    assert '"GET /sign/… HTTP/1.1"' in text
    assert '"GET /pay/…?lang=de HTTP/1.1"' in text
    for secret in secrets:
        assert secret not in text

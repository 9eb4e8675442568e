"""No access log line carries a capability token: uvicorn started as the Dockerfile starts it
(`uvicorn api.app:app`, access log on), then its output read back."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import ROOT, migrate

DOCKERFILE_CMD = re.search(
    r'^CMD \["uvicorn", "api\.app:app"', (ROOT / "Dockerfile").read_text(), re.MULTILINE
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_sign_and_pay_tokens_never_reach_the_access_log(tmp_path: Path) -> None:
    assert DOCKERFILE_CMD, "the Dockerfile no longer starts uvicorn api.app:app"
    url = f"sqlite+aiosqlite:///{tmp_path / 'app.db'}"
    migrate(url)
    port = _free_port()
    env = os.environ | {
        "COOPFLOW_DATABASE_URL": url,
        "COOPFLOW_DATA_DIR": str(tmp_path),
        "COOPFLOW_TEMPORAL_ADDRESS": "127.0.0.1:1",  # not needed for these pages
        "COOPFLOW_DEV_MODE": "1",
    }
    log = tmp_path / "uvicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "api.app:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    httpx.get(f"{base}/health", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            secrets = ["eyJvcmRlci1zaWduaW5nLXRva2Vu.c2lnbmF0dXJl", "pay-token-5up3r-s3cr3t"]
            httpx.get(f"{base}/sign/{secrets[0]}", timeout=5)
            httpx.post(f"{base}/sign/{secrets[0]}", json={}, timeout=5)
            httpx.get(f"{base}/pay/{secrets[1]}?lang=de", timeout=5)
            httpx.get(f"{base}/health", timeout=5)
        finally:
            server.terminate()
            server.wait(timeout=10)
    text = log.read_text()
    assert '"GET /health HTTP/1.1" 200' in text  # the access log is on
    assert '"GET /sign/… HTTP/1.1"' in text
    assert '"GET /pay/…?lang=de HTTP/1.1"' in text
    for secret in secrets:
        assert secret not in text

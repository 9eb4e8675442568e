"""A local SMTP server for development and tests: every message it receives lands in a Maildir.

    python -m dev.mail_sink --port 8025 --maildir .data/maildir

It accepts any recipient except those in the reserved ``.invalid`` domain (RFC 2606), which it
refuses with ``550``, so the permanent-failure path of ``SmtpMailer`` can be exercised.

SMTP is at-least-once: a client that retries after losing the reply to DATA delivers the message
again. The sink stores every delivery and does not deduplicate by Message-ID; readers that care
group by Message-ID.
"""

from __future__ import annotations

import argparse
import mailbox
import signal
import socket
import threading
from email.message import EmailMessage
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from aiosmtpd.controller import Controller

from adapters.mail.mailers import read_maildir


class _MaildirHandler:
    """aiosmtpd handler: stores the raw message with the envelope prepended as headers."""

    def __init__(self, maildir: Path) -> None:
        self._maildir = mailbox.Maildir(maildir, create=True)

    async def handle_RCPT(  # aiosmtpd hook names are upper case
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        domain = address.rpartition("@")[2].lower().rstrip(".")
        if domain == "invalid" or domain.endswith(".invalid"):
            return f"550 5.1.2 <{address}>: domain does not exist (reserved .invalid)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode()
        envelope_headers = (
            f"X-Envelope-From: {envelope.mail_from}\n"
            f"X-Envelope-To: {', '.join(envelope.rcpt_tos)}\n"
        ).encode()
        # Maildir files use bare LF line ends; SMTP delivers CRLF.
        self._maildir.add(envelope_headers + content.replace(b"\r\n", b"\n"))
        return "250 2.0.0 OK: stored"


class MaildirSink:
    """An aiosmtpd server in a background thread, storing into ``maildir``.

    ``start()`` and ``stop()`` are synchronous. aiosmtpd cannot listen on port 0 (it connects
    to its own port to check it is up), so pass a real one, e.g. ``find_free_port()``.
    """

    def __init__(self, maildir: Path, port: int = 8025, host: str = "127.0.0.1") -> None:
        if port == 0:
            raise ValueError("aiosmtpd cannot listen on port 0; pass find_free_port()")
        self.maildir = Path(maildir)
        self.host = host
        self.port = port
        self._controller: Controller | None = None

    def start(self) -> None:
        if self._controller is not None:
            raise RuntimeError("the mail sink is already running")
        controller = Controller(
            _MaildirHandler(self.maildir),
            hostname=self.host,
            port=self.port,
            # The greeting's host name; aiosmtpd's default (socket.getfqdn) may wait on DNS.
            server_hostname="localhost",
        )
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def messages(self) -> list[EmailMessage]:
        """Every message received so far (duplicates included), oldest first."""
        return read_maildir(self.maildir)

    def __enter__(self) -> MaildirSink:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def find_free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free right now (another process may still take it before it is used)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--maildir", type=Path, default=Path(".data/maildir"))
    args = parser.parse_args(argv)

    stopped = threading.Event()

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, on_sigterm)
    sink = MaildirSink(args.maildir, port=args.port, host=args.host)
    sink.start()
    print(  # noqa: T201 - the command's one line of output
        f"mail sink listening on smtp://{args.host}:{args.port}, storing into {args.maildir}",
        flush=True,
    )
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sink.stop()


if __name__ == "__main__":
    main()

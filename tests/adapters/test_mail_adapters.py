from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter

from adapters.errors import PermanentAdapterError
from adapters.mail.mailers import (
    MailAttachment,
    MaildirMailer,
    OutgoingMail,
    SmtpMailer,
    normalize_message_id,
    read_maildir,
)
from dev.mail_sink import MaildirSink, find_free_port

SENDER = "billing@coopflow.example"
# Not valid UTF-8, with CRLF and NUL: what a PDF holds and what a careless encoder breaks.
PDF_BYTES = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\r\n1 0 obj\x00<<>>\nendobj\n%%EOF\n"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def make_mail(**overrides: Any) -> OutgoingMail:
    fields: dict[str, Any] = {
        "message_id": "<invoice-DE-2026-000001@coopflow>",
        "to": "Jürgen Müller <juergen@example.org>",
        "subject": "Rechnung DE-2026-000001 – März",
        "body_text": "Hallo Jürgen,\n\nanbei die Rechnung.\n",
        "attachments": [
            MailAttachment(
                filename="DE-2026-000001.pdf", content_type="application/pdf", content=PDF_BYTES
            )
        ],
    }
    fields.update(overrides)
    return OutgoingMail(**fields)


def attachments_of(message: EmailMessage) -> list[tuple[str | None, str, bytes]]:
    return [
        (a.get_filename(), a.get_content_type(), a.get_content())
        for a in message.iter_attachments()
    ]


def body_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    content: str = body.get_content()
    return content


async def test_smtp_mailer_delivers_through_a_real_smtp_server(mail_sink: MaildirSink) -> None:
    mailer = SmtpMailer("127.0.0.1", mail_sink.port, sender=SENDER)

    await mailer.send(make_mail())

    [received] = mail_sink.messages()
    assert received["Message-ID"] == "<invoice-DE-2026-000001@coopflow>"
    assert received["Subject"] == "Rechnung DE-2026-000001 – März"
    assert received["From"] == SENDER
    assert received["To"].addresses[0].addr_spec == "juergen@example.org"
    assert received["X-Envelope-To"] == "juergen@example.org"
    assert received["Date"] is not None
    assert body_of(received) == "Hallo Jürgen,\n\nanbei die Rechnung.\n"
    assert attachments_of(received) == [("DE-2026-000001.pdf", "application/pdf", PDF_BYTES)]


async def test_smtp_sink_keeps_duplicates_because_smtp_is_at_least_once(
    mail_sink: MaildirSink,
) -> None:
    mailer = SmtpMailer("127.0.0.1", mail_sink.port, sender=SENDER)

    await mailer.send(make_mail(attachments=[]))
    await mailer.send(make_mail(attachments=[]))

    assert [m["Message-ID"] for m in mail_sink.messages()] == [
        "<invoice-DE-2026-000001@coopflow>"
    ] * 2


async def test_smtp_recipient_refusal_is_permanent(mail_sink: MaildirSink) -> None:
    mailer = SmtpMailer("127.0.0.1", mail_sink.port, sender=SENDER)

    with pytest.raises(PermanentAdapterError, match=r"refused recipient.*550"):
        await mailer.send(make_mail(to="nobody@example.invalid"))

    assert mail_sink.messages() == []


async def test_smtp_connection_failure_is_left_to_retry() -> None:
    mailer = SmtpMailer("127.0.0.1", find_free_port(), sender=SENDER, timeout=2)

    # An ordinary exception, not an AdapterError: Temporal retries the activity.
    with pytest.raises(ConnectionRefusedError):
        await mailer.send(make_mail())


async def test_maildir_mailer_stores_a_message_id_once(tmp_path: Path) -> None:
    maildir = tmp_path / "maildir"
    mailer = MaildirMailer(maildir, sender=SENDER)

    await mailer.send(make_mail())
    await mailer.send(make_mail(subject="a retry may even differ"))
    await mailer.send(make_mail(message_id="<invoice-DE-2026-000002@coopflow>"))

    messages = read_maildir(maildir)
    assert sorted(m["Message-ID"] for m in messages) == [
        "<invoice-DE-2026-000001@coopflow>",
        "<invoice-DE-2026-000002@coopflow>",
    ]
    first = next(m for m in messages if m["Message-ID"] == "<invoice-DE-2026-000001@coopflow>")
    assert first["Subject"] == "Rechnung DE-2026-000001 – März"
    assert attachments_of(first) == [("DE-2026-000001.pdf", "application/pdf", PDF_BYTES)]
    assert os.listdir(maildir / "tmp") == []


async def test_maildir_mailer_finds_a_message_a_mail_client_has_read(tmp_path: Path) -> None:
    maildir = tmp_path / "maildir"
    mailer = MaildirMailer(maildir, sender=SENDER)
    await mailer.send(make_mail())
    [name] = os.listdir(maildir / "new")
    os.rename(maildir / "new" / name, maildir / "cur" / f"{name}:2,S")  # what a client does

    await mailer.send(make_mail())

    assert len(read_maildir(maildir)) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"message_id": "no-at-sign"}, "Message-ID"),
        ({"message_id": "<a@b@c>"}, "Message-ID"),
        ({"to": "not an address"}, "not a single e-mail address"),
        ({"to": "a@example.org, b@example.org"}, "not a single e-mail address"),
        ({"subject": "Invoice\r\nBcc: everyone@example.org"}, "newline"),
        (
            {"attachments": [MailAttachment(filename="x", content_type="pdf", content=b"")]},
            "type/subtype",
        ),
    ],
)
async def test_unusable_mail_is_refused_before_sending(
    tmp_path: Path, overrides: dict[str, Any], message: str
) -> None:
    mailer = MaildirMailer(tmp_path / "maildir", sender=SENDER)

    with pytest.raises(PermanentAdapterError, match=message):
        await mailer.send(make_mail(**overrides))

    assert read_maildir(tmp_path / "maildir") == []


def test_message_id_gets_its_angle_brackets() -> None:
    assert normalize_message_id("invoice-1@coopflow") == "<invoice-1@coopflow>"
    assert normalize_message_id("<invoice-1@coopflow>") == "<invoice-1@coopflow>"


def test_binary_attachment_survives_a_temporal_payload() -> None:
    converter = pydantic_data_converter.payload_converter
    mail = make_mail()

    [payload] = converter.to_payloads([mail])
    [decoded] = converter.from_payloads([payload], [OutgoingMail])

    assert decoded == mail


async def test_sink_command_listens_and_stores(tmp_path: Path) -> None:
    port = find_free_port()
    maildir = tmp_path / "maildir"
    command = [sys.executable, "-m", "dev.mail_sink", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--maildir", str(maildir)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 15)
        assert ready, "the sink printed nothing within 15 s"
        line = process.stdout.readline()
        assert f"127.0.0.1:{port}" in line
        assert str(maildir) in line

        await SmtpMailer("127.0.0.1", port, sender=SENDER).send(make_mail())
        assert [m["Message-ID"] for m in read_maildir(maildir)] == [
            "<invoice-DE-2026-000001@coopflow>"
        ]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0

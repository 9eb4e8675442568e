"""Outgoing mail: invoices, reminders, signing links.

``Mailer`` is what activities depend on. ``SmtpMailer`` talks real SMTP (in development to the
sink of ``dev.mail_sink``); ``MaildirMailer`` drops the message straight into a Maildir.

The caller derives ``message_id`` from the business key (``<invoice-DE-2026-000001@coopflow>``),
so a retried activity sends a message with the same Message-ID: a mail client shows it once,
and ``MaildirMailer`` stores it once. SMTP itself is at-least-once: a retry after a lost reply
to DATA can deliver twice, which the stable Message-ID makes harmless.
"""

from __future__ import annotations

import asyncio
import email.errors
import hashlib
import mailbox
import os
import smtplib
import tempfile
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formatdate, getaddresses
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from adapters.errors import PermanentAdapterError


class MailAttachment(BaseModel):
    # Base64 in JSON: PDF bytes are not UTF-8, and these models travel as Temporal payloads.
    model_config = ConfigDict(frozen=True, ser_json_bytes="base64", val_json_bytes="base64")

    filename: str
    content_type: str  # "application/pdf"
    content: bytes


class OutgoingMail(BaseModel):
    model_config = ConfigDict(frozen=True)

    # Stable, derived by the caller from the business key: "<invoice-DE-2026-000001@coopflow>".
    message_id: str
    to: str
    subject: str
    body_text: str
    attachments: list[MailAttachment] = Field(default_factory=list)


class Mailer(Protocol):
    async def send(self, mail: OutgoingMail) -> None: ...


class SmtpMailer:
    """Sends over SMTP with smtplib in a thread.

    Connection problems and 4xx replies propagate as ordinary exceptions so Temporal retries;
    a 5xx refusal of the recipient or of the message raises ``PermanentAdapterError``.
    """

    def __init__(self, host: str, port: int, sender: str, timeout: float = 10.0) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._timeout = timeout

    async def send(self, mail: OutgoingMail) -> None:
        message = build_message(mail, self._sender)
        await asyncio.to_thread(self._send, message, mail)

    def _send(self, message: EmailMessage, mail: OutgoingMail) -> None:
        with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
            try:
                recipient = _addr_spec(mail.to, f"recipient of mail {mail.message_id}")
                smtp.send_message(message, from_addr=self._sender, to_addrs=[recipient])
            except smtplib.SMTPRecipientsRefused as exc:
                replies = list(exc.recipients.values())
                if replies and all(500 <= code < 600 for code, _ in replies):
                    detail = "; ".join(f"{code} {_text(reply)}" for code, reply in replies)
                    raise PermanentAdapterError(
                        f"the mail server refused recipient {mail.to!r} of {mail.message_id}: "
                        f"{detail}; correct the address"
                    ) from exc
                raise
            except smtplib.SMTPDataError as exc:
                if 500 <= exc.smtp_code < 600:
                    raise PermanentAdapterError(
                        f"the mail server refused message {mail.message_id} to {mail.to!r}: "
                        f"{exc.smtp_code} {_text(exc.smtp_error)}"
                    ) from exc
                raise


class MaildirMailer:
    """Stores each message in a Maildir, once per Message-ID.

    The file name is a hash of the Message-ID and is published with a hard link from ``tmp/``,
    which fails if the name exists: a second send of the same Message-ID, even concurrent,
    stores nothing.
    """

    def __init__(self, path: Path, sender: str) -> None:
        self._path = Path(path)
        self._sender = sender

    async def send(self, mail: OutgoingMail) -> None:
        message = build_message(mail, self._sender)
        await asyncio.to_thread(self._store, message)

    def _store(self, message: EmailMessage) -> None:
        box = mailbox.Maildir(self._path, create=True)
        message_id = str(message["Message-ID"])
        key = "coopflow-" + hashlib.sha256(message_id.encode()).hexdigest()[:32]
        if key in box:  # also finds it in cur/, where a mail client moves what it has seen
            return
        fd, tmp_name = tempfile.mkstemp(dir=self._path / "tmp", prefix=f"{key}.")
        try:
            with os.fdopen(fd, "wb") as tmp:
                tmp.write(message.as_bytes())
                tmp.flush()
                os.fsync(tmp.fileno())
            try:
                os.link(tmp_name, self._path / "new" / key)
            except FileExistsError:
                return
        finally:
            os.unlink(tmp_name)


def mailer_for(
    backend: str, *, maildir: Path, smtp_host: str, smtp_port: int, sender: str
) -> Mailer:
    """The sender the settings name (``mail_backend``): "maildir", else SMTP."""
    if backend == "maildir":
        return MaildirMailer(maildir, sender)
    return SmtpMailer(smtp_host, smtp_port, sender)


def build_message(mail: OutgoingMail, sender: str) -> EmailMessage:
    """The MIME message for ``mail``; PermanentAdapterError if a header or address is unusable."""
    _addr_spec(mail.to, f"recipient of mail {mail.message_id}")
    for name, value in (("subject", mail.subject), ("recipient", mail.to)):
        if "\r" in value or "\n" in value:
            raise PermanentAdapterError(f"the {name} of mail {mail.message_id} contains a newline")
    message = EmailMessage(policy=policy.default)
    try:
        message["Message-ID"] = normalize_message_id(mail.message_id)
        message["Date"] = formatdate(localtime=True)
        message["From"] = sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message.set_content(mail.body_text)
        for attachment in mail.attachments:
            maintype, _, subtype = attachment.content_type.partition("/")
            if not maintype or not subtype:
                raise PermanentAdapterError(
                    f"attachment {attachment.filename!r} of mail {mail.message_id} has content "
                    f"type {attachment.content_type!r}; expected 'type/subtype'"
                )
            message.add_attachment(
                attachment.content,
                maintype=maintype,
                subtype=subtype,
                filename=attachment.filename,
            )
    except (ValueError, email.errors.MessageError) as exc:
        raise PermanentAdapterError(f"mail {mail.message_id} cannot be built: {exc}") from exc
    return message


def normalize_message_id(message_id: str) -> str:
    """``<left@right>``: adds the angle brackets if missing, refuses anything else."""
    bare = message_id.strip().removeprefix("<").removesuffix(">")
    left, at, right = bare.partition("@")
    if not (left and at and right) or "@" in right or any(c in bare for c in " \t\r\n<>"):
        raise PermanentAdapterError(
            f"Message-ID {message_id!r} must look like '<unique-part@domain>' (RFC 5322)"
        )
    return f"<{bare}>"


def read_maildir(path: Path) -> list[EmailMessage]:
    """The messages in a Maildir (``new/`` and ``cur/``), oldest file first."""
    files: list[tuple[int, str, Path]] = []
    for subdir in ("new", "cur"):
        directory = Path(path) / subdir
        if directory.is_dir():
            for entry in os.scandir(directory):
                if entry.is_file() and not entry.name.startswith("."):
                    files.append((entry.stat().st_mtime_ns, entry.name, Path(entry.path)))
    parser = BytesParser(policy=policy.default)
    messages: list[EmailMessage] = []
    for _, _, file in sorted(files):
        parsed = parser.parsebytes(file.read_bytes())
        assert isinstance(parsed, EmailMessage)  # policy.default makes EmailMessage
        messages.append(parsed)
    return messages


def _addr_spec(address: str, what: str) -> str:
    """``name@domain`` out of ``address`` (which may carry a display name); one address only."""
    parsed = getaddresses([address])
    addr_spec = parsed[0][1] if len(parsed) == 1 else ""
    local, at, domain = addr_spec.rpartition("@")
    if not (local and at and domain) or any(c in addr_spec for c in " ,;<>"):
        raise PermanentAdapterError(f"{what}: {address!r} is not a single e-mail address")
    return addr_spec


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply

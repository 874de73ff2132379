"""Sending codes, temporary passwords and notifications: file sinks, SMTP, an HTTP SMS gateway."""

from __future__ import annotations

import json
import re
import smtplib
import threading
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from server.config import Settings
from server.files import private_file


class DeliveryError(Exception):
    """The message could not be handed over to the channel."""


@dataclass(frozen=True)
class Outgoing:
    to: str
    channel: str  # "sms" | "email"
    subject: str
    body: str


class Sink(Protocol):
    def send(self, msg: Outgoing, at: datetime) -> None: ...


_file_lock = threading.Lock()


class FileSink:
    """One JSON object a line, for development, the demo and tests."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, msg: Outgoing, at: datetime) -> None:
        line = json.dumps(
            {
                "to": msg.to,
                "channel": msg.channel,
                "subject": msg.subject,
                "body": msg.body,
                "sent_at": at.isoformat(),
            },
            ensure_ascii=False,
        )
        try:
            with _file_lock:
                private_file(self.path)
                with self.path.open("a", encoding="utf-8") as f:
                    f.write(line + "\n")
        except OSError as exc:
            raise DeliveryError(f"cannot write {self.path}: {exc}") from exc


class SmtpSink:
    """E-mail over plain SMTP (`smtp://host:port`), with the standard library."""

    def __init__(self, host: str, port: int, sender: str, timeout: float) -> None:
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout

    def send(self, msg: Outgoing, at: datetime) -> None:
        email = build_email(self.sender, msg)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                # Only the checked address receives it, whatever the headers say.
                smtp.send_message(email, from_addr=None, to_addrs=[msg.to])
        except (OSError, ValueError, smtplib.SMTPException) as exc:
            # ValueError: UnicodeEncodeError for an address the server cannot take.
            raise DeliveryError(f"SMTP {self.host}:{self.port}: {exc}") from exc


_ADDRESS = re.compile(r"[^@\s\x00-\x1f\x7f,;<>\"()\[\]\\]+@[^@\s\x00-\x1f\x7f,;<>\"()\[\]\\]+")


def build_email(sender: str, msg: Outgoing) -> EmailMessage:
    """The message, or DeliveryError if the address is not one plain address.

    The address comes from a person's card; one with a line break, a comma or a display
    name could add headers or recipients, so it is refused rather than sent.
    """
    if not _ADDRESS.fullmatch(msg.to):
        raise DeliveryError("not a single plain e-mail address; check the person's card")
    email = EmailMessage()
    try:
        email["From"] = sender
        email["To"] = msg.to
        email["Subject"] = msg.subject
        email.set_content(msg.body)
    except (ValueError, TypeError) as exc:  # email refuses CR/LF in header values
        raise DeliveryError(f"the message cannot be built: {exc}") from exc
    return email


class SmsGateway:
    """SMS through an HTTP gateway: POST {"to", "message"} as JSON."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url, self.timeout = url, timeout

    def send(self, msg: Outgoing, at: datetime) -> None:
        try:
            response = httpx.post(
                self.url, json={"to": msg.to, "message": msg.body}, timeout=self.timeout
            )
        except httpx.HTTPError as exc:
            raise DeliveryError(f"SMS gateway: {exc}") from exc
        if response.status_code >= 300:
            raise DeliveryError(f"SMS gateway answered {response.status_code}")


def make_sink(target: str, settings: Settings) -> Sink:
    if target.startswith("file:"):
        return FileSink(Path(target.removeprefix("file:")))
    parts = urlsplit(target)
    if parts.scheme == "smtp":
        return SmtpSink(
            parts.hostname or "localhost",
            parts.port or 25,
            settings.email_from,
            settings.smtp_timeout_seconds,
        )
    if parts.scheme in ("http", "https"):
        return SmsGateway(target, settings.sms_timeout_seconds)
    raise ValueError(f"unknown delivery target {target!r}: use file:, smtp:// or https://")


class Outbox:
    """The two channels, chosen by the settings."""

    def __init__(self, settings: Settings) -> None:
        self.sms = make_sink(settings.sms_target, settings)
        self.email = make_sink(settings.email_target, settings)

    def send(self, msg: Outgoing, at: datetime) -> None:
        (self.sms if msg.channel == "sms" else self.email).send(msg, at)

"""Codes delivered for real: e-mail to an SMTP server (aiosmtpd) and SMS to an HTTP
gateway, both running in the test; a failing delivery is recorded and answers 503."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from server.notifications.models import Delivery
from tests.conftest import Harness, code_in, free_port
from tests.server.conftest import Org
from tests.server.support import API, Inbox, add_user, error, start_login, user_row, verify


class Gateway:
    """A tiny SMS gateway: records each JSON POST and answers with `status`."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = 200
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                gateway.received.append(
                    {
                        "path": self.path,
                        "content_type": self.headers.get("Content-Type"),
                        "json": json.loads(self.rfile.read(length)),
                    }
                )
                self.send_response(gateway.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    g = Gateway()
    try:
        yield g
    finally:
        g.close()


def _deliveries(h: Harness, username: str) -> list[Delivery]:
    user_id = user_row(h, username).id
    with h.ctx.db.read_session() as db:
        return list(db.scalars(select(Delivery).where(Delivery.user_id == user_id)).all())


def test_login_code_arrives_by_email_at_a_real_smtp_server(
    make_org: Callable[..., Org], smtp: tuple[int, Inbox]
) -> None:
    port, inbox = smtp
    org = make_org(email=f"smtp://127.0.0.1:{port}")
    h = org.h
    add_user(h, "epost", org.unit_id, channel="email", email="epost@example.invalid")
    r = start_login(h, "epost")
    assert r.status_code == 200, r.text
    assert r.json()["channel"] == "email"
    assert r.json()["destination_hint"] == "e***@example.invalid"
    assert inbox.arrived.wait(5)
    [(recipients, mail)] = inbox.messages
    assert recipients == ["epost@example.invalid"]
    assert mail["To"] == "epost@example.invalid"
    body = mail.get_payload(decode=True)
    assert isinstance(body, bytes)
    code = code_in(body.decode(mail.get_content_charset() or "utf-8"))
    assert verify(h, r.json()["challenge_id"], code).status_code == 200
    [delivery] = _deliveries(h, "epost")
    assert delivery.status == "sent" and delivery.channel == "email"


def test_login_code_arrives_at_the_sms_gateway_as_json(
    make_org: Callable[..., Org], gateway: Gateway
) -> None:
    org = make_org(sms=gateway.url)
    h = org.h
    r = start_login(h, "kari")
    assert r.status_code == 200, r.text
    [request] = gateway.received
    mobile = user_row(h, "kari").person.mobile
    assert request["path"] == "/send"
    assert request["content_type"] == "application/json"
    assert request["json"]["to"] == mobile
    code = code_in(request["json"]["message"])
    assert verify(h, r.json()["challenge_id"], code).status_code == 200


def test_a_refusing_sms_gateway_gives_503_and_a_failed_delivery(
    make_org: Callable[..., Org], gateway: Gateway
) -> None:
    gateway.status = 500
    org = make_org(sms=gateway.url)
    h = org.h
    r = start_login(h, "kari")
    assert error(r) == (503, "delivery_failed")
    [delivery] = _deliveries(h, "kari")
    assert delivery.status == "failed" and delivery.purpose == "login_code"
    assert delivery.destination_masked.endswith(user_row(h, "kari").person.mobile[-2:])
    # Support sees the failure too, and a failed delivery is not a failed login.
    assert user_row(h, "kari").failed_logins == 0


def test_an_unreachable_smtp_server_gives_503_and_a_failed_delivery(
    make_org: Callable[..., Org],
) -> None:
    org = make_org(email=f"smtp://127.0.0.1:{free_port()}", smtp_timeout_seconds=2)
    h = org.h
    add_user(h, "epost", org.unit_id, channel="email")
    assert error(start_login(h, "epost")) == (503, "delivery_failed")
    [delivery] = _deliveries(h, "epost")
    assert delivery.status == "failed" and delivery.error


def test_a_new_code_that_cannot_be_sent_gives_503(
    make_org: Callable[..., Org], gateway: Gateway
) -> None:
    org = make_org(sms=gateway.url)
    h = org.h
    challenge = start_login(h, "kari").json()["challenge_id"]
    gateway.status = 503
    r = h.client.post(f"{API}/auth/resend", json={"challenge_id": challenge})
    assert error(r) == (503, "delivery_failed")
    assert [d.status for d in _deliveries(h, "kari")] == ["sent", "failed"]

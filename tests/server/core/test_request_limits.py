"""The request-size limit: a body over its route's limit is refused with 413 in the error
envelope, before login too, and a body without a declared length is cut off while it
streams in rather than read whole."""

from __future__ import annotations

import select
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import Harness, LiveServer, start_live_server
from tests.server.conftest import Org
from tests.server.support import API, bearer, error

MB = 1024 * 1024


def test_a_login_larger_than_the_limit_is_refused_unread_with_the_envelope(org: Org) -> None:
    body = b'{"username": "' + b"a" * (2 * MB) + b'", "password": "x"}'
    r = org.h.client.post(
        f"{API}/auth/login", content=body, headers={"content-type": "application/json"}
    )
    assert error(r) == (413, "too_large")
    assert r.json()["error"]["details"] == {"limit": MB}
    assert "1048576 bytes" in r.json()["error"]["message"]


def test_a_body_just_under_the_limit_is_read_as_usual(org: Org) -> None:
    body = b'{"username": "' + b"a" * (MB - 100) + b'", "password": "x"}'
    r = org.h.client.post(
        f"{API}/auth/login", content=body, headers={"content-type": "application/json"}
    )
    assert error(r) == (422, "validation_error")  # read, and judged by the username's rule


def test_the_limit_is_a_setting(harness_factory: Callable[..., Harness]) -> None:
    h = harness_factory(max_request_bytes=4096)
    r = h.client.post(f"{API}/auth/login", json={"username": "a" * 5000, "password": "x"})
    assert error(r) == (413, "too_large")
    assert r.json()["error"]["details"] == {"limit": 4096}
    r = h.client.post(f"{API}/auth/login", json={"username": "a" * 3000, "password": "x"})
    assert error(r) == (422, "validation_error")  # read, and judged by the username's rule


def test_a_logged_in_user_cannot_store_a_huge_draft(org: Org) -> None:
    from tests.server.support import login

    token = login(org.h, org.user.username)
    r = org.h.client.put(
        f"{API}/me/drafts/d1",
        headers=bearer(token),
        json={"kind": "message", "data": {"body": "x" * (5 * MB)}},
    )
    assert error(r) == (413, "too_large")


def test_only_the_picture_route_takes_a_larger_body(
    harness_factory: Callable[..., Harness],
) -> None:
    h = harness_factory(max_request_bytes=4096, max_upload_bytes=16384)
    big = {"version": 1, "data_base64": "A" * 8000}
    # Not logged in: the picture route reads the body (8 kB < 16 kB), then answers 401.
    r = h.client.put(f"{API}/plans/1/goals/1/picture", json=big)
    assert r.status_code == 401
    r = h.client.put(f"{API}/plans/1/goals/1/picture", json={**big, "data_base64": "A" * 20000})
    assert error(r) == (413, "too_large")
    assert r.json()["error"]["details"] == {"limit": 16384}
    # Other routes under the same plan keep the small limit.
    r = h.client.post(f"{API}/plans/1/goals", json={"title": "A" * 8000})
    assert error(r) == (413, "too_large")


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server, stop = start_live_server(tmp_path)
    try:
        yield server
    finally:
        stop()


def test_a_chunked_body_is_cut_off_while_it_streams(live: LiveServer) -> None:
    """No Content-Length: the server counts the chunks and answers 413 once the limit is
    passed, while the client is still sending; it never reads the 300 MB."""
    host, port = live.url.removeprefix("http://").split(":")
    chunk = b"a" * 65536
    sent = 0
    answer = b""
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(
            b"POST /api/v1/auth/login HTTP/1.1\r\nhost: x\r\n"
            b"content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
        )
        try:
            while sent < 300 * MB:
                readable, _, _ = select.select([s], [], [], 0)
                if readable:
                    break
                s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
        except OSError:
            pass  # the server closed the connection after answering
        s.settimeout(10)
        while b"\r\n\r\n" not in answer:
            part = s.recv(65536)
            if not part:
                break
            answer += part
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    # Socket buffers let some megabytes through before the answer is seen, never hundreds.
    assert sent < 64 * MB, sent

"""The terminal client's server: the real application in-process, on a copy of the demo
data, behind `httpx.ASGITransport`, with a clock the test moves.

No port, no uvicorn thread: requests run in the test's own event loop (sync routes in
its thread pool), so a slow machine changes how long a test takes, not what it sees.
The application's lifespan does not run, so the background notifier stays off; no test
of the client waits for a notification to be sent.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from server.app import create_app
from server.clock import Clock
from server.context import ServerContext
from tests.conftest import LiveServer, _demo_database, make_settings

# Requests go to this host; nothing listens there, the transport answers.
IN_PROCESS_URL = "http://sampro.test"


class MovableClock(Clock):
    """Real time plus whatever the test moved it on; `frozen`, only what it moved.

    The demo data's "today" is the real one, and most tests need time to go on as usual
    (what changed since the last login is told by timestamps), so time runs by default.
    A test of timeouts freezes it, so nothing expires before the test moves the clock.
    """

    def __init__(self, *, frozen: bool = False) -> None:
        self._start = datetime.now(UTC)
        self._frozen = frozen
        self._moved = timedelta(0)

    def now(self) -> datetime:
        return (self._start if self._frozen else datetime.now(UTC)) + self._moved

    def advance(self, seconds: float = 0, **kwargs: float) -> None:
        self._moved += timedelta(seconds=seconds, **kwargs)

    def monotonic(self) -> float:
        """The client's session timer counts on this, so one move moves both sides."""
        return self.now().timestamp()


class InProcessServer(LiveServer):
    """The demo server as `LiveServer` offers it, answered in-process; `clock` moves time."""

    def __init__(self, tmp_path: Path, clock: MovableClock, **overrides: object) -> None:
        accounts = _demo_database(tmp_path, overrides)
        settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'live.db'}", **overrides)
        ctx = ServerContext.from_settings(settings, clock)
        super().__init__(
            url=IN_PROCESS_URL,
            sms_path=tmp_path / "sms.jsonl",
            email_path=tmp_path / "email.jsonl",
            accounts={a.username: a.password for a in accounts},
            ctx=ctx,
        )
        self.clock = clock
        # A server error comes back as the 500 a real server would send, not as an
        # exception inside the client.
        self.app = create_app(ctx=ctx)
        self.transport = RequestCounter(
            ServerSide(httpx.ASGITransport(app=self.app, raise_app_exceptions=False))
        )


class ForwardingTransport(httpx.AsyncBaseTransport):
    """A transport that hands requests on to another; tests subclass it to watch or fail
    some requests on their way to the in-process server."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.inner.handle_async_request(request)


class ServerSide(ForwardingTransport):
    """The server's side of a request runs to its end even when the client gives up on it
    (a screen that leaves cancels its workers), as a real server's does. In-process, the
    app would otherwise be cancelled in the middle of a route, with its transaction (and
    SQLite's write lock) still open."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        served = asyncio.ensure_future(super().handle_async_request(request))
        return await asyncio.shield(served)


class RequestCounter(ForwardingTransport):
    """Counts the requests in flight, so a test can let them all come back before it moves
    the clock (an answer from before the move must not land after it)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        super().__init__(inner)
        self.in_flight = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        try:
            response = await super().handle_async_request(request)
            await response.aread()  # the whole answer, before it counts as back
            return response
        finally:
            self.in_flight -= 1


class StoppingServer(ForwardingTransport):
    """The server, until `stopped`: then every connection is refused, as with it gone."""

    stopped = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.stopped:
            raise httpx.ConnectError("Connection refused", request=request)
        return await super().handle_async_request(request)

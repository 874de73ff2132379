"""Helpers for driving the client with Textual's Pilot against the demo server."""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Callable
from typing import Any

from textual.css.query import NoMatches
from textual.pilot import Pilot
from textual.widgets import Input

from sampro_tui.app import SamproApp
from sampro_tui.config import Config
from sampro_tui.credentials import TokenStore
from sampro_tui.session import SessionTimer, utc_now
from tests.conftest import LiveServer
from tests.tui.in_process import InProcessServer


def make_app(
    server: str | LiveServer, *, timer: SessionTimer | None = None, **kwargs: Any
) -> SamproApp:
    """The app against `server` (a URL, or a server fixture), with nothing written to the
    user's config or keyring. Against the in-process server it talks through its
    transport and counts the session on its clock, unless the test brings its own."""
    url = server if isinstance(server, str) else server.url
    if isinstance(server, InProcessServer):
        kwargs.setdefault("transport", server.transport)
        timer = on_clock(timer or SessionTimer(), server)
    app = SamproApp(
        Config(server_url=url),
        persist=False,
        token_store=TokenStore(enabled=False),
        timer=timer,
        **kwargs,
    )
    keep_notifications(app)
    return app


# What each app has said since it last cleared its notices (see `keep_notifications`).
_SAID: weakref.WeakKeyDictionary[SamproApp, list[str]] = weakref.WeakKeyDictionary()


def keep_notifications(app: SamproApp) -> None:
    """Keep every notice the app gives until it clears them itself (as at login): a notice
    goes away after its timeout on the wall clock, and a slow machine must not lose one
    before the test looks."""
    said = _SAID.setdefault(app, [])
    notify, clear = app.notify, app.clear_notifications

    def notify_and_keep(message: str, *args: Any, **kwargs: Any) -> None:
        said.append(str(message))
        notify(message, *args, **kwargs)

    def clear_and_forget() -> None:
        said.clear()
        clear()

    app.notify = notify_and_keep  # type: ignore[method-assign]
    app.clear_notifications = clear_and_forget  # type: ignore[method-assign]


def on_clock(timer: SessionTimer, server: InProcessServer) -> SessionTimer:
    """`timer` counting on the server's movable clock, where it counts on the real one."""
    if timer.clock is time.monotonic:
        timer.clock = server.clock.monotonic
    if timer.wall is utc_now:
        timer.wall = server.clock.now
    return timer


async def wait_until(
    pilot: Pilot[Any], condition: Callable[[], object], timeout: float = 30.0
) -> None:
    """Let the app run until `condition()` holds. The timeout is only how long to wait
    before calling it a failure: long, since a loaded machine (2 cores, many test
    processes) can take many seconds to draw a screen; no test waits for it to pass."""
    deadline = time.monotonic() + timeout

    def holds() -> bool:
        try:
            return bool(condition())
        except NoMatches:  # what it looks at is not on the screen yet
            return False

    while not holds():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {condition}")
        await pilot.pause(0.02)


async def settled(pilot: Pilot[Any], server: InProcessServer) -> None:
    """Every request the app sent has had its answer, and the app has taken it in: before
    the test moves the clock, so that no answer from before the move lands after it."""
    await pilot.pause()
    await wait_until(pilot, lambda: server.transport.in_flight == 0)
    await pilot.pause()
    await pilot.pause()


def screen_id(app: SamproApp) -> str | None:
    return app.screen.id


async def fill(pilot: Pilot[Any], selector: str, text: str) -> None:
    """Focus an input and give it `text` (Input.Changed fires as when typing)."""
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = text
    field.cursor_position = len(text)
    await pilot.pause()


async def log_in(pilot: Pilot[Any], username: str, password: str) -> None:
    await fill(pilot, "#username", username)
    await fill(pilot, "#password", password)
    await pilot.press("enter")


async def enter_code(pilot: Pilot[Any], code: str) -> None:
    await wait_until(pilot, lambda: screen_id(pilot.app) == "code")  # type: ignore[arg-type]
    await fill(pilot, "#code", code)
    await pilot.press("enter")


async def log_in_fully(pilot: Pilot[Any], live: LiveServer, username: str) -> None:
    """Logged in as `username`: against the in-process server through the login API, as
    the code screen would (the login screens have tests of their own), else through the
    screens; the app then goes on as after any login (plan list, drafts notice)."""
    if isinstance(live, InProcessServer):
        app = pilot.app
        assert isinstance(app, SamproApp)
        challenge = await app.api.login(username, live.accounts[username])
        info = await app.api.verify(challenge.challenge_id, live.latest_code(username))
        await app.session_started(info)
        return
    await log_in_through_screens(pilot, live, username)


async def log_in_through_screens(pilot: Pilot[Any], live: LiveServer, username: str) -> None:
    """Password, then the code from the sink, until the plan list shows."""
    await log_in(pilot, username, live.accounts[username])
    await wait_until(pilot, lambda: pilot.app.screen.id == "code")
    await asyncio.sleep(0)
    await enter_code(pilot, live.latest_code(username))


def notifications(app: SamproApp) -> list[str]:
    """The notices given, oldest first (all since the last clear, for apps from make_app)."""
    if app in _SAID:
        return list(_SAID[app])
    return [str(n.message) for n in app._notifications]

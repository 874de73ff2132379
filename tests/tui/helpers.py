"""Helpers for driving the client with Textual's Pilot against a live server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from sampro_tui.app import SamproApp
from sampro_tui.config import Config
from sampro_tui.credentials import TokenStore
from sampro_tui.session import SessionTimer


def make_app(url: str, *, timer: SessionTimer | None = None, **kwargs: Any) -> SamproApp:
    """The app against `url`, with nothing written to the user's config or keyring."""
    return SamproApp(
        Config(server_url=url),
        persist=False,
        token_store=TokenStore(enabled=False),
        timer=timer,
        **kwargs,
    )


async def wait_until(
    pilot: Pilot[Any], condition: Callable[[], object], timeout: float = 10.0
) -> None:
    """Let the app run until `condition()` holds (network answers take real time)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {condition}")
        await pilot.pause(0.02)


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


async def log_in_fully(pilot: Pilot[Any], live: Any, username: str) -> None:
    """Password, then the code from the sink, until the plan list shows."""
    await log_in(pilot, username, live.accounts[username])
    await wait_until(pilot, lambda: pilot.app.screen.id == "code")
    await asyncio.sleep(0)
    await enter_code(pilot, live.latest_code(username))


def notifications(app: SamproApp) -> list[str]:
    return [str(n.message) for n in app._notifications]

"""Pictures of the login, code, plan list and warning screens, in Norwegian."""

from __future__ import annotations

from typing import Any

from sampro_tui.app import SamproApp, screen_class
from sampro_tui.config import Config
from sampro_tui.credentials import TokenStore
from sampro_tui.i18n import set_language
from sampro_tui.session import SessionTimer
from tests.tui import fake_server
from tests.tui.helpers import wait_until

SIZE = (120, 34)


def frozen_app() -> SamproApp:
    """The app on the fake server with the clocks stopped, so every run looks the same."""
    set_language("nb")
    timer = SessionTimer(clock=lambda: 5000.0, wall=lambda: fake_server.NOW)
    return SamproApp(
        Config(server_url="http://sampro.test"),
        persist=False,
        transport=fake_server.transport(),
        timer=timer,
        token_store=TokenStore(enabled=False),
        tick_seconds=3600,
    )


async def logged_in(pilot: Any) -> None:
    app: SamproApp = pilot.app
    app.user = fake_server.USER
    app.timer.start(fake_server.SESSION)
    app.tick()
    await app.show_root(screen_class("plans")())
    await wait_until(pilot, lambda: bool(getattr(app.screen, "plans", None)))
    await pilot.pause()


def test_login_screen(snap_compare: Any) -> None:
    assert snap_compare(frozen_app(), terminal_size=SIZE)


def test_code_screen(snap_compare: Any) -> None:
    async def to_code(pilot: Any) -> None:
        code = screen_class("code")(
            challenge=fake_server.CHALLENGE, username="koordinator", started=fake_server.NOW
        )
        await pilot.app.push_screen(code)
        await pilot.pause()

    assert snap_compare(frozen_app(), terminal_size=SIZE, run_before=to_code)


def test_plan_list(snap_compare: Any) -> None:
    assert snap_compare(frozen_app(), terminal_size=(150, 20), run_before=logged_in)


def test_session_warning_dialog(snap_compare: Any) -> None:
    async def to_warning(pilot: Any) -> None:
        await logged_in(pilot)
        app: SamproApp = pilot.app
        app.timer.deadline = app.timer.clock() + 272  # 4:32 left: inside the warning
        app.tick()
        await wait_until(pilot, lambda: app.warning_screen is not None)
        await pilot.pause()
        app._update_display()
        await pilot.pause()

    assert snap_compare(frozen_app(), terminal_size=SIZE, run_before=to_warning)

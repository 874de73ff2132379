"""English everywhere the client speaks, the help guide's lockout rule from the server,
the demo's start-up line, and the code countdown on the server's clock."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static

from sampro_tui.app import SamproApp
from sampro_tui.config import Config
from sampro_tui.credentials import TokenStore
from sampro_tui.i18n import set_language
from sampro_tui.session import SessionTimer
from screens.help.screen import HelpScreen, guide
from tests.tui.helpers import fill, log_in, make_app, wait_until
from tests.tui.plan.test_messages_calendar_home_timeline import demo_plan, open_tab


@pytest.fixture
def back_to_norwegian() -> Iterator[None]:
    yield
    set_language("nb")


def test_the_guide_states_the_servers_lockout_rule_or_none() -> None:
    nb = guide("nb", lockout=(5, 1800))
    assert "5 feil passord på rad gir utestenging i 30 minutter." in nb
    assert "Tre feil" not in guide("nb") and "Tre feil" not in nb
    assert "Gjentatte feil passord gir midlertidig utestenging." in guide("nb")
    assert "3 wrong passwords in a row lock the account for 10 minutes." in guide(
        "en", lockout=(3, 600)
    )
    assert "Three wrong" not in guide("en")


@pytest.mark.server_settings(lockout_threshold=5, lockout_seconds=1800)
async def test_help_on_the_login_screen_uses_the_fetched_threshold(demo_server: Any) -> None:
    app = make_app(demo_server)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.lockout_policy == (5, 1800))
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert "5 feil passord på rad gir utestenging i 30 minutter." in (
            app.screen.guide_text()  # type: ignore[attr-defined]
        )


async def test_date_fields_ask_for_dd_mm_yyyy_in_english(
    demo_server: Any, back_to_norwegian: None
) -> None:
    plan_id, _ = demo_plan(demo_server)
    app = SamproApp(
        Config(server_url=demo_server.url, language="en"),
        persist=False,
        token_store=TokenStore(enabled=False),
        transport=demo_server.transport,
    )
    async with app.run_test(size=(140, 50)) as pilot:
        screen = await open_tab(pilot, demo_server, "koordinator", plan_id, "tab-home")
        await wait_until(pilot, lambda: screen.plan is not None)
        assert screen.query_one("#edit-start", Input).placeholder == "dd.mm.yyyy"
        assert screen.query_one("#edit-end", Input).placeholder == "dd.mm.yyyy"


async def test_date_fields_ask_for_dd_mm_aaaa_in_norwegian(demo_server: Any) -> None:
    plan_id, _ = demo_plan(demo_server)
    app = make_app(demo_server)
    async with app.run_test(size=(140, 50)) as pilot:
        screen = await open_tab(pilot, demo_server, "koordinator", plan_id, "tab-home")
        await wait_until(pilot, lambda: screen.plan is not None)
        assert screen.query_one("#edit-start", Input).placeholder == "dd.mm.åååå"


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("nb", "SamPro demo: starter en lokal tjener …"),
        ("en", "SamPro demo: starting a local server …"),
    ],
)
def test_the_demo_start_up_line_is_in_the_users_language(
    tmp_path: Path, lang: str, line: str
) -> None:
    env = {
        **os.environ,
        "SAMPRO_LANG": lang,
        "SAMPRO_CONFIG": str(tmp_path / "config.toml"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "sampro_tui", "demo"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stderr is not None
        first = process.stderr.readline().strip()
    finally:
        process.terminate()  # its SIGTERM handler stops the demo server and its folder
        process.wait(timeout=30)
    assert first == line


class SkewedWall:
    """A local wall clock running `ahead` seconds ahead of the server's."""

    def __init__(self, ahead: float) -> None:
        self.ahead = ahead

    def __call__(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.ahead)


async def test_the_code_countdown_follows_the_servers_clock_not_a_skewed_local_one(
    live_server: Any,
) -> None:
    # The local clock is five minutes fast; the server's Date header corrects it (a real
    # server on a port, since the header is uvicorn's).
    app = make_app(live_server.url, timer=SessionTimer(wall=SkewedWall(300)))
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, "koordinator", live_server.accounts["koordinator"])
        await wait_until(pilot, lambda: app.screen.id == "code")
        # Within the Date header's resolution (whole seconds, and uvicorn renews it once a
        # second): not five minutes short.
        assert 590 < app.screen.seconds_left <= 602  # type: ignore[attr-defined]
        countdown = str(app.screen.query_one("#countdown", Static).render())
        assert "Koden er gyldig i 9:5" in countdown or "Koden er gyldig i 10:0" in countdown
        # The session's own count is corrected the same way (an hour, not 55 minutes).
        await fill(pilot, "#code", live_server.latest_code("koordinator"))
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.timer.active)
        assert app.timer.seconds_left > 3590

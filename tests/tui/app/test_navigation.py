"""Help, the command palette, and switching language."""

from __future__ import annotations

from typing import Any

from textual.command import CommandPalette
from textual.widgets import Static, TabbedContent

from sampro_tui.i18n import language, set_language
from screens.help.screen import HelpScreen
from screens.plans.screen import PlanListScreen
from tests.tui.app.test_snapshots import frozen_app, logged_in
from tests.tui.helpers import log_in_fully, make_app, notifications, wait_until
from tests.tui.in_process import StoppingServer
from tests.tui.plan.test_messages_calendar_home_timeline import demo_plan, open_tab


async def test_help_shows_the_keys_of_the_screen_in_front_and_the_guide() -> None:
    app = frozen_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await logged_in(pilot)
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = app.screen.bindings  # type: ignore[attr-defined]
        shown = {d: k for k, d, _ in rows}
        assert shown["Avsluttede"] == "^o"  # the plan list's own key
        assert "Logg ut" in shown  # and the app's
        ids = {d: i for _, d, i in rows}
        assert ids["Avsluttede"] == "plans.closed"  # the id to remap it by in config.toml
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, PlanListScreen))


async def test_command_palette_opens_a_plan_by_the_owners_name(demo_server: Any) -> None:
    app = make_app(demo_server)
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in_fully(pilot, demo_server, "koordinator")
        await wait_until(pilot, lambda: app.screen.id == "plans-screen" and app.plan_index)
        plan_id, name, _, _ = app.plan_index[3]
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*name)
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen.id == f"plan-{plan_id}")


async def test_switching_language_redraws_in_english_and_back() -> None:
    app = frozen_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await logged_in(pilot)
        try:
            await app.switch_language()
            await pilot.pause()
            assert language() == "en"
            status = str(app.screen.query_one("#plans-status", Static).render())
            assert "of 5 plans" in status and "Sorted by Plan owner" in status
            assert "left" in app.session_text
            await app.switch_language()
            await pilot.pause()
            assert "av 5 planer" in str(app.screen.query_one("#plans-status", Static).render())
        finally:
            set_language("nb")


async def palette_run(pilot: Any, text: str) -> None:
    """Ctrl+P, type `text`, Enter on the best match."""
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, CommandPalette))
    await pilot.press(*text)
    await pilot.pause(0.5)
    await pilot.press("enter")
    await wait_until(pilot, lambda: not isinstance(pilot.app.screen, CommandPalette))


async def test_the_palette_goes_to_each_tab_of_the_open_plan_in_both_languages(
    demo_server: Any,
) -> None:
    plan_id, _ = demo_plan(demo_server)
    app = make_app(demo_server)
    try:
        async with app.run_test(size=(140, 44)) as pilot:
            screen = await open_tab(pilot, demo_server, "koordinator", plan_id, "tab-home")
            await wait_until(pilot, lambda: bool(screen.query("#tab-fag")))
            tabs = screen.query_one("#tabs", TabbedContent)
            await palette_run(pilot, "Kartlegging")
            await wait_until(pilot, lambda: tabs.active == "tab-life")
            await palette_run(pilot, "Fagplaner")
            await wait_until(pilot, lambda: tabs.active == "tab-fag")
            await app.switch_language()
            await wait_until(pilot, lambda: bool(app.screen.query("#tab-goals")))
            tabs = app.screen.query_one("#tabs", TabbedContent)
            await palette_run(pilot, "Goals and activities")
            await wait_until(pilot, lambda: tabs.active == "tab-goals")
            await palette_run(pilot, "Home tab")
            await wait_until(pilot, lambda: tabs.active == "tab-home")
    finally:
        set_language("nb")


async def test_switching_language_on_an_open_plan_without_the_server_keeps_the_app_running(
    demo_server: Any,
) -> None:
    plan_id, _ = demo_plan(demo_server)
    server = StoppingServer(demo_server.transport)
    app = make_app(demo_server, transport=server)
    try:
        async with app.run_test(size=(140, 44)) as pilot:
            screen = await open_tab(pilot, demo_server, "koordinator", plan_id, "tab-home")
            # The coordinator's home shows the completeness list and the feed: both reload.
            await wait_until(pilot, lambda: bool(screen.query("#completeness")))
            await wait_until(pilot, lambda: bool(screen.query("#tab-fag")))
            server.stopped = True  # nothing answers any more
            await palette_run(pilot, "Switch to English")
            await wait_until(
                pilot,
                lambda: any("Cannot reach the server" in n for n in notifications(app)),
            )
            assert app.is_running and language() == "en"
            assert app.screen is screen
            # Every tab came back, in English, although the server did not answer.
            for tab_id in ("tab-goals", "tab-life", "tab-fag", "tab-messages"):
                assert screen.query(f"#{tab_id}"), tab_id
            tabs = screen.query_one("#tabs", TabbedContent)
            assert tabs.get_tab("tab-goals").label_text == "Goals and activities"
    finally:
        set_language("nb")


async def test_help_gives_the_sessions_own_times_in_words() -> None:
    from sampro_contract import SessionInfo
    from tests.tui import fake_server

    app = frozen_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await logged_in(pilot)
        info = SessionInfo.model_validate(
            {
                **fake_server.SESSION.model_dump(),
                "idle_timeout_seconds": 1800,
                "warning_seconds": 120,
            }
        )
        app.timer.start(info)
        app.code_lifetime = 300.0
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = app.screen.guide_text()  # type: ignore[attr-defined]
        assert "Etter 30 minutter uten aktivitet" in text
        assert "en advarsel kommer 2 minutter før" in text
        assert "gyldig i 5 minutter" in text
        assert "en time" not in text and "10 minutter" not in text
        await pilot.press("escape")


def test_durations_in_words() -> None:
    from screens.help.screen import duration_words, guide

    assert duration_words(3600, "nb") == "en time"
    assert duration_words(3600, "en") == "an hour"
    assert duration_words(300, "nb") == "5 minutter"
    assert duration_words(599.8, "nb") == "10 minutter"  # a lifetime seen over the network
    assert duration_words(60, "en") == "a minute"
    assert duration_words(5400, "nb") == "en time og 30 minutter"
    assert duration_words(7200 + 60, "en") == "2 hours and a minute"
    assert duration_words(8, "en") == "8 seconds"
    assert duration_words(1, "nb") == "ett sekund"
    # Not logged in: the times are the server's and not known yet; no number is made up.
    text = guide("en")
    assert "the server decides how long" in text and "valid for a short while" in text
    assert "an hour" not in text

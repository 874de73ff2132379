"""Help, the command palette, and switching language."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from sampro_tui.i18n import language, set_language
from screens.help import HelpScreen
from screens.plan_list import PlanListScreen
from tests.tui.helpers import log_in_fully, make_app, wait_until
from tests.tui.test_snapshots import frozen_app, logged_in


async def test_help_shows_the_keys_of_the_screen_in_front_and_the_guide() -> None:
    app = frozen_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await logged_in(pilot)
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        shown = dict((d, k) for k, d in app.screen.bindings)  # type: ignore[attr-defined]
        assert shown["Avsluttede"] == "^o"  # the plan list's own key
        assert "Logg ut" in shown  # and the app's
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, PlanListScreen))


async def test_command_palette_opens_a_plan_by_the_owners_name(live_server: Any) -> None:
    app = make_app(live_server.url)
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in_fully(pilot, live_server, "koordinator")
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

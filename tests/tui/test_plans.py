"""The plan list and the plan's Hjem tab against a real server with the demo data."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from sampro_contract import PlanSort, SortOrder
from screens.plan_list import PADLOCK, PlanListScreen, PlanTable, plan_cells
from tests.tui.helpers import fill, log_in_fully, make_app, notifications, wait_until


async def open_plan_list(pilot: Any, live: Any, username: str = "koordinator") -> PlanListScreen:
    await log_in_fully(pilot, live, username)
    await wait_until(pilot, lambda: pilot.app.screen.id == "plans-screen")
    screen = pilot.app.screen
    assert isinstance(screen, PlanListScreen)
    await wait_until(pilot, lambda: screen.plans and len(screen.plans) == screen.total)
    return screen


def owners(screen: PlanListScreen) -> list[tuple[str, str]]:
    return [(p.owner_last_name.lower(), p.owner_first_name.lower()) for p in screen.plans]


async def test_search_by_last_name_lists_only_matching_owners(live_server: Any) -> None:
    app = make_app(live_server.url)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_plan_list(pilot, live_server)
        everyone = len(screen.plans)
        last_name = screen.plans[0].owner_last_name
        await fill(pilot, "#last-name", last_name[:3])
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(screen.plans) < everyone)
        assert all(
            p.owner_last_name.lower().startswith(last_name[:3].lower()) for p in screen.plans
        )
        # An empty search lists all again.
        await fill(pilot, "#last-name", "")
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(screen.plans) == everyone)


async def test_sort_by_key_and_by_header_click_same_column_reverses(live_server: Any) -> None:
    app = make_app(live_server.url)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_plan_list(pilot, live_server)
        assert owners(screen) == sorted(owners(screen))
        table = screen.query_one(PlanTable)
        table.focus()
        await pilot.press("3")  # the third column: Type
        await wait_until(pilot, lambda: screen.sort is PlanSort.TYPE)
        await wait_until(pilot, lambda: not screen.workers)
        types = [p.type.value for p in screen.plans]
        assert types == sorted(types)
        await pilot.click(PlanTable, offset=(2, 0))  # the header of the first column: Planeier
        await wait_until(pilot, lambda: screen.sort is PlanSort.OWNER)
        await pilot.click(PlanTable, offset=(2, 0))  # again: reversed
        await wait_until(pilot, lambda: screen.order is SortOrder.DESC)
        await wait_until(pilot, lambda: not screen.workers)
        assert owners(screen) == sorted(owners(screen), reverse=True)
        assert "Planeier ▼" in str(table.render_line(0).text)


async def test_closed_plans_only_when_asked_and_with_a_padlock(live_server: Any) -> None:
    app = make_app(live_server.url)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_plan_list(pilot, live_server)
        assert not any(p.closed for p in screen.plans)
        open_count = len(screen.plans)
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: len(screen.plans) > open_count)
        closed = [p for p in screen.plans if p.closed]
        assert closed
        assert plan_cells(closed[0])[0][0].startswith(PADLOCK)


async def test_consent_close_to_expiry_is_red(live_server: Any) -> None:
    app = make_app(live_server.url)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_plan_list(pilot, live_server)
        soon = [p for p in screen.plans if p.consent_days is not None and p.consent_days <= 30]
        later = [p for p in screen.plans if p.consent_days is not None and p.consent_days > 30]
        assert soon and later
        assert plan_cells(soon[0])[6][1] == "danger"
        assert plan_cells(later[0])[6][1] is None


async def test_enter_opens_the_plan_and_coordinator_edits_about_me(live_server: Any) -> None:
    app = make_app(live_server.url)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_plan_list(pilot, live_server)
        plan = screen.plans[0]
        screen.query_one(PlanTable).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen.id == f"plan-{plan.id}")
        plan_screen = app.screen
        await wait_until(pilot, lambda: getattr(plan_screen, "plan", None) is not None)
        title = str(plan_screen.query_one("#plan-title", Static).render())
        assert plan.owner_first_name in title and plan.owner_last_name in title
        await pilot.press("e")
        await wait_until(pilot, lambda: getattr(plan_screen, "editing", False))
        await fill(pilot, "#edit-status", "Ny status fra testen")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "Lagret." in notifications(app))
        status = str(plan_screen.query_one("#status", Static).render())
        assert "Ny status fra testen" in status
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)


async def test_a_provider_cannot_edit_about_me(live_server: Any) -> None:
    app = make_app(live_server.url)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_plan_list(pilot, live_server, "laerer")
        screen.query_one(PlanTable).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: getattr(app.screen, "plan", None) is not None)
        assert app.screen.check_action("edit", ()) is False
        await pilot.press("e")
        assert not getattr(app.screen, "editing", True)


async def test_stale_version_keeps_my_text_and_shows_a_conflict(live_server: Any) -> None:
    app = make_app(live_server.url)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_plan_list(pilot, live_server)
        screen.query_one(PlanTable).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: getattr(app.screen, "plan", None) is not None)
        plan_screen: Any = app.screen
        await pilot.press("e")
        await fill(pilot, "#edit-status", "Min tekst")
        # Someone else saves first (the same account in another window).
        from sampro_contract import PlanUpdate

        current = plan_screen.plan
        await app.api.update_plan(
            current.id, PlanUpdate(version=current.version, status_text="Andres")
        )
        await pilot.press("ctrl+s")
        await wait_until(
            pilot, lambda: any("Noen andre har endret" in n for n in notifications(app))
        )
        assert plan_screen.editing
        assert plan_screen.query_one("#edit-status").value == "Min tekst"
        assert "Andres" in str(plan_screen.query_one("#status", Static).render())

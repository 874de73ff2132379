"""The plan list and the plan's Hjem tab against a real server with the demo data."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from textual.widgets import Static

from sampro_contract import PlanSort, SortOrder
from screens.plans.screen import PADLOCK, PlanListScreen, PlanTable, plan_cells
from tests.tui.helpers import fill, log_in_fully, make_app, notifications, settled, wait_until
from tests.tui.in_process import ForwardingTransport


async def open_plan_list(pilot: Any, live: Any, username: str = "koordinator") -> PlanListScreen:
    await log_in_fully(pilot, live, username)
    await wait_until(pilot, lambda: pilot.app.screen.id == "plans-screen")
    screen = pilot.app.screen
    assert isinstance(screen, PlanListScreen)
    await wait_until(pilot, lambda: screen.plans and len(screen.plans) == screen.total)
    return screen


def owners(screen: PlanListScreen) -> list[tuple[str, str]]:
    return [(p.owner_last_name.lower(), p.owner_first_name.lower()) for p in screen.plans]


async def test_search_by_last_name_lists_only_matching_owners(demo_server: Any) -> None:
    app = make_app(demo_server)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_plan_list(pilot, demo_server)
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


async def test_sort_by_key_and_by_header_click_same_column_reverses(demo_server: Any) -> None:
    app = make_app(demo_server)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_plan_list(pilot, demo_server)
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


async def test_closed_plans_only_when_asked_and_with_a_padlock(demo_server: Any) -> None:
    app = make_app(demo_server)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_plan_list(pilot, demo_server)
        assert not any(p.closed for p in screen.plans)
        open_count = len(screen.plans)
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: len(screen.plans) > open_count)
        closed = [p for p in screen.plans if p.closed]
        assert closed
        assert plan_cells(closed[0])[0][0].startswith(PADLOCK)


async def test_consent_close_to_expiry_is_red(demo_server: Any) -> None:
    app = make_app(demo_server)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_plan_list(pilot, demo_server)
        soon = [p for p in screen.plans if p.consent_days is not None and p.consent_days <= 30]
        later = [p for p in screen.plans if p.consent_days is not None and p.consent_days > 30]
        assert soon and later
        assert plan_cells(soon[0])[6][1] == "danger"
        assert plan_cells(later[0])[6][1] is None


async def test_enter_opens_the_plan_and_coordinator_edits_about_me(demo_server: Any) -> None:
    app = make_app(demo_server)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_plan_list(pilot, demo_server)
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


async def test_a_provider_cannot_edit_about_me(demo_server: Any) -> None:
    app = make_app(demo_server)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_plan_list(pilot, demo_server, "laerer")
        screen.query_one(PlanTable).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: getattr(app.screen, "plan", None) is not None)
        assert app.screen.check_action("edit", ()) is False
        await pilot.press("e")
        assert not getattr(app.screen, "editing", True)


async def test_stale_version_keeps_my_text_and_shows_a_conflict(demo_server: Any) -> None:
    app = make_app(demo_server)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_plan_list(pilot, demo_server)
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


def row_text(table: PlanTable, plan_id: int) -> str:
    """The painted line of a plan's row, as a person sees it."""
    index = next(i for i, p in enumerate(table.rows) if p.id == plan_id)
    table.cursor_row = index
    table.scroll_to(y=index, animate=False, immediate=True)
    return str(table.render_line(index - int(table.scroll_y) + 1).text)


async def test_an_expired_owner_consent_is_shown_as_expired(demo_server: Any) -> None:
    from sqlalchemy import update

    from server.participants.models import Participant

    ctx = demo_server.ctx
    app = make_app(demo_server)
    async with app.run_test(size=(200, 40)) as pilot:
        screen = await open_plan_list(pilot, demo_server)
        plan = screen.plans[2]
        # The owner's consent ran out yesterday (the coordinator's own is still valid).
        await settled(pilot, demo_server)  # no request holds the write lock now
        with ctx.db.writing() as db:
            db.execute(
                update(Participant)
                .where(Participant.plan_id == plan.id, Participant.role == "owner")
                .values(consent_expires=date.today() - timedelta(days=1))
            )
        await pilot.press("f5")
        await wait_until(pilot, lambda: not screen.workers)
        await wait_until(
            pilot, lambda: next(p for p in screen.plans if p.id == plan.id).consent_days == -1
        )
        expired = next(p for p in screen.plans if p.id == plan.id)
        assert plan_cells(expired)[6] == ("Utløpt", "danger")
        assert "Utløpt" in row_text(screen.query_one(PlanTable), plan.id)


async def test_changed_plans_and_new_messages_are_marked(demo_server: Any) -> None:
    from sampro_contract import MessageIn, PlanRole, PlanUpdate
    from sampro_tui.api import ApiClient

    # An earlier login, so "changed" means changed since then; then one plan changes.
    api = ApiClient(demo_server.url, transport=demo_server.transport)
    try:
        challenge = await api.login("koordinator", demo_server.accounts["koordinator"])
        await api.verify(challenge.challenge_id, demo_server.latest_code("koordinator"))
        await api.logout()
        other = ApiClient(demo_server.url, transport=demo_server.transport)
        challenge = await other.login("koordinator", demo_server.accounts["koordinator"])
        await other.verify(challenge.challenge_id, demo_server.latest_code("koordinator"))
        first = (await other.list_plans()).items[0]
        home = await other.plan(first.id)
        await other.update_plan(first.id, PlanUpdate(version=home.version, status_text="Nytt"))
        await other.logout()
        await other.aclose()
        # And someone in one of the coordinator's plans writes to them.
        teacher = ApiClient(demo_server.url, transport=demo_server.transport)
        challenge = await teacher.login("laerer", demo_server.accounts["laerer"])
        await teacher.verify(challenge.challenge_id, demo_server.latest_code("laerer"))
        shared = (await teacher.list_plans()).items[0]
        to = [r for r in await teacher.recipients(shared.id) if r.role is PlanRole.COORDINATOR]
        await teacher.create_message(
            shared.id,
            MessageIn(subject="Hei", body="Et spørsmål", recipient_ids=[to[0].participant_id]),
        )
        await teacher.logout()
        await teacher.aclose()
    finally:
        await api.aclose()
    app = make_app(demo_server)
    async with app.run_test(size=(200, 40)) as pilot:
        screen = await open_plan_list(pilot, demo_server)
        table = screen.query_one(PlanTable)
        changed = [p for p in screen.plans if p.changed]
        assert [p.id for p in changed] == [first.id]
        assert "● Endret" in row_text(table, first.id)
        unchanged = next(p for p in screen.plans if not p.changed)
        assert "Endret" not in row_text(table, unchanged.id)
        plan = next(p for p in screen.plans if p.id == shared.id)
        assert plan.new_messages >= 1
        assert f"✉ {plan.new_messages}" in row_text(table, plan.id)
        without = next(p for p in screen.plans if not p.new_messages)
        assert "✉" not in row_text(table, without.id)


class FailingPageTransport(ForwardingTransport):
    """The server, except that the plan list's second page never arrives."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/plans") and request.url.params.get("page") == "2":
            raise httpx.ConnectError("Connection reset", request=request)
        return await super().handle_async_request(request)


async def test_a_later_page_that_fails_is_said_with_the_rows_loaded(
    demo_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import screens.plans.screen

    monkeypatch.setattr(screens.plans.screen, "PAGE_SIZE", 2)  # pages of two: five plans, 3 pages
    app = make_app(demo_server, transport=FailingPageTransport(demo_server.transport))
    async with app.run_test(size=(140, 40)) as pilot:
        await log_in_fully(pilot, demo_server, "koordinator")
        await wait_until(pilot, lambda: app.screen.id == "plans-screen")
        screen = app.screen
        assert isinstance(screen, PlanListScreen)
        status = screen.query_one("#plans-status", Static)
        await wait_until(pilot, lambda: "kom ikke fram" in str(status.render()))
        text = str(status.render())
        assert f"Viser 2 av {screen.total} planer" in text
        assert "Får ikke kontakt med tjeneren" in text
        assert "Henter" not in text
        assert len(screen.plans) == 2


async def test_the_palette_finds_a_plan_beyond_its_index_through_the_server(
    demo_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sampro_tui.commands import SamproCommands

    # An index of one plan stands for an administrator's first 1,000 of many more.
    monkeypatch.setattr(SamproCommands, "index_page_size", 1)
    app = make_app(demo_server)
    async with app.run_test(size=(140, 40)) as pilot:
        await log_in_fully(pilot, demo_server, "koordinator")
        await wait_until(pilot, lambda: app.screen.id == "plans-screen")
        everyone = (await app.api.list_plans()).items
        app.plan_index = []  # as before the plan list has loaded
        provider = SamproCommands(app.screen)
        await provider.startup()
        assert len(app.plan_index) == 1 and app.plan_index_partial
        beyond = next(p for p in everyone if p.id != app.plan_index[0][0])
        hits = [hit async for hit in provider.search(beyond.owner_last_name)]
        texts = [str(hit.text) for hit in hits]
        name = f"{beyond.owner_first_name} {beyond.owner_last_name}"
        assert f"Åpne planen til {name}" in texts
        hit = next(h for h in hits if str(h.text) == f"Åpne planen til {name}")
        hit.command()
        await wait_until(pilot, lambda: app.screen.id == f"plan-{beyond.id}")

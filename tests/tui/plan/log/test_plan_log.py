"""The Logg tab against a live server with the demo data: the coordinator finds their own
earlier change in it and narrows it by text; a long log is read page by page; a
participant without the log right has no Logg tab."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select
from textual.widgets import Static, TabbedContent

from sampro_contract import ParticipantUpdate
from screens.plan.log.pane import PAGE_SIZE, LogPane, LogTable
from server.log.models import AuditLog
from tests.tui.helpers import fill, log_in_fully, make_app, wait_until
from tests.tui.plan.participants.test_participants import owner_plan, participant_of


async def open_plan(pilot: Any, live: Any, username: str, plan_id: int) -> Any:
    await log_in_fully(pilot, live, username)
    await wait_until(pilot, lambda: pilot.app.screen.id == "plans-screen")
    pilot.app.open_plan(plan_id)
    # Every tab is in once the last installer (the timeline's) has run.
    await wait_until(pilot, lambda: bool(pilot.app.screen.query("#tab-timeline")))
    await pilot.pause()
    return pilot.app.screen


async def show_log(pilot: Any, screen: Any) -> LogPane:
    screen.query_one("#tabs", TabbedContent).active = "tab-log"
    await wait_until(pilot, lambda: bool(screen.query(LogPane)))
    pane = screen.query_one(LogPane)
    await wait_until(pilot, lambda: pane.loaded.is_set())
    return pane


async def test_the_coordinator_sees_their_own_change_in_the_log_and_filters_it(
    demo_server: Any,
) -> None:
    plan_id = owner_plan(demo_server)
    teacher = participant_of(demo_server, plan_id, "laerer")
    async with make_app(demo_server).run_test(size=(150, 44)) as pilot:
        screen = await open_plan(pilot, demo_server, "koordinator", plan_id)
        pane = await show_log(pilot, screen)
        assert not any(e.action == "participant_changed" for e in pane.entries)
        screen.query_one("#tabs", TabbedContent).active = "tab-participants"
        await pilot.app.api.update_participant(
            plan_id,
            teacher.id,
            ParticipantUpdate(version=teacher.version, responsibility="Kontaktlærer"),
        )
        pane.loaded.clear()
        pane = await show_log(pilot, screen)  # read again each time the tab is shown
        table = pane.query_one(LogTable)
        # Newest first: the change is the latest write (reads of tabs may come after it).
        change = next(e for e in table.rows if e.action != "read")
        assert change.action == "participant_changed"
        assert (change.username, change.role, change.object_id) == (
            "koordinator",
            "coordinator",
            str(teacher.id),
        )
        assert all(a.at >= b.at for a, b in zip(table.rows, table.rows[1:], strict=False))
        assert table._cells(change) == [
            (table._cells(change)[0][0], None),
            ("koordinator", None),
            ("koordinator", None),
            ("deltaker endret", None),
            (f"deltaker #{teacher.id}", None),
        ]

        await fill(pilot, "#plog-filter", "deltaker endret")
        await wait_until(pilot, lambda: table.rows == [change])
        count = str(pane.query_one("#plog-count", Static).render())
        assert count.startswith("1 treff blant")
        await pilot.press("enter")  # back to the table: the entry's detail shows
        detail = str(pane.query_one("#plog-detail", Static).render())
        assert "Kontaktlærer" in detail


async def test_a_long_log_is_read_page_by_page(demo_server: Any) -> None:
    plan_id = owner_plan(demo_server)
    with demo_server.ctx.db.write_session() as db:
        first = db.scalar(select(func.min(AuditLog.at)).where(AuditLog.plan_id == plan_id))
        assert first is not None
        db.execute(
            insert(AuditLog),
            [
                {
                    "at": first - timedelta(minutes=i + 1),
                    "user_id": None,
                    "username": "koordinator",
                    "role": "coordinator",
                    "plan_id": plan_id,
                    "object_type": "goal",
                    "object_id": str(i),
                    "action": "read",
                }
                for i in range(2 * PAGE_SIZE)
            ],
        )
        db.commit()
    async with make_app(demo_server).run_test(size=(150, 44)) as pilot:
        screen = await open_plan(pilot, demo_server, "koordinator", plan_id)
        pane = await show_log(pilot, screen)
        assert (len(pane.entries), pane.pages, pane.has_more) == (PAGE_SIZE, 1, True)
        table = pane.query_one(LogTable)
        table.focus()
        await pilot.press("end")  # near the end of what is loaded: the next page comes
        await wait_until(pilot, lambda: pane.pages == 2)
        assert len(pane.entries) >= 2 * PAGE_SIZE - 1  # reading page 1 logged one more
        await pilot.press("m")
        await wait_until(pilot, lambda: pane.pages == 3)
        assert not pane.has_more
        ids = [e.id for e in pane.entries]
        assert len(set(ids)) == len(ids)
        assert pane.entries[-1].object_id == str(2 * PAGE_SIZE - 1)  # the oldest
        assert all(a.at >= b.at for a, b in zip(pane.entries, pane.entries[1:], strict=False))


async def test_a_participant_without_the_log_right_has_no_log_tab(demo_server: Any) -> None:
    plan_id = owner_plan(demo_server)
    assert participant_of(demo_server, plan_id, "laerer").rights["log"] is False
    async with make_app(demo_server).run_test(size=(150, 44)) as pilot:
        screen = await open_plan(pilot, demo_server, "laerer", plan_id)
        assert screen.query("#tab-participants")
        assert not screen.query("#tab-log")
        assert not screen.query(LogPane)

"""Changing and deleting calendar events from the week and day views: which one, and
asking first."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from textual.widgets import OptionList

from screens.plan.calendar.pane import CalendarPane
from server.accounts.models import UserAccount
from server.calendar.models import CalendarEvent
from server.participants.models import Participant
from tests.tui.helpers import make_app, notifications, wait_until
from tests.tui.plan.test_messages_calendar_home_timeline import demo_plan, open_tab
from widgets.content_form import ChooseDialog, ConfirmDialog
from widgets.month_grid import MonthGrid


def add_events(live: Any, plan_id: int, day: date, titles: list[str]) -> None:
    with live.ctx.db.write_session() as db:
        me = db.scalars(select(UserAccount).where(UserAccount.username == "koordinator")).one()
        pid = db.scalars(
            select(Participant.id).where(
                Participant.plan_id == plan_id, Participant.person_id == me.person_id
            )
        ).one()
        now = datetime.now(UTC)
        for hour, title in enumerate(titles, start=9):
            db.add(
                CalendarEvent(
                    plan_id=plan_id,
                    title=title,
                    start_date=day,
                    start_time=time(hour),
                    end_date=day,
                    end_time=time(hour, 30),
                    created_by_participant_id=pid,
                    created_at=now,
                    updated_at=now,
                )
            )
        db.commit()


def titles_on(live: Any, plan_id: int, day: date) -> set[str]:
    with live.ctx.db.read_session() as db:
        return set(
            db.scalars(
                select(CalendarEvent.title).where(
                    CalendarEvent.plan_id == plan_id, CalendarEvent.start_date == day
                )
            )
        )


async def choose(pilot: Any, title: str) -> None:
    """Arrow down from the first choice to the one with `title`, then Enter."""
    choices = pilot.app.screen.query_one("#choices", OptionList)
    assert choices.highlighted == 0
    prompts = [str(o.prompt) for o in choices.options]
    target = next(i for i, p in enumerate(prompts) if title in p)
    for _ in range(target):
        await pilot.press("down")
    assert choices.highlighted == target
    await pilot.press("enter")


async def test_delete_in_the_week_view_asks_which_and_then_asks_first(demo_server: Any) -> None:
    plan_id, _ = demo_plan(demo_server)
    day = date.today() + timedelta(days=3)
    add_events(demo_server, plan_id, day, ["Kartleggingsmøte", "Hjemmebesøk"])
    async with make_app(demo_server).run_test(size=(140, 44)) as pilot:
        screen = await open_tab(pilot, demo_server, "koordinator", plan_id, "tab-calendar")
        pane = screen.query_one(CalendarPane)
        grid = pane.query_one(MonthGrid)
        grid.focus()
        await wait_until(pilot, lambda: any(e.title == "Hjemmebesøk" for e in pane.events))
        await pilot.press("w", "right", "right", "right")
        assert grid.cursor == day
        await pilot.press("delete")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ChooseDialog))
        await choose(pilot, "Hjemmebesøk")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog))
        assert "Hjemmebesøk" in str(pilot.app.screen.query_one("#confirm-question").render())
        await pilot.press("escape")  # no: nothing is deleted
        await wait_until(pilot, lambda: not isinstance(pilot.app.screen, ConfirmDialog))
        assert titles_on(demo_server, plan_id, day) == {"Kartleggingsmøte", "Hjemmebesøk"}
        await pilot.press("delete")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ChooseDialog))
        await choose(pilot, "Hjemmebesøk")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog))
        await pilot.press("j")
        await wait_until(pilot, lambda: "Avtalen er slettet." in notifications(pilot.app))
        assert titles_on(demo_server, plan_id, day) == {"Kartleggingsmøte"}
        # Any event of the day can be chosen, by arrows from the first.
        await pilot.press("delete")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ChooseDialog))
        await choose(pilot, "Kartleggingsmøte")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog))
        assert "Kartleggingsmøte" in str(pilot.app.screen.query_one("#confirm-question").render())
        await pilot.press("escape")

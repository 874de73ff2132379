"""The plan's home for the coordinator: the plan period in the editor, and the list of what
the plan lacks, whose Enter goes where each item is fixed."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from textual.widgets import Input, Static, TabbedContent

from sampro_contract import Completeness, CompletenessItem
from screens.plan.home.completeness import TABS, CompletenessList
from server.accounts.models import UserAccount
from server.goals.models import Goal
from server.participants.models import Participant
from server.plans.models import Plan
from tests.tui.helpers import fill, make_app, notifications, wait_until
from tests.tui.plan.test_messages_calendar_home_timeline import demo_plan, open_tab


def plan_without_goals(live: Any) -> int:
    """A demo plan the coordinator runs that has no goals yet (the demo leaves some thin)."""
    assert live.ctx is not None
    with live.ctx.db.read_session() as db:
        me = db.scalars(select(UserAccount).where(UserAccount.username == "koordinator")).one()
        goals = select(func.count(Goal.id)).where(Goal.plan_id == Plan.id).scalar_subquery()
        plan_id = db.scalars(
            select(Plan.id)
            .join(Participant, Participant.plan_id == Plan.id)
            .where(
                Participant.person_id == me.person_id,
                Participant.role == "coordinator",
                Participant.removed_at.is_(None),
                Plan.closed_at.is_(None),
                goals == 0,
            )
            .order_by(Plan.id)
        ).first()
    assert plan_id is not None, "the demo data has no thin plan for the coordinator"
    return int(plan_id)


def stored_period(live: Any, plan_id: int) -> tuple[date | None, date | None]:
    with live.ctx.db.read_session() as db:
        plan = db.get(Plan, plan_id)
        assert plan is not None
        return plan.start_date, plan.end_date


async def test_the_coordinator_sets_the_plan_period_in_the_home_editor(demo_server: Any) -> None:
    plan_id, _ = demo_plan(demo_server)
    app = make_app(demo_server)
    async with app.run_test(size=(140, 50)) as pilot:
        screen = await open_tab(pilot, demo_server, "koordinator", plan_id, "tab-home")
        await wait_until(pilot, lambda: screen.plan is not None)
        before = stored_period(demo_server, plan_id)
        await pilot.press("e")
        await wait_until(pilot, lambda: screen.editing)
        assert screen.query_one("#editor-dates").display
        error = screen.query_one("#edit-dates-error", Static)
        # Not a date: said in the editor, nothing sent.
        await fill(pilot, "#edit-start", "1. feb")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "dd.mm.åååå" in str(error.render()))
        assert "Startdato" in str(error.render())
        # The end before the start: refused before sending.
        await fill(pilot, "#edit-start", "01.02.2026")
        await fill(pilot, "#edit-end", "31.01.2026")
        await pilot.press("ctrl+s")
        await wait_until(
            pilot, lambda: "Sluttdato kan ikke være før startdato." in str(error.render())
        )
        assert screen.editing and stored_period(demo_server, plan_id) == before
        # A good period is saved, shown and stored.
        await fill(pilot, "#edit-end", "31.01.2027")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not screen.editing)
        assert stored_period(demo_server, plan_id) == (date(2026, 2, 1), date(2027, 1, 31))
        facts = str(screen.query_one("#plan-facts", Static).render())
        assert "start 01.02.2026" in facts and "slutt 31.01.2027" in facts
        assert "Lagret." in notifications(app)
        # Opening the editor again shows the stored dates.
        await pilot.press("e")
        await wait_until(pilot, lambda: screen.editing)
        assert screen.query_one("#edit-end", Input).value == "31.01.2027"


async def test_the_owner_edits_the_presentation_but_sees_no_date_fields(demo_server: Any) -> None:
    plan_id, _ = demo_plan(demo_server)
    app = make_app(demo_server)
    async with app.run_test(size=(140, 50)) as pilot:
        screen = await open_tab(pilot, demo_server, "planeier", plan_id, "tab-home")
        await wait_until(pilot, lambda: screen.plan is not None)
        await pilot.press("e")
        await wait_until(pilot, lambda: screen.editing)
        assert not screen.query_one("#editor-dates").display
        before = stored_period(demo_server, plan_id)
        await fill(pilot, "#edit-status", "Det går bedre nå")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not screen.editing)
        assert stored_period(demo_server, plan_id) == before


async def test_completeness_shows_on_home_and_enter_goes_where_each_item_is_fixed(
    demo_server: Any,
) -> None:
    plan_id = plan_without_goals(demo_server)
    app = make_app(demo_server)
    async with app.run_test(size=(140, 50)) as pilot:
        screen = await open_tab(pilot, demo_server, "koordinator", plan_id, "tab-home")
        await wait_until(pilot, lambda: bool(screen.query("#completeness")))
        listing = screen.query_one("#completeness", CompletenessList)
        await wait_until(pilot, lambda: "goals" in listing.targets)
        assert listing.region.height > 0  # on the home tab, in view
        tabs = screen.query_one("#tabs", TabbedContent)
        await wait_until(pilot, lambda: bool(screen.query("#tab-goals")))
        texts = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        index = next(i for i, text in enumerate(texts) if "Ingen mål ennå" in text)
        listing.focus()
        listing.highlighted = index
        await pilot.press("enter")
        await wait_until(pilot, lambda: tabs.active == "tab-goals")

        # An item whose tab is not there: a clear message, the tab stays as it was.
        tabs.active = "tab-home"
        await pilot.pause()
        listing.show(
            Completeness(
                items=[
                    CompletenessItem(
                        key="brand_new",
                        covered=False,
                        message="Something this client does not know yet",
                        fix_in="documents",
                    )
                ]
            )
        )
        assert "Something this client does not know yet" in str(
            listing.get_option_at_index(0).prompt
        )
        listing.focus()
        listing.highlighted = 0
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: any("«documents» finnes ikke her" in n for n in notifications(app))
        )
        assert tabs.active == "tab-home"

        # The plan period is fixed on the home tab itself: Enter opens its date fields.
        listing.show(
            Completeness(
                items=[CompletenessItem(key="period", covered=False, message="", fix_in="home")]
            )
        )
        listing.focus()
        listing.highlighted = 0
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.editing)
        assert screen.focused is screen.query_one("#edit-start", Input)


async def test_tabbing_into_the_completeness_list_lets_enter_act_on_the_first_item(
    demo_server: Any,
) -> None:
    plan_id = plan_without_goals(demo_server)
    app = make_app(demo_server)
    async with app.run_test(size=(140, 50)) as pilot:
        screen = await open_tab(pilot, demo_server, "koordinator", plan_id, "tab-home")
        await wait_until(pilot, lambda: bool(screen.query("#completeness")))
        listing = screen.query_one("#completeness", CompletenessList)
        await wait_until(pilot, lambda: bool(listing.targets))
        await wait_until(pilot, lambda: bool(screen.query(f"#{TABS[listing.targets[0]]}")))
        first = TABS[listing.targets[0]]
        listing.focus()
        await pilot.pause()
        assert listing.highlighted == 0
        await pilot.press("enter")
        tabs = screen.query_one("#tabs", TabbedContent)
        await wait_until(pilot, lambda: tabs.active == first)


async def test_the_servers_refusal_is_said_in_norwegian_with_the_fields_label(
    demo_server: Any,
) -> None:
    from textual.widgets import TextArea

    plan_id, _ = demo_plan(demo_server)
    app = make_app(demo_server)
    async with app.run_test(size=(140, 50)) as pilot:
        screen = await open_tab(pilot, demo_server, "koordinator", plan_id, "tab-home")
        await wait_until(pilot, lambda: screen.plan is not None)
        await pilot.press("e")
        await wait_until(pilot, lambda: screen.editing)
        # Longer than the contract allows (20,000 characters): refused before it is sent,
        # in the same words as the server's refusal would be.
        screen.query_one("#edit-presentation", TextArea).text = "Lang tekst. " * 1700
        await pilot.pause()
        screen.query_one("#edit-status", Input).focus()
        await pilot.press("ctrl+s")
        error = screen.query_one("#edit-dates-error", Static)
        await wait_until(pilot, lambda: "20000" in str(error.render()))
        assert str(error.render()) == "Om meg selv: Kan ha høyst 20000 tegn."
        assert screen.editing  # the text is kept for the person to shorten

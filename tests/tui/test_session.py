"""Session timeout as the seeds describe it, with short timeouts on a real server."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Static

from sampro_tui.session import SessionTimer
from screens.plan_list import PlanListScreen, PlanTable
from screens.session_warning import SessionWarningScreen
from tests.tui.helpers import fill, log_in_fully, make_app, notifications, wait_until

SHORT = pytest.mark.server_settings(session_idle_seconds=8, session_warning_seconds=3)


def short_app(live: Any, **timer: Any) -> Any:
    return make_app(
        live.url,
        timer=SessionTimer(expiry_margin=0.5, **timer),
        tick_seconds=0.1,
    )


async def to_plan_list(pilot: Any, live: Any, username: str = "koordinator") -> PlanListScreen:
    await log_in_fully(pilot, live, username)
    await wait_until(pilot, lambda: pilot.app.screen.id == "plans-screen")
    screen = pilot.app.screen
    assert isinstance(screen, PlanListScreen)
    await wait_until(pilot, lambda: bool(screen.plans))
    return screen


@SHORT
async def test_warning_counts_down_and_stay_logged_in_refreshes(live_server: Any) -> None:
    app = short_app(live_server)
    async with app.run_test(size=(120, 40)) as pilot:
        await to_plan_list(pilot, live_server)
        await wait_until(pilot, lambda: isinstance(app.screen, SessionWarningScreen))
        warning = app.screen

        def body() -> str:
            return str(warning.query_one("#warning-body", Static).render())

        await wait_until(pilot, lambda: "logget ut om 0:0" in body())
        await pilot.press("enter")  # "Forbli pålogget" has focus
        await wait_until(pilot, lambda: not isinstance(app.screen, SessionWarningScreen))
        assert app.timer.seconds_left > 6
        assert app.screen.id == "plans-screen"


@SHORT
async def test_expiry_saves_the_open_form_as_a_draft_and_returns_to_login(
    live_server: Any,
) -> None:
    app = short_app(live_server)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await to_plan_list(pilot, live_server)
        plan_id = screen.plans[0].id
        screen.query_one(PlanTable).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: getattr(app.screen, "plan", None) is not None)
        await pilot.press("e")
        await fill(pilot, "#edit-status", "Halvferdig tekst")
        # Now the user walks away: no keys, the warning comes and goes unanswered.
        await wait_until(pilot, lambda: app.screen.id == "login", timeout=15)
        assert "inaktiv" in str(app.screen.query_one("#notice", Static).render())
        await wait_until(pilot, lambda: "Ulagret tekst er lagret som utkast." in notifications(app))
        # After logging in again, the plan offers the draft back.
        await to_plan_list(pilot, live_server)
        app.open_plan(plan_id)
        await wait_until(pilot, lambda: getattr(app.screen, "editing", False))
        assert app.screen.query_one("#edit-status").value == "Halvferdig tekst"  # type: ignore[attr-defined]


@SHORT
async def test_key_presses_refresh_at_most_once_per_interval_polls_never(
    live_server: Any,
) -> None:
    app = short_app(live_server, activity_interval=1.0, poll_interval=0.3)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await to_plan_list(pilot, live_server)
        screen.query_one(PlanTable).focus()
        # Background polls follow the server's count, which keeps falling.
        await wait_until(pilot, lambda: app.timer.seconds_left < 6.5)
        assert not isinstance(app.screen, SessionWarningScreen)
        await pilot.press("down")  # a user key press: activity
        await wait_until(pilot, lambda: app.timer.seconds_left > 7.2)


@SHORT
async def test_a_professional_plan_form_left_open_at_expiry_is_offered_back_then_removed(
    live_server: Any,
) -> None:
    from textual.widgets import Input, OptionList, TabbedContent

    from screens.professional_plans import ProfessionalPlansPane
    from widgets.content_form import ContentForm

    app = short_app(live_server)

    async def new_fag_form() -> ContentForm:
        if app.screen.id != f"plan-{plan_id}":
            app.open_plan(plan_id)
        await wait_until(pilot, lambda: bool(app.screen.query("#tab-fag")))
        app.screen.query_one("#tabs", TabbedContent).active = "tab-fag"
        pane = app.screen.query_one(ProfessionalPlansPane)
        await wait_until(pilot, lambda: pane.data is not None)
        pane.query_one(OptionList).focus()
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, ContentForm))
        form = app.screen
        assert isinstance(form, ContentForm)
        return form

    async with app.run_test(size=(120, 40)) as pilot:
        screen = await to_plan_list(pilot, live_server)
        plan_id = screen.plans[0].id
        key = f"plan-{plan_id}-fag-new"
        form = await new_fag_form()
        await fill(pilot, "#field-name", "Halvferdig fagplan")
        # The user walks away: the session ends with the form open.
        await wait_until(pilot, lambda: app.screen.id == "login", timeout=15)
        await wait_until(pilot, lambda: "Ulagret tekst er lagret som utkast." in notifications(app))
        # After logging in again, the same form offers the draft back.
        await to_plan_list(pilot, live_server)
        form = await new_fag_form()
        assert form.query_one("#field-name", Input).value == "Halvferdig fagplan"
        assert key in {d.key for d in await app.api.drafts()}
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, ContentForm))
        await wait_until(pilot, lambda: "Lagret." in notifications(app))
        # Saved: the draft is gone, so the next new form starts empty.
        assert key not in {d.key for d in await app.api.drafts()}
        form = await new_fag_form()
        assert form.query_one("#field-name", Input).value == ""


@SHORT
async def test_a_participant_form_left_open_at_expiry_is_offered_back(live_server: Any) -> None:
    from textual.widgets import Input, TabbedContent

    from screens.participants import ParticipantsPane, ParticipantTable
    from widgets.content_form import ContentForm

    app = short_app(live_server)

    async def edit_form() -> ContentForm:
        if app.screen.id != f"plan-{plan_id}":
            app.open_plan(plan_id)
        await wait_until(pilot, lambda: bool(app.screen.query("#tab-participants")))
        app.screen.query_one("#tabs", TabbedContent).active = "tab-participants"
        pane = app.screen.query_one(ParticipantsPane)
        await wait_until(pilot, lambda: bool(pane.rows))
        table = pane.query_one(ParticipantTable)
        table.focus()
        await pilot.pause()
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ContentForm))
        form = app.screen
        assert isinstance(form, ContentForm)
        return form

    async with app.run_test(size=(140, 44)) as pilot:
        screen = await to_plan_list(pilot, live_server)
        plan_id = screen.plans[0].id
        await edit_form()
        await fill(pilot, "#field-responsibility", "Følger opp skolevegring")
        await wait_until(pilot, lambda: app.screen.id == "login", timeout=15)
        await wait_until(pilot, lambda: "Ulagret tekst er lagret som utkast." in notifications(app))
        await to_plan_list(pilot, live_server)
        form = await edit_form()
        assert form.query_one("#field-responsibility", Input).value == "Følger opp skolevegring"

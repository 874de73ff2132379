"""Session timeout as the seeds describe it: short timeouts on the demo server, and time
moved by its clock (which the app's session timer counts on too), never slept through."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from textual import events
from textual.widgets import Static

from sampro_tui.session import SessionTimer
from screens.plans.screen import PlanListScreen, PlanTable
from screens.session.warning import SessionWarningScreen
from tests.tui.helpers import (
    fill,
    log_in_fully,
    make_app,
    notifications,
    settled,
    wait_until,
)
from tests.tui.in_process import ForwardingTransport


def short_session(test: Any) -> Any:
    """An 8-second session with a 3-second warning, on a clock that only the test moves."""
    marks = (
        pytest.mark.server_settings(session_idle_seconds=8, session_warning_seconds=3),
        pytest.mark.frozen_clock,
    )
    for mark in marks:
        test = mark(test)
    return test


def short_app(live: Any, **timer: Any) -> Any:
    return make_app(
        live,
        timer=SessionTimer(expiry_margin=0.5, **timer),
        tick_seconds=0.1,
    )


async def walk_away(pilot: Any, live: Any) -> None:
    """No keys: the warning comes (at 3 seconds left) and goes unanswered, and the session
    runs out (the app acts half a second before the end, while the token still works)."""
    await settled(pilot, live)
    live.clock.advance(5.5)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, SessionWarningScreen))
    live.clock.advance(2.2)


async def to_plan_list(pilot: Any, live: Any, username: str = "koordinator") -> PlanListScreen:
    await log_in_fully(pilot, live, username)
    await wait_until(pilot, lambda: pilot.app.screen.id == "plans-screen")
    screen = pilot.app.screen
    assert isinstance(screen, PlanListScreen)
    await wait_until(pilot, lambda: bool(screen.plans))
    await settled(pilot, live)
    return screen


@short_session
async def test_warning_counts_down_and_stay_logged_in_refreshes(demo_server: Any) -> None:
    app = short_app(demo_server)
    async with app.run_test(size=(120, 40)) as pilot:
        await to_plan_list(pilot, demo_server)
        demo_server.clock.advance(5.5)  # 2.5 seconds left
        await wait_until(pilot, lambda: isinstance(app.screen, SessionWarningScreen))
        warning = app.screen

        def body() -> str:
            return str(warning.query_one("#warning-body", Static).render())

        await wait_until(pilot, lambda: "logget ut om 0:0" in body())
        await pilot.press("enter")  # "Forbli pålogget" has focus
        await wait_until(pilot, lambda: not isinstance(app.screen, SessionWarningScreen))
        assert app.timer.seconds_left > 6
        assert app.screen.id == "plans-screen"


@short_session
async def test_expiry_saves_the_open_form_as_a_draft_and_returns_to_login(
    demo_server: Any,
) -> None:
    app = short_app(demo_server)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await to_plan_list(pilot, demo_server)
        plan_id = screen.plans[0].id
        screen.query_one(PlanTable).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: getattr(app.screen, "plan", None) is not None)
        await pilot.press("e")
        await fill(pilot, "#edit-status", "Halvferdig tekst")
        # Now the user walks away: no keys, the warning comes and goes unanswered.
        await walk_away(pilot, demo_server)
        await wait_until(pilot, lambda: app.screen.id == "login", timeout=15)
        assert "inaktiv" in str(app.screen.query_one("#notice", Static).render())
        await wait_until(pilot, lambda: "Ulagret tekst er lagret som utkast." in notifications(app))
        # After logging in again, the plan offers the draft back.
        await to_plan_list(pilot, demo_server)
        app.open_plan(plan_id)
        await wait_until(pilot, lambda: getattr(app.screen, "editing", False))
        assert app.screen.query_one("#edit-status").value == "Halvferdig tekst"  # type: ignore[attr-defined]


@short_session
async def test_key_presses_refresh_at_most_once_per_interval_polls_never(
    demo_server: Any,
) -> None:
    app = short_app(demo_server, activity_interval=1.0, poll_interval=0.3)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await to_plan_list(pilot, demo_server)
        screen.query_one(PlanTable).focus()
        # Background polls follow the server's count, which keeps falling.
        demo_server.clock.advance(1.6)
        await wait_until(pilot, lambda: app.timer.last_poll == demo_server.clock.monotonic())
        await wait_until(pilot, lambda: app.timer.seconds_left < 6.5)
        await settled(pilot, demo_server)  # the poll's answer in before the refresh's
        assert not isinstance(app.screen, SessionWarningScreen)
        await pilot.press("down")  # a user key press: activity
        await wait_until(pilot, lambda: app.timer.seconds_left > 7.2)


@short_session
async def test_a_professional_plan_form_left_open_at_expiry_is_offered_back_then_removed(
    demo_server: Any,
) -> None:
    from textual.widgets import Input, OptionList, TabbedContent

    from screens.plan.professional_plans.pane import ProfessionalPlansPane
    from widgets.content_form import ContentForm

    app = short_app(demo_server)

    async def new_fag_form() -> ContentForm:
        if app.screen.id != f"plan-{plan_id}":
            app.open_plan(plan_id)
        await wait_until(pilot, lambda: bool(app.screen.query("#tab-fag")))
        app.screen.query_one("#tabs", TabbedContent).active = "tab-fag"
        await wait_until(pilot, lambda: bool(app.screen.query(ProfessionalPlansPane)))
        pane = app.screen.query_one(ProfessionalPlansPane)
        await wait_until(pilot, lambda: pane.data is not None)
        pane.query_one(OptionList).focus()
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, ContentForm))
        form = app.screen
        assert isinstance(form, ContentForm)
        return form

    async with app.run_test(size=(120, 40)) as pilot:
        screen = await to_plan_list(pilot, demo_server)
        plan_id = screen.plans[0].id
        key = f"plan-{plan_id}-fag-new"
        form = await new_fag_form()
        await fill(pilot, "#field-name", "Halvferdig fagplan")
        # The user walks away: the session ends with the form open.
        await walk_away(pilot, demo_server)
        await wait_until(pilot, lambda: app.screen.id == "login", timeout=15)
        await wait_until(pilot, lambda: "Ulagret tekst er lagret som utkast." in notifications(app))
        # After logging in again, the same form offers the draft back.
        await to_plan_list(pilot, demo_server)
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


@short_session
async def test_a_participant_form_left_open_at_expiry_is_offered_back(demo_server: Any) -> None:
    from textual.widgets import Input, TabbedContent

    from screens.plan.participants.pane import ParticipantsPane, ParticipantTable
    from widgets.content_form import ContentForm

    app = short_app(demo_server)

    async def edit_form() -> ContentForm:
        if app.screen.id != f"plan-{plan_id}":
            app.open_plan(plan_id)
        await wait_until(pilot, lambda: bool(app.screen.query("#tab-participants")))
        app.screen.query_one("#tabs", TabbedContent).active = "tab-participants"
        await wait_until(pilot, lambda: bool(app.screen.query(ParticipantsPane)))
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
        screen = await to_plan_list(pilot, demo_server)
        plan_id = screen.plans[0].id
        await edit_form()
        await fill(pilot, "#field-responsibility", "Følger opp skolevegring")
        await walk_away(pilot, demo_server)
        await wait_until(pilot, lambda: app.screen.id == "login", timeout=15)
        await wait_until(pilot, lambda: "Ulagret tekst er lagret som utkast." in notifications(app))
        await to_plan_list(pilot, demo_server)
        form = await edit_form()
        assert form.query_one("#field-responsibility", Input).value == "Følger opp skolevegring"


class ManualClock:
    """The session timer's monotonic clock, moved by the test (no sleeping)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingTransport(ForwardingTransport):
    """The server, with a count of the refreshes the app asks for."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        super().__init__(inner)
        self.refreshes = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/auth/session/refresh"):
            self.refreshes += 1
        return await super().handle_async_request(request)


async def test_key_presses_within_the_interval_refresh_once_and_after_it_again(
    demo_server: Any,
) -> None:
    clock = ManualClock()
    transport = CountingTransport(demo_server.transport)
    app = make_app(
        demo_server,
        timer=SessionTimer(clock=clock, activity_interval=60.0, poll_interval=1e9),
        transport=transport,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await to_plan_list(pilot, demo_server)
        screen.query_one(PlanTable).focus()
        # The login itself was activity: presses right after it refresh nothing.
        await pilot.press("down", "up", "down")
        await settled(pilot, demo_server)  # a refresh the keys asked for is back
        assert transport.refreshes == 0
        clock.now += 61  # a minute on
        await pilot.press("down", "up", "down", "up", "down")
        await wait_until(pilot, lambda: transport.refreshes >= 1)
        await settled(pilot, demo_server)  # a refresh the keys asked for is back
        assert transport.refreshes == 1  # five presses within the interval: one refresh
        clock.now += 30
        await pilot.press("up", "down")
        await settled(pilot, demo_server)  # a refresh the keys asked for is back
        assert transport.refreshes == 1  # still within the interval
        clock.now += 31  # past it
        await pilot.press("up")
        await wait_until(pilot, lambda: transport.refreshes == 2)


@pytest.mark.server_settings(session_idle_seconds=30, session_warning_seconds=3)
@pytest.mark.frozen_clock
async def test_a_click_counts_as_activity(demo_server: Any) -> None:
    # What is watched is the time left jumping back up.
    app = short_app(demo_server, activity_interval=1.0, poll_interval=0.3)
    async with app.run_test(size=(120, 40)) as pilot:
        await to_plan_list(pilot, demo_server)
        demo_server.clock.advance(2.5)
        await wait_until(pilot, lambda: app.timer.last_poll == demo_server.clock.monotonic())
        await wait_until(pilot, lambda: app.timer.seconds_left < 28.0)
        await settled(pilot, demo_server)  # the poll's answer in before the refresh's
        assert not isinstance(app.screen, SessionWarningScreen)
        # A click as the terminal driver delivers it: to the app, which hands it on to the
        # screen (Pilot's click skips the app's own event handling, so it is not used).
        for event in (
            events.MouseDown(None, 5, 4, 0, 0, 1, False, False, False, screen_x=5, screen_y=4),
            events.MouseUp(None, 5, 4, 0, 0, 1, False, False, False, screen_x=5, screen_y=4),
        ):
            app.post_message(event)
        await wait_until(pilot, lambda: app.timer.seconds_left > 29.2)


async def test_drafts_kept_from_an_earlier_session_are_named_once_after_login(
    demo_server: Any,
) -> None:
    from sampro_contract import DraftIn
    from sampro_tui.api import ApiClient

    # An earlier session saved two drafts (as the app does at expiry).
    api = ApiClient(demo_server.url, transport=demo_server.transport)
    try:
        challenge = await api.login("koordinator", demo_server.accounts["koordinator"])
        await api.verify(challenge.challenge_id, demo_server.latest_code("koordinator"))
        page = await api.list_plans()
        plan = page.items[0]
        await api.save_draft(
            f"plan-{plan.id}-home",
            DraftIn(kind="plan_home", plan_id=plan.id, payload={"status_text": "Halv"}),
        )
        await api.save_draft(
            f"plan-{plan.id}-fag-new",
            DraftIn(kind="plan_content", plan_id=plan.id, payload={"name": "Ny"}),
        )
        await api.logout()
    finally:
        await api.aclose()
    app = make_app(demo_server)
    async with app.run_test(size=(120, 40)) as pilot:
        await to_plan_list(pilot, demo_server)
        name = f"{plan.owner_first_name} {plan.owner_last_name}"
        expected = (
            f"Du har 2 lagrede utkast: Fagplaner i planen til {name}, Hjem i planen til {name}."
        )
        await wait_until(pilot, lambda: any("lagrede utkast" in n for n in notifications(app)))
        notices = [n for n in notifications(app) if "lagrede utkast" in n]
        assert len(notices) == 1
        assert set(notices[0].removesuffix(".").split(": ", 1)[1].split(", ")) == set(
            expected.removesuffix(".").split(": ", 1)[1].split(", ")
        )

"""Logging in through the screens: password, one-time code, lockout, password change; against
a real server on a port, and in-process where the test moves the clock."""

from __future__ import annotations

import re
from typing import Any

import pytest
from textual.widgets import Input, Static

from tests.tui.helpers import (
    enter_code,
    fill,
    log_in,
    log_in_fully,
    make_app,
    notifications,
    wait_until,
)


def text_of(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_password_then_code_opens_the_plan_list(live_server: Any) -> None:
    app = make_app(live_server.url)
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, "koordinator", live_server.accounts["koordinator"])
        await wait_until(pilot, lambda: app.screen.id == "code")
        assert "engangskode" in text_of(app, "#sent")
        assert "Koden er gyldig i 10:00" in text_of(app, "#countdown") or "9:5" in text_of(
            app, "#countdown"
        )
        await enter_code(pilot, live_server.latest_code("koordinator"))
        await wait_until(pilot, lambda: app.screen.id == "plans-screen")
        await wait_until(pilot, lambda: len(app.screen.plans) > 0)
        assert app.user is not None and app.user.username == "koordinator"
        assert "koordinator" in app.session_text and "igjen" in app.session_text


async def test_wrong_password_says_so_and_keeps_the_username(live_server: Any) -> None:
    app = make_app(live_server.url)
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, "koordinator", "Wrong-Password1")
        await wait_until(pilot, lambda: "Feil brukernavn eller passord" in text_of(app, "#message"))
        assert app.screen.id == "login"
        assert app.screen.query_one("#username").value == "koordinator"  # type: ignore[attr-defined]
        assert app.screen.query_one("#password").value == ""  # type: ignore[attr-defined]


async def test_locked_out_after_three_wrong_passwords_with_minutes_left(live_server: Any) -> None:
    app = make_app(live_server.url)
    async with app.run_test(size=(120, 40)) as pilot:
        for attempt in range(3):
            await log_in(pilot, "laerer", f"Wrong-Password{attempt}")
            await wait_until(
                pilot,
                lambda: (
                    "Feil" in text_of(app, "#message") or "utestengt" in text_of(app, "#message")
                ),
            )
        await log_in(pilot, "laerer", live_server.accounts["laerer"])
        await wait_until(pilot, lambda: "utestengt" in text_of(app, "#message"))
        assert "Prøv igjen om 10 min" in text_of(app, "#message")


async def test_server_unreachable_is_its_own_message() -> None:
    from sampro_tui.demo import free_port

    app = make_app(f"http://127.0.0.1:{free_port()}")
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, "koordinator", "Whatever-1")
        await wait_until(pilot, lambda: "Får ikke kontakt med tjeneren" in text_of(app, "#message"))


async def test_wrong_code_then_new_code_then_right_code(live_server: Any) -> None:
    app = make_app(live_server.url)
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, "koordinator", live_server.accounts["koordinator"])
        first = None
        await wait_until(pilot, lambda: app.screen.id == "code")
        first = live_server.latest_code("koordinator")
        wrong = "000000" if first != "000000" else "111111"
        await enter_code(pilot, wrong)
        await wait_until(pilot, lambda: "Feil kode" in text_of(app, "#message"))
        assert "forsøk igjen" in text_of(app, "#message")
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: "En ny kode er sendt." in notifications(app))
        second = live_server.latest_code("koordinator")
        await enter_code(pilot, second)
        await wait_until(pilot, lambda: app.screen.id == "plans-screen")


async def test_temporary_password_forces_a_change_checked_as_you_type(live_server: Any) -> None:
    app = make_app(live_server.url)
    temporary = live_server.accounts["nybruker"]
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in_fully(pilot, live_server, "nybruker")
        await wait_until(pilot, lambda: app.screen.id == "password")
        assert "midlertidig passord" in text_of(app, "#forced")
        await fill(pilot, "#current", temporary)
        await fill(pilot, "#new", "")
        await pilot.press("a", "b", "c")  # typed key by key: the rules follow each key
        rules = text_of(app, "#rules")
        assert "✗ minst 8 tegn" in rules and "✓ en liten bokstav" in rules
        assert "✗ en stor bokstav" in rules
        # Rules met, but a commonly used password: the server has the final word.
        await fill(pilot, "#new", "Password1")
        await fill(pilot, "#repeat", "Password1")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "for vanlig" in text_of(app, "#message"))
        assert app.screen.id == "password"
        await fill(pilot, "#new", "Tusenfryd-Bakke-42")
        await fill(pilot, "#repeat", "Tusenfryd-Bakke-42")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen.id == "plans-screen")
        assert "Passordet er endret." in notifications(app)


async def test_log_out_returns_to_login(live_server: Any) -> None:
    app = make_app(live_server.url)
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in_fully(pilot, live_server, "parorende")
        await wait_until(pilot, lambda: app.screen.id == "plans-screen")
        await pilot.press("ctrl+l")
        await wait_until(pilot, lambda: app.screen.id == "login")
        assert "Du er logget ut." in text_of(app, "#notice")
        assert not app.timer.active and app.api.token is None


@pytest.mark.server_settings(lockout_threshold=5, lockout_seconds=1800)
async def test_the_lockout_rule_states_the_servers_own_numbers(live_server: Any) -> None:
    app = make_app(live_server.url)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.screen.id == "login")
        await wait_until(pilot, lambda: "5 ganger på rad" in text_of(app, "#lockout-rule"))
        assert "utestengt i 30 minutter" in text_of(app, "#lockout-rule")


EXPIRED = "Koden er utløpt. Logg inn på nytt for å få en ny kode."
CODE_LIFETIME = 600  # seconds, the default SAMPRO_OTP_TTL_SECONDS


@pytest.mark.frozen_clock
async def test_an_expired_code_goes_back_to_login_saying_so_and_a_new_login_works(
    demo_server: Any,
) -> None:
    app = make_app(demo_server)
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, "koordinator", demo_server.accounts["koordinator"])
        await wait_until(pilot, lambda: app.screen.id == "code")
        code = demo_server.latest_code("koordinator")
        # The countdown says what to do, and it is what the server will say too.
        demo_server.clock.advance(CODE_LIFETIME + 1)  # past the server's expiry as well
        await wait_until(pilot, lambda: EXPIRED in text_of(app, "#countdown"))
        await enter_code(pilot, code)  # the right code, too late
        await wait_until(pilot, lambda: app.screen.id == "login")
        assert EXPIRED in text_of(app, "#message")
        assert app.screen.query_one("#username", Input).value == "koordinator"
        assert app.focused is app.screen.query_one("#password", Input)
        # "Send ny kode" on an expired challenge: the server refuses it, so the same way back.
        await fill(pilot, "#password", demo_server.accounts["koordinator"])
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen.id == "code")
        demo_server.clock.advance(CODE_LIFETIME + 1)
        await wait_until(pilot, lambda: EXPIRED in text_of(app, "#countdown"))
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: app.screen.id == "login")
        assert EXPIRED in text_of(app, "#message")
        assert "En ny kode er sendt." not in notifications(app)
        # No dead end: logging in again and using the new code in time gets in.
        await fill(pilot, "#password", demo_server.accounts["koordinator"])
        await pilot.press("enter")
        await enter_code(pilot, demo_server.latest_code("koordinator"))
        await wait_until(pilot, lambda: app.screen.id == "plans-screen")


async def test_five_wrong_codes_end_the_challenge_and_say_so(live_server: Any) -> None:
    app = make_app(live_server.url)
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, "koordinator", live_server.accounts["koordinator"])
        await wait_until(pilot, lambda: app.screen.id == "code")
        right = live_server.latest_code("koordinator")
        wrong = "000000" if right != "000000" else "111111"
        for left in (4, 3, 2, 1):
            await enter_code(pilot, wrong)
            await wait_until(pilot, lambda: f"{left} forsøk igjen" in text_of(app, "#message"))  # noqa: B023
        await enter_code(pilot, wrong)
        await wait_until(pilot, lambda: app.screen.id == "login")
        message = text_of(app, "#message")
        assert "For mange feil koder. Logg inn på nytt for å få en ny kode." in message
        assert "Be om en ny kode" not in message
        assert app.screen.query_one("#username", Input).value == "koordinator"


async def test_a_new_code_while_the_challenge_lives_replaces_the_old_one(
    live_server: Any,
) -> None:
    app = make_app(live_server.url)
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, "koordinator", live_server.accounts["koordinator"])
        await wait_until(pilot, lambda: app.screen.id == "code")
        sent = len(live_server.sent_to("koordinator"))
        await pilot.click("#new")  # the button, as well as Ctrl+N
        await wait_until(pilot, lambda: "En ny kode er sendt." in notifications(app))
        assert len(live_server.sent_to("koordinator")) == sent + 1
        assert app.screen.id == "code"


async def test_the_caps_lock_reminder_and_the_capitals_only_warning(live_server: Any) -> None:
    app = make_app(live_server.url)
    async with app.run_test(size=(120, 40)) as pilot:
        assert "Husk å slå av Caps Lock" in text_of(app, "#capslock")
        assert text_of(app, "#capslock-warning") == ""
        await fill(pilot, "#password", "")
        await pilot.press("H", "E", "M", "M", "E", "L", "I", "G", "1")
        warning = "Passordet er skrevet med bare store bokstaver: er Caps Lock på?"
        assert text_of(app, "#capslock-warning") == warning
        await pilot.press("a")  # a small letter: not Caps Lock after all
        assert text_of(app, "#capslock-warning") == ""


async def test_forgot_password_sends_a_temporary_password_that_forces_a_change(
    live_server: Any,
) -> None:
    app = make_app(live_server.url)
    async with app.run_test(size=(120, 40)) as pilot:
        await fill(pilot, "#username", "")
        await pilot.press("ctrl+g")
        await wait_until(
            pilot, lambda: "Skriv inn brukernavnet ditt først" in text_of(app, "#message")
        )
        before = len(live_server.sent_to("koordinator"))
        await fill(pilot, "#username", "koordinator")
        await pilot.press("ctrl+g")
        sent = "Hvis brukernavnet finnes og har en e-postadresse, er et nytt midlertidig passord"
        await wait_until(pilot, lambda: any(sent in n for n in notifications(app)))
        # The server does the work after its 202: the temporary password reaches the sink.
        await wait_until(pilot, lambda: len(live_server.sent_to("koordinator")) > before)
        body = live_server.sent_to("koordinator")[-1]["body"]
        match = re.search(r"passord er (\w+)\.", body)
        assert match, body
        await log_in(pilot, "koordinator", match.group(1))
        await wait_until(pilot, lambda: app.screen.id == "code")
        await enter_code(pilot, live_server.latest_code("koordinator"))
        await wait_until(pilot, lambda: app.screen.id == "password")
        assert "midlertidig passord" in text_of(app, "#forced")
        assert app.must_change_password


async def test_changing_the_password_on_request_and_the_same_one_will_not_do(
    live_server: Any,
) -> None:
    app = make_app(live_server.url)
    new = "Tusenfryd-Bakke-42"

    async def change(current: str, password: str) -> None:
        app.change_password()  # the palette's "Bytt passord"
        await wait_until(pilot, lambda: app.screen.id == "password" and app.screen.query("#new"))
        assert not app.screen.query("#forced")  # not forced: no temporary-password notice
        assert app.screen.check_action("back", ()) is True
        await fill(pilot, "#current", current)
        await fill(pilot, "#new", password)
        await fill(pilot, "#repeat", password)
        await pilot.press("enter")

    async with app.run_test(size=(120, 40)) as pilot:
        await log_in_fully(pilot, live_server, "koordinator")
        await wait_until(pilot, lambda: app.screen.id == "plans-screen")
        await change(live_server.accounts["koordinator"], new)
        await wait_until(pilot, lambda: app.screen.id == "plans-screen")
        assert "Passordet er endret." in notifications(app)
        # Again, with the password it now has: the server's same_as_current, in words.
        await change(new, new)
        same = "Det nye passordet må være et annet enn det nåværende."
        await wait_until(pilot, lambda: same in text_of(app, "#message"))
        assert "password.problem" not in text_of(app, "#message")
        await pilot.press("escape")  # not forced: one may leave
        await wait_until(pilot, lambda: app.screen.id == "plans-screen")


def test_a_password_problem_without_a_text_shows_the_servers_words() -> None:
    from screens.login.password import problem_lines

    server = "The new password is not allowed: sounds like a pet's name"
    assert problem_lines(["same_as_current"], server) == [
        "Det nye passordet må være et annet enn det nåværende."
    ]
    assert problem_lines(["pet_name"], server) == [server]  # never "password.problem.pet_name"
    assert problem_lines(["pet_name", "too_short"], server) == [
        server,
        "Passordet er for kort.",
    ]
    assert problem_lines([], server) == ["Passordet er ikke godt nok."]


async def test_a_forced_change_blocks_every_way_past_it(live_server: Any) -> None:
    from sampro_tui.commands import SamproCommands

    app = make_app(live_server.url)
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in_fully(pilot, live_server, "nybruker")
        await wait_until(pilot, lambda: app.screen.id == "password")
        app.open_plans()
        await pilot.pause(0.2)
        assert app.screen.id == "password"
        assert "Du må bytte passord før du går videre." in notifications(app)
        app.open_plan(1)
        await pilot.pause(0.2)
        assert app.screen.id == "password"
        # The palette offers only changing the password, logging out and quitting.
        provider = SamproCommands(app.screen)
        await provider.startup()
        offered = [str(hit.display) async for hit in provider.discover()]
        assert offered == ["Bytt passord", "Logg ut", "Avslutt"]
        searched = [str(hit.text) async for hit in provider.search("plan")]
        assert not any("Åpne planen" in s or "Liste planer" in s for s in searched)
        assert app.plan_index == []  # nothing fetched that the server would refuse anyway

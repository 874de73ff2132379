"""Logging in against a real server: password, one-time code, lockout, password change."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Static

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

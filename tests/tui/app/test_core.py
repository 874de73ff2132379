"""The client core without a terminal: API client import, config, i18n, keyring, demo."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from sampro_contract import SessionInfo
from sampro_tui.api import ApiClient, ApiError, ServerUnreachable
from sampro_tui.config import load_config, save_settings
from sampro_tui.credentials import TokenStore, is_secure_backend
from sampro_tui.demo import latest_code, parse_accounts
from sampro_tui.errors import describe
from sampro_tui.formatting import fmt_countdown, fmt_date
from sampro_tui.i18n import CATALOGUES, set_language, t
from sampro_tui.session import SessionTimer


def test_api_client_imports_without_textual() -> None:
    code = "import sys, sampro_tui.api, sampro_tui.config, sampro_tui.credentials; "
    code += "print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_start_up_imports_only_the_login_screen() -> None:
    code = (
        "import sys; from sampro_tui.app import SamproApp, screen_class; screen_class('login'); "
        "print(sorted(m for m in sys.modules if m.startswith(('screens.', 'widgets.'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['screens.login', 'screens.login.screen']"


async def test_error_envelope_becomes_a_typed_error_with_retry_after() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = {"error": {"code": "account_locked", "message": "Locked", "details": None}}
        return httpx.Response(423, json=body, headers={"Retry-After": "540"})

    api = ApiClient("http://sampro.test", transport=httpx.MockTransport(handler))
    with pytest.raises(ApiError) as caught:
        await api.login("someone", "Secret-123")
    await api.aclose()
    error = caught.value
    assert (error.status, error.code, error.retry_after) == (423, "account_locked", 540)
    set_language("nb")
    assert (
        describe(error) == "Kontoen er utestengt etter for mange feil forsøk. Prøv igjen om 9 min."
    )


async def test_no_answer_is_server_unreachable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    api = ApiClient("http://sampro.test", transport=httpx.MockTransport(handler))
    with pytest.raises(ServerUnreachable):
        await api.plan(1)
    await api.aclose()


async def test_a_proxy_error_page_still_becomes_an_api_error() -> None:
    api = ApiClient(
        "http://sampro.test",
        transport=httpx.MockTransport(lambda r: httpx.Response(502, text="<html>Bad gateway")),
    )
    with pytest.raises(ApiError) as caught:
        await api.me()
    await api.aclose()
    assert caught.value.code == "http_502"
    assert "Noe gikk galt på tjeneren" in describe(caught.value)


def test_config_file_then_environment_then_flag(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    save_settings({"server_url": "https://file.example", "theme": "nord"}, path)
    save_settings({"keymap": {"app.help": "f2"}}, path)
    config = load_config(path, env={})
    assert (config.server_url, config.theme, config.keymap) == (
        "https://file.example",
        "nord",
        {"app.help": "f2"},
    )
    env = {"SAMPRO_SERVER": "https://env.example", "SAMPRO_LANG": "en"}
    assert load_config(path, env=env).server_url == "https://env.example"
    assert load_config(path, env=env).language == "en"
    assert load_config(path, env=env, server_override="http://flag").server_url == "http://flag"


def test_a_broken_config_file_falls_back_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("this is = = not toml")
    assert load_config(path, env={}).language == "nb"


def test_both_languages_have_every_text() -> None:
    assert set(CATALOGUES["nb"]) == set(CATALOGUES["en"])
    set_language("en")
    try:
        assert t("login.title") == "Log in"
    finally:
        set_language("nb")
    assert t("login.title") == "Pålogging"


def test_dates_on_screen_are_day_month_year() -> None:
    assert fmt_date(date(2025, 3, 7)) == "07.03.2025"
    assert fmt_countdown(299.2) == "5:00"
    assert fmt_countdown(3600) == "1:00:00"


class PlaintextKeyring:
    priority = 0.5


class SecretServiceLike:
    priority = 5


def test_plain_text_keyrings_are_refused() -> None:
    assert not is_secure_backend(PlaintextKeyring())
    assert is_secure_backend(SecretServiceLike())


async def test_without_a_secure_keyring_the_token_stays_in_memory_and_it_says_so_once() -> None:
    store = TokenStore(backend_factory=lambda: None)
    await store.save("acct", "token-1")
    assert store.memory_only
    assert store.take_notice() is True
    assert store.take_notice() is False
    assert await store.load("acct") == "token-1"


async def test_a_hanging_keyring_times_out_to_memory_only() -> None:
    import threading

    never = threading.Event()

    def hang() -> Any:
        never.wait(5)

    store = TokenStore(backend_factory=hang, timeout=0.1)
    await store.save("acct", "token-1")
    assert store.memory_only and await store.load("acct") == "token-1"
    never.set()


def test_demo_accounts_and_codes_from_the_file_sink(tmp_path: Path) -> None:
    accounts = parse_accounts(json.dumps([{"username": "a", "password": "B-c1", "role": "user"}]))
    assert accounts[0].username == "a" and accounts[0].password == "B-c1"
    sink = tmp_path / "sms.jsonl"
    now = datetime.now(UTC)
    lines = [
        {
            "to": "+4791234567",
            "channel": "sms",
            "subject": "",
            "body": "Kode: 111111",
            "sent_at": (now - timedelta(minutes=5)).isoformat(),
        },
        {
            "to": "+4799999999",
            "channel": "sms",
            "subject": "",
            "body": "Kode: 222222",
            "sent_at": now.isoformat(),
        },
        {
            "to": "+4791234567",
            "channel": "sms",
            "subject": "",
            "body": "Engangskode: 333333",
            "sent_at": now.isoformat(),
        },
        {
            "to": "+4799999999",
            "channel": "sms",
            "subject": "",
            "body": "Kode: 444444",
            "sent_at": now.isoformat(),
        },
    ]
    sink.write_text("\n".join(json.dumps(x) for x in lines))
    assert latest_code(sink, hint="+47 *** ** 567") == "333333"
    assert latest_code(sink, destination="+4799999999") == "444444"
    later = now + timedelta(seconds=1)
    assert latest_code(sink, destination="+4799999999", since=later) is None


def test_session_timer_follows_the_server_on_an_injected_clock() -> None:
    now = [100.0]
    wall = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    timer = SessionTimer(clock=lambda: now[0], wall=lambda: wall, activity_interval=60)
    user: dict[str, Any] = {
        "id": 1,
        "username": "u",
        "first_name": "A",
        "last_name": "B",
        "system_role": "user",
        "channel": "sms",
        "must_change_password": False,
    }
    info = SessionInfo(
        token="x",
        expires_at=wall + timedelta(seconds=3600),
        idle_timeout_seconds=3600,
        warning_seconds=300,
        must_change_password=False,
        user=user,  # type: ignore[arg-type]
    )
    timer.start(info)
    assert timer.seconds_left == 3600 and not timer.in_warning
    now[0] += 30
    assert not timer.activity_refresh_due()  # at most once a minute
    now[0] += 31
    assert timer.activity_refresh_due()
    now[0] += 3300 - 61
    assert timer.in_warning and not timer.due_for_expiry
    assert not timer.activity_refresh_due()  # in the warning only "stay logged in" refreshes
    now[0] += 298
    assert timer.due_for_expiry

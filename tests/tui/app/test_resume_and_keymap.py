"""Resuming a live session from the keyring, and remapping keys by binding id."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from sampro_tui.app import SamproApp
from sampro_tui.config import Config, load_config
from sampro_tui.credentials import TokenStore
from screens.help.screen import HelpScreen
from tests.tui.app.test_snapshots import frozen_app
from tests.tui.helpers import log_in_fully, notifications, wait_until


class MemoryKeyring:
    """Stands in for a secure system keyring (SecretService, Keychain...)."""

    priority = 5

    def __init__(self) -> None:
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, account: str) -> str | None:
        return self.secrets.get((service, account))

    def set_password(self, service: str, account: str, secret: str) -> None:
        self.secrets[(service, account)] = secret

    def delete_password(self, service: str, account: str) -> None:
        self.secrets.pop((service, account), None)


async def test_a_dropped_connection_resumes_within_the_idle_window(
    demo_server: Any, tmp_path: Path
) -> None:
    keyring = MemoryKeyring()
    path = tmp_path / "config.toml"

    def app() -> SamproApp:
        config = load_config(path, env={}, server_override=demo_server.url)
        return SamproApp(
            config,
            config_path=path,
            token_store=TokenStore(backend_factory=lambda: keyring),
            transport=demo_server.transport,
        )

    first = app()
    async with first.run_test(size=(120, 40)) as pilot:
        await log_in_fully(pilot, demo_server, "parorende")
        await wait_until(pilot, lambda: first.screen.id == "plans-screen")
        await wait_until(pilot, lambda: bool(keyring.secrets))
    # The terminal went away without logging out; a new start picks the session up.
    second = app()
    async with second.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: second.screen.id == "plans-screen")
        welcome = "Velkommen tilbake, økten din var fortsatt aktiv."
        await wait_until(pilot, lambda: welcome in notifications(second))
        await pilot.press("ctrl+l")
        await wait_until(pilot, lambda: second.screen.id == "login")
        await wait_until(pilot, lambda: not keyring.secrets)  # logging out forgets it


async def test_keys_are_remapped_by_binding_id_from_the_config() -> None:
    app = frozen_app()
    app.config = Config(server_url="http://sampro.test", keymap={"app.help": "f2"})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))


class UnreachableTransport(httpx.AsyncBaseTransport):
    """The network is down: every request fails to connect, as with the server away."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)


async def test_an_unreachable_server_keeps_the_saved_session_and_says_so(
    demo_server: Any, tmp_path: Path
) -> None:
    keyring = MemoryKeyring()
    path = tmp_path / "config.toml"

    def app(transport: httpx.AsyncBaseTransport | None = None) -> SamproApp:
        config = load_config(path, env={}, server_override=demo_server.url)
        return SamproApp(
            config,
            config_path=path,
            token_store=TokenStore(backend_factory=lambda: keyring),
            transport=transport or demo_server.transport,
        )

    first = app()
    async with first.run_test(size=(120, 40)) as pilot:
        await log_in_fully(pilot, demo_server, "parorende")
        await wait_until(pilot, lambda: first.screen.id == "plans-screen")
        await wait_until(pilot, lambda: bool(keyring.secrets))
    saved = dict(keyring.secrets)
    # Started while the network is down: no resume, but the token is not thrown away.
    offline = app(UnreachableTransport())
    async with offline.run_test(size=(120, 40)) as pilot:
        await wait_until(
            pilot, lambda: any("Får ikke kontakt med tjeneren" in n for n in notifications(offline))
        )
        assert any("Den lagrede økten er beholdt" in n for n in notifications(offline))
        assert offline.screen.id == "login"
    assert keyring.secrets == saved
    # The network is back: the session is picked up.
    again = app()
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: again.screen.id == "plans-screen")
        token = again.api.token
    # The session ends on the server (logged out elsewhere): 401, and now it is forgotten.
    from sampro_tui.api import ApiClient

    other = ApiClient(demo_server.url, token=token, transport=demo_server.transport)
    try:
        await other.logout()
    finally:
        await other.aclose()
    last = app()
    async with last.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: not keyring.secrets)
        assert last.screen.id == "login"

"""The session controller on its own: no Textual, a stand-in view, the network mocked."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable, Sequence

import httpx

from sampro_contract import DraftIn
from sampro_tui.config import Config
from sampro_tui.credentials import TokenStore
from sampro_tui.i18n import set_language, t
from sampro_tui.session import SessionTimer
from sampro_tui.session_controller import SessionController, Severity, Work
from tests.tui import fake_server


class OpenForm:
    """A form with unsaved text, as the controller sees one (SupportsDrafts)."""

    def draft_key(self) -> str | None:
        return "plan-1-home"

    def current_draft(self) -> DraftIn | None:
        return DraftIn(kind="home", plan_id=1, payload={"status": "Halvveis skrevet"})


class View:
    """Records what the controller asks of the user interface."""

    def __init__(self, forms: Sequence[object] = ()) -> None:
        self.config = Config(server_url="http://sampro.test")
        self.forms = list(forms)
        self.shown: list[str] = []
        self.notices: list[str] = []
        self.work: list[tuple[str, Work]] = []
        self.session_text = ""

    def save_settings(self, **changes: object) -> None:
        pass

    def notify(
        self, message: str, *, severity: Severity = "information", timeout: float | None = None
    ) -> None:
        self.notices.append(message)

    def clear_notifications(self) -> None:
        self.notices.clear()

    def run_session_work(self, work: Work, group: str, *, exclusive: bool) -> None:
        self.work.append((group, work))

    def show_session(self, text: str, seconds_left: float | None) -> None:
        self.session_text = text

    async def show_login(self, message: str) -> None:
        self.shown.append(f"login: {message}")

    async def show_plans(self) -> None:
        self.shown.append("plans")

    async def show_password_change(self) -> None:
        self.shown.append("password")

    def warning_shown(self) -> bool:
        return "warning" in self.shown

    async def show_warning(self) -> None:
        self.shown.append("warning")

    def close_warning(self) -> None:
        self.shown.remove("warning")

    def open_screens(self) -> Sequence[object]:
        return []

    def open_forms(self) -> Iterable[object]:
        return self.forms

    def session_ended(self) -> None:
        self.session_text = ""

    async def run(self, group: str) -> None:
        """Run the background work of `group` that the controller started."""
        for name, work in list(self.work):
            if name == group:
                self.work.remove((name, work))
                await work
        self.discard()

    def discard(self) -> None:
        """Drop the background work no test here is about (the keyring, the drafts notice)."""
        for _, work in self.work:
            work.close()
        self.work.clear()


def controller(view: View, requests: list[str], clock: list[float]) -> SessionController:
    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(f"{request.method} {request.url.path}")
        if request.url.path.endswith("/auth/logout"):
            return httpx.Response(204)
        return httpx.Response(200, json={})

    timer = SessionTimer(clock=lambda: clock[0], wall=lambda: fake_server.NOW)
    return SessionController(
        view,
        persist=False,
        transport=httpx.MockTransport(handler),
        timer=timer,
        token_store=TokenStore(enabled=False),
    )


async def test_at_expiry_open_forms_are_saved_as_drafts_before_the_login_screen() -> None:
    set_language("nb")
    view, requests, clock = View([OpenForm()]), [], [1000.0]
    session = controller(view, requests, clock)
    session.api.token = fake_server.SESSION.token  # as the verify call leaves it
    await session.started(fake_server.SESSION)
    assert view.shown == ["plans"] and "koordinator" in view.session_text
    clock[0] += 3600 - 2  # inside the margin before the server's end
    session.tick()
    await view.run("session-end")
    assert requests == ["PUT /api/v1/me/drafts/plan-1-home", "POST /api/v1/auth/logout"]
    assert view.shown[-1] == f"login: {t('login.expired')}"
    assert view.notices == [t("session.drafts_saved")]
    assert not session.timer.active and session.user is None and view.session_text == ""
    await session.close()


async def test_a_session_lost_on_the_server_keeps_the_drafts_for_after_the_next_login() -> None:
    set_language("nb")
    view, requests, clock = View([OpenForm()]), [], [1000.0]
    session = controller(view, requests, clock)
    await session.started(fake_server.SESSION)
    await session.lost("session_expired")
    assert view.shown[-1] == f"login: {t('login.expired')}"
    assert list(session.pending_drafts) == ["plan-1-home"]
    assert requests == []  # nothing sent with a token the server no longer takes
    view.discard()
    await session.close()


def test_the_session_controller_imports_without_textual() -> None:
    code = "import sys, sampro_tui.session_controller; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

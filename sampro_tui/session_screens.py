"""The App's side of the session: what the SessionController shows, and where it lets a person go.

`SessionScreens` is the App's base: it implements the controller's `SessionView` (the
screens, notices and workers the session needs) and keeps the names the screens and the
command palette use (`app.timer`, `app.user`, `app.open_plan(...)`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Coroutine, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.reactive import var
from textual.screen import Screen

from sampro_tui.base import ReportsFailedWork
from sampro_tui.config import Config, save_settings
from sampro_tui.i18n import t
from sampro_tui.navigation import Navigator, screen_class
from sampro_tui.session_controller import SessionController, Work

if TYPE_CHECKING:
    from sampro_contract import SessionInfo, UserInfo
    from sampro_tui.api import ApiClient
    from sampro_tui.session import SessionTimer


class SessionScreens(ReportsFailedWork, App[None]):
    """Screens by the session's state: login, the plans, the warning, and moves between them."""

    session_text: var[str] = var("")
    seconds_left: var[float] = var(0.0)

    config: Config  # the SamproApp sets these
    config_path: Path | None
    persist: bool
    session: SessionController

    def _start_session_screens(self) -> None:
        self.navigator = Navigator(self)
        self.warning_screen: Screen[Any] | None = None
        self.plan_index: list[tuple[int, str, str, str]] = []  # id, owner, short, type
        self.plan_index_partial = False  # more plans than the index holds: ask the server

    # --- what screens and tests read of the session ---------------------------------------

    @property
    def api(self) -> ApiClient:
        return self.session.api

    @property
    def timer(self) -> SessionTimer:
        return self.session.timer

    @property
    def user(self) -> UserInfo | None:
        return self.session.user

    @user.setter
    def user(self, user: UserInfo | None) -> None:
        self.session.user = user

    @property
    def code_lifetime(self) -> float | None:
        return self.session.code_lifetime

    @code_lifetime.setter
    def code_lifetime(self, seconds: float | None) -> None:
        self.session.code_lifetime = seconds

    def known_code_lifetime(self) -> float | None:
        return self.session.known_code_lifetime()

    @property
    def must_change_password(self) -> bool:
        """A temporary password: until it is changed, the server refuses everything but the
        password, session and logout routes, and the client goes nowhere else either."""
        return self.user is not None and self.user.must_change_password

    def tick(self) -> None:
        self.session.tick()

    def _update_display(self) -> None:
        self.session.update_display()

    async def session_started(self, info: SessionInfo) -> None:
        """Called by the code screen after a successful verify."""
        await self.session.started(info)

    async def stay_logged_in(self) -> None:
        await self.session.stay_logged_in()

    def expire_session(self) -> None:
        self.run_session_work(self.session.expire(), "session-end", exclusive=True)

    def report_error(self, error: BaseException) -> None:
        self.session.failed(error)

    # --- the controller's view -----------------------------------------------------------

    def save_settings(self, **changes: object) -> None:
        if self.persist:
            with contextlib.suppress(OSError):  # a read-only config dir must not break us
                save_settings(changes, self.config_path)

    def run_session_work(self, work: Work, group: str, *, exclusive: bool) -> None:
        self.run_worker(work, group=group, exclusive=exclusive, exit_on_error=False)

    def show_session(self, text: str, seconds_left: float | None) -> None:
        if seconds_left is not None:
            self.seconds_left = seconds_left
        self.session_text = text

    async def show_login(self, message: str) -> None:
        await self.show_root(screen_class("login")(message=message))

    async def show_plans(self) -> None:
        await self.show_root(screen_class("plans")())

    async def show_password_change(self) -> None:
        await self.show_root(screen_class("password")(forced=True))

    def warning_shown(self) -> bool:
        return self.warning_screen is not None

    async def show_warning(self) -> None:
        self.warning_screen = screen_class("session_warning")()
        await self.push_screen(self.warning_screen)

    def close_warning(self) -> None:
        warning, self.warning_screen = self.warning_screen, None
        # Under another modal (help), the warning closes itself when it is on top again.
        if warning is not None and self.screen is warning:
            self.pop_screen()

    def open_screens(self) -> Sequence[object]:
        return self.screen_stack

    def open_forms(self) -> Iterable[object]:
        for screen in self.screen_stack:
            yield screen
            yield from screen.query("*")

    def session_ended(self) -> None:
        self.plan_index = []
        self.plan_index_partial = False
        self.session_text = ""

    # --- where a person may go -----------------------------------------------------------

    async def show_root(self, screen: Screen[Any]) -> None:
        """Make `screen` the only screen above the (empty) default one."""
        self.warning_screen = None
        await self.navigator.show_root(screen)

    def show_screen(self, screen: Screen[Any]) -> None:
        """Show `screen` over the one in front."""
        self.navigator.push(screen)

    def run_in_app(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` in a worker of the app, so it outlives the screen that started it."""
        self.run_worker(work, group="navigate", exit_on_error=False)

    def may_navigate(self) -> bool:
        """Logged in and free to move; a pending forced change says so and refuses."""
        if not self.timer.active:
            return False
        if self.must_change_password:
            self.notify(t("error.password_change_required"), severity="warning")
            return False
        return True

    def open_plans(self) -> None:
        if self.may_navigate():
            self.run_in_app(self.show_plans())

    def open_plan(self, plan_id: int) -> None:
        """The plan over the list, or in place of the plan in front."""
        if self.may_navigate():
            self.navigator.open(screen_class("plan")(plan_id=plan_id))

    def change_password(self) -> None:
        if not self.timer.active:
            return
        if self.must_change_password:
            # The forced change is the screen in front already; bring the focus to it.
            if self.screen.id != "password":
                self.run_in_app(self.show_password_change())
            return
        self.show_screen(screen_class("password")(forced=False))

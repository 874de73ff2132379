"""The SamPro App: configuration, theme, keymap, language, the session, and navigation.

Screens are named here by "module:Class" and imported the first time they are shown,
so start-up pays only for the login screen (and the core never imports `screens` at
load time, keeping dependencies pointing from screens to the core).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, work
from textual.app import App
from textual.await_complete import AwaitComplete
from textual.binding import Binding, BindingType
from textual.reactive import var
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from sampro_tui import i18n
from sampro_tui.base import SamproScreenMixin, translate_bindings
from sampro_tui.config import Config, save_settings
from sampro_tui.credentials import TokenStore
from sampro_tui.drafts import SavesOwnDraft, SupportsDrafts
from sampro_tui.formatting import fmt_countdown
from sampro_tui.i18n import t
from sampro_tui.session import SessionTimer

if TYPE_CHECKING:
    import httpx
    from textual.command import Provider

    from sampro_contract import DraftIn, SessionInfo, SessionStatus, UserInfo
    from sampro_tui.api import ApiClient
    from sampro_tui.demo import DemoServer

SCREENS_BY_NAME: dict[str, str] = {
    "login": "screens.login.screen:LoginScreen",
    "code": "screens.login.code:CodeScreen",
    "password": "screens.login.password:PasswordScreen",
    "plans": "screens.plans.screen:PlanListScreen",
    "plan": "screens.plan.screen:PlanScreen",
    "help": "screens.help.screen:HelpScreen",
    "session_warning": "screens.session.warning:SessionWarningScreen",
}


def screen_class(name: str) -> Callable[..., Screen[Any]]:
    """The screen class registered under `name`, imported on first use."""
    module_name, _, class_name = SCREENS_BY_NAME[name].partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    assert isinstance(cls, type) and issubclass(cls, Screen)
    return cls


def _commands_provider() -> type[Provider]:
    from sampro_tui.commands import SamproCommands

    return SamproCommands


def freeze_startup_heap() -> None:
    """Keep the cyclic garbage collector from pausing the screen now and then.

    Measured: with thousands of rows in memory, full collections walked the start-up heap
    and put 100-200 ms on an odd keystroke. Freezing what start-up made, and collecting
    the young generation less often, removes those stalls; memory stays bounded because
    reference counting frees almost everything a screen makes.
    """
    # No gc.collect() first: a full collection of the start-up heap costs more CPU than
    # the little garbage it would spare from freezing.
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


class SamproApp(App[None]):
    """The terminal client."""

    TITLE = "SamPro"
    CSS = """
    Screen { background: $background; }
    ModalScreen { background: $background 60%; }  /* dialogs show the screen behind */
    .error { color: $error; text-style: bold; }
    .hint { color: $text-muted; }
    .title { text-style: bold; color: $accent; padding: 0 0 1 0; }
    """
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {_commands_provider}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "key.quit", id="app.quit", priority=True),
        Binding("f1,question_mark", "help", "key.help", id="app.help", key_display="F1"),
        Binding(
            "ctrl+p",
            "command_palette",
            "key.palette",
            id="app.palette",
            priority=True,
            show=False,  # the footer shows the palette key on its own
        ),
        Binding("ctrl+l", "logout", "key.logout", id="app.logout"),
    ]

    session_text: var[str] = var("")
    seconds_left: var[float] = var(0.0)

    def __init__(
        self,
        config: Config,
        *,
        config_path: Path | None = None,
        persist: bool = True,
        transport: httpx.AsyncBaseTransport | None = None,
        timer: SessionTimer | None = None,
        token_store: TokenStore | None = None,
        demo: DemoServer | None = None,
        tick_seconds: float = 1.0,
        tune_gc: bool = False,
    ) -> None:
        super().__init__()
        self.tune_gc = tune_gc  # the `sampro` command sets it; tests build many apps
        self.config = config
        self.config_path = config_path
        self.persist = persist
        self.transport = transport
        self.timer = timer or SessionTimer()
        self.tokens = token_store or TokenStore(enabled=config.remember_session)
        self.demo = demo
        self.tick_seconds = tick_seconds
        self.user: UserInfo | None = None
        self.pending_drafts: dict[str, DraftIn] = {}
        self._api: ApiClient | None = None
        self.warning_screen: Screen[Any] | None = None
        self._ending = False
        self._warn_check = False
        self.plan_index: list[tuple[int, str, str, str]] = []  # id, owner, short, type
        self.plan_index_partial = False  # more plans than the index holds: ask the server
        self.code_lifetime: float | None = None  # seconds, as the last login showed it
        self.lockout_policy: tuple[int, int] | None = None  # the server's (threshold, seconds)
        i18n.set_language(config.language)
        translate_bindings(self)

    # --- the API client (built on first use, so start-up does not import httpx) --------

    @property
    def api(self) -> ApiClient:
        if self._api is None:
            from sampro_tui.api import ApiClient

            self._api = ApiClient(
                self.config.server_url,
                transport=self.transport,
                on_session_status=self._on_session_status,
                wall=self.timer.wall,
            )
        return self._api

    # --- life cycle -----------------------------------------------------------------

    def on_mount(self) -> None:
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        if self.config.theme != self.theme and self.config.theme in self.available_themes:
            self.theme = self.config.theme
        self.push_screen(screen_class("login")())
        self.set_interval(self.tick_seconds, self.tick, name="session-tick")
        if self.tune_gc:
            self.call_after_refresh(freeze_startup_heap)
        if self.persist and self.config.remember_session and self.config.last_username:
            self.try_resume()

    async def on_unmount(self) -> None:
        if self._api is not None:
            await self._api.aclose()

    def _save(self, **changes: object) -> None:
        if self.persist:
            with contextlib.suppress(OSError):  # a read-only config dir must not break us
                save_settings(changes, self.config_path)

    def watch_theme(self, theme: str) -> None:
        if theme != self.config.theme:
            self.config.theme = theme
            self._save(theme=theme)

    # --- user activity: keys and clicks keep the session alive ------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown) and not event.is_forwarded:
            self.user_activity()
        await super().on_event(event)

    def user_activity(self) -> None:
        if self.timer.activity_refresh_due() and not self._ending:
            self.timer.refreshed()  # at most once a minute, even if the call is slow
            self.refresh_session()

    @work(exclusive=True, group="session-refresh", exit_on_error=False)
    async def refresh_session(self) -> None:
        from sampro_tui.api import ApiError

        try:
            await self.api.refresh_session()
        except ApiError as error:
            if error.session_lost:
                await self.session_lost(error.code)
            return
        self.timer.refreshed()

    def _on_session_status(self, status: SessionStatus) -> None:
        self.timer.sync(status)
        self._update_display()  # decisions (warn, expire) are the next tick's

    # --- the session clock ------------------------------------------------------------

    def _update_display(self) -> None:
        timer = self.timer
        if not timer.active or self._ending:
            self.session_text = ""
            return
        self.seconds_left = timer.seconds_left
        name = self.user.username if self.user else ""
        self.session_text = t("session.left", user=name, left=fmt_countdown(timer.seconds_left))

    def tick(self) -> None:
        """Called every second: status line, warning, expiry, and a quiet poll."""
        timer = self.timer
        self._update_display()
        if not timer.active or self._ending:
            return
        if timer.due_for_expiry:
            self.expire_session()
        elif timer.in_warning:
            if self.warning_screen is None and not self._warn_check:
                self._warn_check = True
                self.check_then_warn()
        elif self.warning_screen is not None:
            self._close_warning()
        elif timer.poll_due():
            self.poll_session()

    @work(exclusive=True, group="session-poll", exit_on_error=False)
    async def poll_session(self) -> None:
        from sampro_tui.api import ApiError, ServerUnreachable

        self.timer.last_poll = self.timer.clock()
        try:
            await self.api.session()  # no activity: only reads the server's count
        except ApiError as error:
            if error.session_lost:
                await self.session_lost(error.code)
        except ServerUnreachable:
            pass  # the local count goes on; the next poll tries again

    @work(exclusive=True, group="session-poll", exit_on_error=False)
    async def check_then_warn(self) -> None:
        """Before warning, ask the server: another call may have kept the session alive."""
        from sampro_tui.api import ApiError, ServerUnreachable

        try:
            await self.api.session()
        except ApiError as error:
            if error.session_lost:
                await self.session_lost(error.code)
                return
        except ServerUnreachable:
            pass
        finally:
            self._warn_check = False
        timer = self.timer
        warn = timer.in_warning and not timer.due_for_expiry and not self._ending
        if warn and self.warning_screen is None:
            self.warning_screen = screen_class("session_warning")()
            await self.push_screen(self.warning_screen)

    def _close_warning(self) -> None:
        warning, self.warning_screen = self.warning_screen, None
        # Under another modal (help), the warning closes itself when it is on top again.
        if warning is not None and self.screen is warning:
            self.pop_screen()

    async def stay_logged_in(self) -> None:
        """The warning's "stay logged in": an explicit refresh."""
        from sampro_tui.api import ApiError

        try:
            await self.api.refresh_session()
        except ApiError as error:
            if error.session_lost:
                await self.session_lost(error.code)
                return
            raise
        self.timer.refreshed()
        self._close_warning()

    # --- drafts ---------------------------------------------------------------------

    def collect_drafts(self) -> dict[str, DraftIn]:
        drafts: dict[str, DraftIn] = {}
        for screen in self.screen_stack:
            for node in [screen, *screen.query("*")]:
                if isinstance(node, SupportsDrafts):
                    key = node.draft_key()
                    draft = node.current_draft()
                    if key and draft is not None:
                        drafts[key] = draft
        return drafts

    async def save_own_drafts(self) -> int:
        """Forms with drafts of their own (SavesOwnDraft) save them; what fails is still
        unsaved, so `collect_drafts` picks it up for /me/drafts."""
        from sampro_tui.api import ApiError, ServerUnreachable

        saved = 0
        for screen in self.screen_stack:
            for node in [screen, *screen.query("*")]:
                if isinstance(node, SavesOwnDraft):
                    with contextlib.suppress(ApiError, ServerUnreachable):
                        saved += await node.save_own_draft()
        return saved

    async def save_drafts(self, drafts: dict[str, DraftIn]) -> bool:
        """PUT each draft; what fails stays pending for after the next login."""
        from sampro_tui.api import ApiError, ServerUnreachable

        all_saved = True
        for key, draft in drafts.items():
            try:
                await self.api.save_draft(key, draft)
                self.pending_drafts.pop(key, None)
            except (ApiError, ServerUnreachable):
                self.pending_drafts[key] = draft
                all_saved = False
        return all_saved

    # --- session start and end --------------------------------------------------------

    def account_key(self, username: str) -> str:
        return TokenStore.account(self.config.server_url, username)

    def known_code_lifetime(self) -> float | None:
        """How long a one-time code lives, from the code screen's challenge (None: unknown)."""
        for screen in reversed(self.screen_stack):
            expires = getattr(getattr(screen, "challenge", None), "expires_at", None)
            started = getattr(screen, "started", None)
            if isinstance(expires, datetime) and isinstance(started, datetime):
                try:
                    seconds = (expires - started).total_seconds()
                except TypeError:  # one of them without a time zone
                    continue
                if 0 < seconds <= 86400:  # a skewed clock says nothing useful
                    return seconds
        return self.code_lifetime

    async def session_started(self, info: SessionInfo) -> None:
        """Called by the code screen after a successful verify."""
        self.code_lifetime = self.known_code_lifetime()
        self.user = info.user
        self._ending = False
        self.timer.start(info, skew=self.api.clock_skew)
        self._update_display()
        self.clear_notifications()  # the demo's code notice, login messages
        self.config.last_username = info.user.username
        self._save(last_username=info.user.username)
        self.store_token(info.user.username, info.token)
        if info.must_change_password:
            await self.show_root(screen_class("password")(forced=True))
        else:
            await self.show_root(screen_class("plans")())
        if self.pending_drafts and await self.save_drafts(dict(self.pending_drafts)):
            self.notify(t("session.drafts_saved"))
        if not info.must_change_password:
            self.tell_of_drafts()

    @work(exclusive=True, group="drafts-notice", exit_on_error=False)
    async def tell_of_drafts(self) -> None:
        """Once after login: the drafts kept in /me/drafts, and where they belong."""
        from sampro_tui.api import ApiError, ServerUnreachable
        from sampro_tui.draft_notice import drafts_notice

        try:
            drafts = await self.api.drafts()
            if not drafts:
                return
            # The owners' names, from the plan list (which is not logged as a read).
            page = await self.api.list_plans(include_closed=True, page_size=1000)
        except (ApiError, ServerUnreachable):
            return  # a notice, not a failure: the forms still offer their drafts back
        owners = {p.id: f"{p.owner_first_name} {p.owner_last_name}" for p in page.items}
        self.notify(drafts_notice(drafts, owners), timeout=15)

    @work(group="keyring", exit_on_error=False)
    async def store_token(self, username: str, token: str) -> None:
        if not self.persist:
            return
        await self.tokens.save(self.account_key(username), token)
        if self.tokens.take_notice():
            self.notify(t("session.memory_only"), severity="warning", timeout=8)

    @work(group="keyring", exit_on_error=False)
    async def try_resume(self) -> None:
        """Pick up a session that is still alive (e.g. after a dropped SSH connection)."""
        from sampro_tui.api import ApiError, ServerUnreachable

        username = self.config.last_username
        token = await self.tokens.load(self.account_key(username))
        if self.tokens.take_notice():
            self.notify(t("session.memory_only"), severity="warning", timeout=8)
        if not token or self.user is not None:
            return
        self.api.token = token
        try:
            status = await self.api.session()
        except ServerUnreachable as error:
            # The session may well be alive: keep the token for the next start.
            self.api.token = None
            from sampro_tui.errors import describe

            self.notify(
                t("login.resume_unreachable", reason=describe(error)),
                severity="warning",
                timeout=10,
            )
            return
        except ApiError as error:
            self.api.token = None
            if error.status == 401:  # the session is over: the token is worth nothing
                await self.tokens.delete(self.account_key(username))
            return
        if self.user is not None:
            return  # logged in by hand meanwhile
        if status.must_change_password:
            self.timer.stop()
            return
        self.user = status.user
        self.timer.sync(status)
        self.timer.refreshed()
        self._update_display()
        await self.show_root(screen_class("plans")())
        self.notify(t("login.resumed"))

    # --- screens with ids, pushed again while the last one is still being taken down -------

    def _leaving_twin(self, screen: object) -> Screen[Any] | None:
        """A screen with `screen`'s id that has left the stack but not yet the DOM.

        Popping a screen removes it (and all its widgets) over the next frames. Keys that
        arrive in one burst, as over a slow SSH link (Escape, then Enter on the same plan),
        can push its successor before that is done, and two screens with one id are
        refused by Textual (DuplicateIds, the app ends)."""
        if not isinstance(screen, Screen) or screen.id is None:
            return None
        for node in self._nodes:
            if node.id == screen.id and node is not screen and isinstance(node, Screen):
                return node
        return None

    def _once_free(self, screen: object, show: Callable[[], Awaitable[Any]]) -> Any:
        """`show()` at once, or, while `screen` has a leaving twin, once the twin is gone."""
        twin = self._leaving_twin(screen)
        if twin is None:
            return show()

        async def when_gone() -> None:
            while twin.is_attached:
                await asyncio.sleep(0.005)
            await show()

        return AwaitComplete(when_gone())

    def push_screen(
        self,
        screen: Any,
        callback: Any = None,
        wait_for_dismiss: bool = False,
        *,
        mode: str | None = None,
    ) -> Any:
        if wait_for_dismiss:
            return super().push_screen(screen, callback, wait_for_dismiss=True, mode=mode)
        return self._once_free(
            screen, lambda: super(SamproApp, self).push_screen(screen, callback, mode=mode)
        )

    def switch_screen(self, screen: Any) -> AwaitComplete:
        done: AwaitComplete = self._once_free(
            screen, lambda: super(SamproApp, self).switch_screen(screen)
        )
        return done

    async def show_root(self, screen: Screen[Any]) -> None:
        """Make `screen` the only screen above the (empty) default one."""
        self.warning_screen = None
        while len(self.screen_stack) > 2:
            await self.pop_screen()
        if len(self.screen_stack) == 2:
            await self.switch_screen(screen)
        else:
            await self.push_screen(screen)

    async def end_session(self, message_key: str, *, call_logout: bool) -> None:
        """Back to the login screen, the token forgotten everywhere it was kept."""
        from sampro_tui.api import ApiError, ServerUnreachable

        self._ending = True
        self.timer.stop()
        username = self.user.username if self.user else self.config.last_username
        if call_logout:
            with contextlib.suppress(ApiError, ServerUnreachable):
                await self.api.logout()
        self.api.token = None
        self.user = None
        self.plan_index = []
        self.plan_index_partial = False
        self.session_text = ""
        await self.show_root(screen_class("login")(message=t(message_key)))
        self._ending = False
        if self.persist and username:
            await self.tokens.delete(self.account_key(username))

    @work(exclusive=True, group="session-end", exit_on_error=False)
    async def expire_session(self) -> None:
        """The idle time is up: save open forms as drafts, then log out."""
        if self._ending:
            return
        self._ending = True
        own = await self.save_own_drafts()
        drafts = self.collect_drafts()
        saved = await self.save_drafts(drafts) if drafts else True
        await self.end_session("login.expired", call_logout=True)
        if drafts or own:
            self.notify(t("session.drafts_saved" if saved else "session.drafts_kept"))

    async def session_lost(self, code: str) -> None:
        """The server says the session is gone; keep what was typed for after login."""
        if self._ending or not self.timer.active:
            return
        self.pending_drafts.update(self.collect_drafts())
        key = "login.expired" if code == "session_expired" else "login.session_lost"
        await self.end_session(key, call_logout=False)

    # --- errors -----------------------------------------------------------------------

    def report_error(self, error: BaseException) -> None:
        """A failed worker: a message a person can act on, or back to login."""
        from sampro_tui.api import ApiError
        from sampro_tui.errors import describe

        if isinstance(error, ApiError) and error.session_lost:
            self.run_worker(self.session_lost(error.code), exit_on_error=False)
            return
        self.notify(describe(error), severity="error", timeout=8)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.report_error(event.worker.error)

    # --- actions ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "logout":
            return self.timer.active
        return True

    def action_help(self) -> None:
        if type(self.screen).__name__ == "HelpScreen":
            return
        bindings = [
            (b.key_display or self.get_key_display(b), t(b.description), b.id or "")
            for _, b, enabled, _ in self.screen.active_bindings.values()
            if enabled and b.description and b.show
        ]
        self.push_screen(screen_class("help")(bindings=bindings, screen_name=self.screen.id))

    async def action_logout(self) -> None:
        if self.timer.active:
            self.run_worker(
                self.end_session("login.logged_out", call_logout=True),
                group="session-end",
                exit_on_error=False,
            )

    def run_in_app(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` in a worker of the app, so it outlives the screen that started it."""
        self.run_worker(work, group="navigate", exit_on_error=False)

    @property
    def must_change_password(self) -> bool:
        """A temporary password: until it is changed, the server refuses everything but the
        password, session and logout routes, and the client goes nowhere else either."""
        return self.user is not None and self.user.must_change_password

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
            self.run_in_app(self.show_root(screen_class("plans")()))

    def open_plan(self, plan_id: int) -> None:
        if not self.may_navigate():
            return
        if type(self.screen).__name__ == "PlanScreen":
            self.switch_screen(screen_class("plan")(plan_id=plan_id))
        else:
            self.push_screen(screen_class("plan")(plan_id=plan_id))

    def change_password(self) -> None:
        if not self.timer.active:
            return
        if self.must_change_password:
            # The forced change is the screen in front already; bring the focus to it.
            if self.screen.id != "password":
                self.run_in_app(self.show_root(screen_class("password")(forced=True)))
            return
        self.push_screen(screen_class("password")(forced=False))

    def action_switch_language(self) -> None:
        """The palette's language switch: in a worker, so a slow server never freezes keys."""
        self.run_worker(
            self.switch_language(), group="language", exclusive=True, exit_on_error=False
        )

    async def switch_language(self) -> None:
        from sampro_tui.api import ApiError, ServerUnreachable

        language = "en" if i18n.language() == "nb" else "nb"
        i18n.set_language(language)
        self.config.language = language
        self._save(language=language)
        translate_bindings(self)
        for screen in list(self.screen_stack):
            if isinstance(screen, SamproScreenMixin):
                # A screen that reloads from the server may fail; the others still switch.
                try:
                    await screen.retranslate()
                except (ApiError, ServerUnreachable) as error:
                    self.report_error(error)
        self._update_display()

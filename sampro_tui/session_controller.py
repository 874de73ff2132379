"""The session as the client keeps it: its clock, resume from the keyring, drafts before expiry.

No Textual here: the App is the controller's `SessionView` (screens, notices, background
work), so the rules (when to warn, when to end, what to save first) are read in one place
and never wait on a widget. The API client is built on first use, so that start-up does
not import httpx.
"""

from __future__ import annotations

import contextlib
from collections.abc import Coroutine, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from sampro_tui.credentials import TokenStore
from sampro_tui.drafts import SavesOwnDraft, SupportsDrafts
from sampro_tui.formatting import fmt_countdown
from sampro_tui.i18n import t
from sampro_tui.session import SessionTimer

if TYPE_CHECKING:
    import httpx

    from sampro_contract import DraftIn, SessionInfo, SessionStatus, UserInfo
    from sampro_tui.api import ApiClient, ApiError
    from sampro_tui.config import Config

Severity = Literal["information", "warning", "error"]
Work = Coroutine[Any, Any, None]


class SessionView(Protocol):
    """What the controller asks of the user interface (the App is one)."""

    @property
    def config(self) -> Config: ...

    def save_settings(self, **changes: object) -> None:
        """Remember settings in the config file (when this app may write one)."""

    def notify(
        self, message: str, *, severity: Severity = "information", timeout: float | None = None
    ) -> None: ...

    def clear_notifications(self) -> None: ...

    def run_session_work(self, work: Work, group: str, *, exclusive: bool) -> None:
        """Run `work` in the background; `exclusive` cancels the group's earlier work."""

    def show_session(self, text: str, seconds_left: float | None) -> None:
        """The status line's "user, time left" ("" when logged out; None keeps the count)."""

    async def show_login(self, message: str) -> None: ...

    async def show_plans(self) -> None: ...

    async def show_password_change(self) -> None:
        """The forced change of a temporary password, as the only screen."""

    def warning_shown(self) -> bool: ...

    async def show_warning(self) -> None: ...

    def close_warning(self) -> None: ...

    def open_screens(self) -> Sequence[object]:
        """The screen stack, bottom first."""

    def open_forms(self) -> Iterable[object]:
        """Every screen and widget shown or stacked (where unsaved text may be)."""

    def session_ended(self) -> None:
        """Forget what was fetched for the session that ended (the palette's plan index)."""


class SessionController:
    """One person's session: started by a login or a resume, ended by logout or expiry."""

    def __init__(
        self,
        view: SessionView,
        *,
        persist: bool,
        transport: httpx.AsyncBaseTransport | None,
        timer: SessionTimer | None,
        token_store: TokenStore,
    ) -> None:
        self.view = view
        self.persist = persist  # False: nothing goes to the keyring (tests, the demo)
        self.transport = transport
        self.timer = timer or SessionTimer()
        self.tokens = token_store
        self.user: UserInfo | None = None
        self.pending_drafts: dict[str, DraftIn] = {}  # not yet saved: after the next login
        self.code_lifetime: float | None = None  # seconds, as the last login showed it
        self.ending = False
        self._warn_check = False
        self._api: ApiClient | None = None

    @property
    def api(self) -> ApiClient:
        if self._api is None:
            from sampro_tui.api import ApiClient

            self._api = ApiClient(
                self.view.config.server_url,
                transport=self.transport,
                on_session_status=self._on_session_status,
                wall=self.timer.wall,
            )
        return self._api

    async def close(self) -> None:
        if self._api is not None:
            await self._api.aclose()

    def account_key(self, username: str) -> str:
        return TokenStore.account(self.view.config.server_url, username)

    # --- the clock --------------------------------------------------------------------

    def _on_session_status(self, status: SessionStatus) -> None:
        self.timer.sync(status)
        self.update_display()  # decisions (warn, expire) are the next tick's

    def update_display(self) -> None:
        timer = self.timer
        if not timer.active or self.ending:
            self.view.show_session("", None)
            return
        name = self.user.username if self.user else ""
        text = t("session.left", user=name, left=fmt_countdown(timer.seconds_left))
        self.view.show_session(text, timer.seconds_left)

    def tick(self) -> None:
        """Called every second: status line, warning, expiry, and a quiet poll."""
        timer = self.timer
        self.update_display()
        if not timer.active or self.ending:
            return
        if timer.due_for_expiry:
            self.view.run_session_work(self.expire(), "session-end", exclusive=True)
        elif timer.in_warning:
            if not self.view.warning_shown() and not self._warn_check:
                self._warn_check = True
                self.view.run_session_work(self.check_then_warn(), "session-poll", exclusive=True)
        elif self.view.warning_shown():
            self.view.close_warning()
        elif timer.poll_due():
            self.view.run_session_work(self.poll(), "session-poll", exclusive=True)

    def user_activity(self) -> None:
        """A key or a click: keep the session alive (a refresh at most once a minute)."""
        if self.timer.activity_refresh_due() and not self.ending:
            self.timer.refreshed()  # counted now, even if the call is slow
            self.view.run_session_work(self.refresh(), "session-refresh", exclusive=True)

    async def refresh(self) -> None:
        from sampro_tui.api import ApiError

        try:
            await self.api.refresh_session()
        except ApiError as error:
            await self._lost_on(error)
            return
        self.timer.refreshed()

    async def poll(self) -> None:
        from sampro_tui.api import ApiError, ServerUnreachable

        self.timer.last_poll = self.timer.clock()
        try:
            await self.api.session()  # no activity: only reads the server's count
        except ApiError as error:
            await self._lost_on(error)
        except ServerUnreachable:
            pass  # the local count goes on; the next poll tries again

    async def check_then_warn(self) -> None:
        """Before warning, ask the server: another call may have kept the session alive."""
        from sampro_tui.api import ApiError, ServerUnreachable

        try:
            await self.api.session()
        except ApiError as error:
            if await self._lost_on(error):
                return
        except ServerUnreachable:
            pass
        finally:
            self._warn_check = False
        timer = self.timer
        warn = timer.in_warning and not timer.due_for_expiry and not self.ending
        if warn and not self.view.warning_shown():
            await self.view.show_warning()

    async def stay_logged_in(self) -> None:
        """The warning's "stay logged in": an explicit refresh."""
        from sampro_tui.api import ApiError

        try:
            await self.api.refresh_session()
        except ApiError as error:
            if await self._lost_on(error):
                return
            raise
        self.timer.refreshed()
        self.view.close_warning()

    # --- drafts -----------------------------------------------------------------------

    def collect_drafts(self) -> dict[str, DraftIn]:
        drafts: dict[str, DraftIn] = {}
        for node in self.view.open_forms():
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
        for node in list(self.view.open_forms()):
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
        self.view.notify(drafts_notice(drafts, owners), timeout=15)

    # --- start: a login or a resume ----------------------------------------------------

    def known_code_lifetime(self) -> float | None:
        """How long a one-time code lives, from the code screen's challenge (None: unknown)."""
        for screen in reversed(self.view.open_screens()):
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

    async def started(self, info: SessionInfo) -> None:
        """A successful verify: the session's clock runs, the token is kept, drafts go up."""
        self.code_lifetime = self.known_code_lifetime()
        self.user = info.user
        self.ending = False
        self.timer.start(info, skew=self.api.clock_skew)
        self.update_display()
        self.view.clear_notifications()  # the demo's code notice, login messages
        self.view.config.last_username = info.user.username
        self.view.save_settings(last_username=info.user.username)
        self.view.run_session_work(
            self.store_token(info.user.username, info.token), "keyring", exclusive=False
        )
        if info.must_change_password:
            await self.view.show_password_change()
        else:
            await self.view.show_plans()
        if self.pending_drafts and await self.save_drafts(dict(self.pending_drafts)):
            self.view.notify(t("session.drafts_saved"))
        if not info.must_change_password:
            self.view.run_session_work(self.tell_of_drafts(), "drafts-notice", exclusive=True)

    def _tell_if_memory_only(self) -> None:
        if self.tokens.take_notice():
            self.view.notify(t("session.memory_only"), severity="warning", timeout=8)

    async def store_token(self, username: str, token: str) -> None:
        if not self.persist:
            return
        await self.tokens.save(self.account_key(username), token)
        self._tell_if_memory_only()

    async def resume(self) -> None:
        """Pick up a session that is still alive (e.g. after a dropped SSH connection)."""
        from sampro_tui.api import ApiError, ServerUnreachable

        username = self.view.config.last_username
        token = await self.tokens.load(self.account_key(username))
        self._tell_if_memory_only()
        if not token or self.user is not None:
            return
        self.api.token = token
        try:
            status = await self.api.session()
        except ServerUnreachable as error:
            # The session may well be alive: keep the token for the next start.
            self.api.token = None
            from sampro_tui.errors import describe

            self.view.notify(
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
        self.update_display()
        await self.view.show_plans()
        self.view.notify(t("login.resumed"))

    # --- end: logout, expiry, or the server saying the session is gone ---------------------

    async def end(self, message_key: str, *, call_logout: bool) -> None:
        """Back to the login screen, the token forgotten everywhere it was kept."""
        from sampro_tui.api import ApiError, ServerUnreachable

        self.ending = True
        self.timer.stop()
        username = self.user.username if self.user else self.view.config.last_username
        if call_logout:
            with contextlib.suppress(ApiError, ServerUnreachable):
                await self.api.logout()
        self.api.token = None
        self.user = None
        self.view.session_ended()
        await self.view.show_login(t(message_key))
        self.ending = False
        if self.persist and username:
            await self.tokens.delete(self.account_key(username))

    async def expire(self) -> None:
        """The idle time is up: save open forms as drafts, then log out."""
        if self.ending:
            return
        self.ending = True
        own = await self.save_own_drafts()
        drafts = self.collect_drafts()
        saved = await self.save_drafts(drafts) if drafts else True
        await self.end("login.expired", call_logout=True)
        if drafts or own:
            self.view.notify(t("session.drafts_saved" if saved else "session.drafts_kept"))

    async def _lost_on(self, error: ApiError) -> bool:
        """Whether `error` says the session is gone; if so, it ends as `lost`."""
        if error.session_lost:
            await self.lost(error.code)
        return error.session_lost

    async def lost(self, code: str) -> None:
        """The server says the session is gone; keep what was typed for after login."""
        if self.ending or not self.timer.active:
            return
        self.pending_drafts.update(self.collect_drafts())
        key = "login.expired" if code == "session_expired" else "login.session_lost"
        await self.end(key, call_logout=False)

    def failed(self, error: BaseException) -> None:
        """Work that failed: a message a person can act on, or back to login."""
        from sampro_tui.api import ApiError
        from sampro_tui.errors import describe

        if isinstance(error, ApiError) and error.session_lost:
            self.view.run_session_work(self.lost(error.code), "session-end", exclusive=False)
            return
        self.view.notify(describe(error), severity="error", timeout=8)

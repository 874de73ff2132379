"""The one-time code (engangskode): where it went, how long it lasts, a new one."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Input, Label, Static

from sampro_contract import Channel, LoginChallenge
from sampro_tui.base import SamproScreen
from sampro_tui.formatting import fmt_countdown
from sampro_tui.i18n import t

_SENT = {
    Channel.SMS: "code.sent_sms",
    Channel.EMAIL: "code.sent_email",
    Channel.TOTP: "code.sent_totp",
}


class CodeScreen(SamproScreen):
    CSS_PATH = "code.tcss"
    AUTO_FOCUS = "#code"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "new_code", "key.new_code", id="code.new"),
        Binding("escape", "back", "key.back", id="code.back"),
    ]

    def __init__(self, challenge: LoginChallenge, username: str, started: datetime) -> None:
        super().__init__(id="code")
        self.challenge = challenge
        self.username = username
        self.started = started
        self.busy = False
        self.attempts_left: int | None = None  # from the last wrong code, if any

    def compose(self) -> ComposeResult:
        with Vertical(id="code-box"):
            yield Static(f"SamPro · {t('code.title')}", classes="title")
            yield Static(self._sent_text(), id="sent")
            yield Label(t("code.label"))
            yield Input(id="code", restrict=r"[0-9 ]*", max_length=10)
            # Composed with its text, so the lifetime shows from the first paint.
            yield Static(self._countdown_text(), id="countdown")
            yield Static("", id="message", classes="error")
            with Horizontal(id="buttons"):
                yield Button(t("code.button"), variant="primary", id="submit")
                if self.challenge.channel is not Channel.TOTP:
                    yield Button(t("code.new"), id="new")
        yield Footer()

    def _sent_text(self) -> str:
        return t(_SENT[self.challenge.channel], hint=self.challenge.destination_hint)

    def on_mount(self) -> None:
        self.update_countdown()
        self.set_interval(1.0, self.update_countdown, name="code-countdown")
        if self.sampro.demo is not None:
            self.show_demo_code()

    @property
    def seconds_left(self) -> float:
        """Until the code expires, by the server's clock: `expires_at` is the server's
        time, so the local clock is corrected by the skew the API client measured from
        the server's Date header (a few seconds off would otherwise show a code as alive
        that the server has already refused, or the other way round)."""
        now = self.sampro.timer.wall() + timedelta(seconds=self.sampro.api.clock_skew)
        return (self.challenge.expires_at - now).total_seconds()

    def _countdown_text(self) -> str:
        left = self.seconds_left
        return t("code.expired") if left <= 0 else t("code.expires", left=fmt_countdown(left))

    def update_countdown(self) -> None:
        countdown = self.query_one("#countdown", Static)
        countdown.set_class(self.seconds_left <= 0, "-expired")
        countdown.update(self._countdown_text())

    def show_message(self, text: str) -> None:
        self.query_one("#message", Static).update(text)

    @on(Input.Submitted, "#code")
    @on(Button.Pressed, "#submit")
    def _submit(self) -> None:
        code = self.query_one("#code", Input).value.replace(" ", "")
        if not code:
            self.show_message(t("code.missing"))
        elif not self.busy:
            self.verify(code)

    @work(exclusive=True, group="code", exit_on_error=False)
    async def verify(self, code: str) -> None:
        from sampro_tui.api import ApiError, ServerUnreachable
        from sampro_tui.errors import describe

        self.busy = True
        try:
            info = await self.sampro.api.verify(self.challenge.challenge_id, code)
        except ApiError as error:
            self.query_one("#code", Input).value = ""
            if error.code == "code_expired":
                self.challenge_over()
                return
            if error.code == "invalid_code" and isinstance(error.details, dict):
                left = error.details.get("attempts_left")
                self.attempts_left = left if isinstance(left, int) else None
            self.show_message(describe(error))
            return
        except ServerUnreachable as error:
            self.show_message(describe(error))
            return
        finally:
            self.busy = False
        # On the app, not this screen: the screen goes away while the plan list opens.
        self.sampro.run_in_app(self.sampro.session_started(info))

    @on(Button.Pressed, "#new")
    def action_new_code(self) -> None:
        if self.challenge.channel is not Channel.TOTP:
            self.new_code()

    @work(exclusive=True, group="code", exit_on_error=False)
    async def new_code(self) -> None:
        from sampro_tui.api import ApiError, ServerUnreachable
        from sampro_tui.errors import describe

        self.started = datetime.now().astimezone()
        try:
            self.challenge = await self.sampro.api.resend_code(self.challenge.challenge_id)
        except ApiError as error:
            if error.code == "code_expired":
                self.challenge_over()
            elif error.code == "too_many_codes":
                self.back_to_login(describe(error))
            else:
                self.show_message(describe(error))
            return
        except ServerUnreachable as error:
            self.show_message(describe(error))
            return
        self.query_one("#sent", Static).update(self._sent_text())
        self.show_message("")
        self.update_countdown()
        self.notify(t("code.new_sent"))
        if self.sampro.demo is not None:
            self.show_demo_code()

    def action_back(self) -> None:
        self.dismiss()

    def challenge_over(self) -> None:
        """The server ended the challenge (code_expired): the code ran out, or wrong codes
        used up the tries. Neither can be helped with a new code (the server's resend
        refuses an ended challenge), so back to the password, saying why."""
        if self.attempts_left is not None and self.attempts_left <= 1:
            self.back_to_login(t("code.too_many"))
        else:
            self.back_to_login(t("code.expired_login"))

    def back_to_login(self, message: str = "") -> None:
        """The challenge is over: start again from the password."""
        from screens.login.screen import LoginScreen

        login = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else None
        self.dismiss()
        if isinstance(login, LoginScreen):
            login.start_again(message or t("code.log_in_again"), self.username)

    @work(exclusive=True, group="demo-code", exit_on_error=False)
    async def show_demo_code(self) -> None:
        """Demo mode only: read the code from the server's file sink and show it."""
        demo = self.sampro.demo
        if demo is None:
            return
        for _ in range(150):  # up to 30 s: the server may send after it answered
            code = await asyncio.to_thread(
                demo.code_for,
                channel=self.challenge.channel.value,
                hint=self.challenge.destination_hint,
                username=self.username,
                since=self.started,
            )
            if code:
                self.notify(t("code.demo", code=code), timeout=60)
                return
            await asyncio.sleep(0.2)

"""Login (pålogging): username and password, the first of the two steps."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Button, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from sampro_tui.base import SamproScreen
from sampro_tui.i18n import t


def lockout_rule(threshold: int = 3, seconds: int = 600) -> str:
    """The seeds' sentence about lockout, with the server's numbers (DESIGN's defaults
    until the server has said)."""
    minutes = max(1, round(seconds / 60))
    duration = t("login.minute") if minutes == 1 else t("login.minutes", m=minutes)
    return t("login.lockout_rule", n=threshold, duration=duration)


def looks_like_caps_lock(password: str) -> bool:
    """Letters typed, all of them capitals: the usual sign of Caps Lock."""
    letters = [c for c in password if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


class LoginScreen(SamproScreen):
    CSS_PATH = "login.tcss"
    AUTO_FOCUS = "#username"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+g", "forgot", "key.forgot", id="login.forgot"),
    ]

    def __init__(self, message: str = "") -> None:
        super().__init__(id="login")
        self.message = message
        self.busy = False

    def compose(self) -> ComposeResult:
        app = self.sampro
        with VerticalScroll(id="login-box"):
            yield Static(f"SamPro · {t('login.title')}", classes="title", markup=False)
            if self.message:
                yield Static(self.message, id="notice", markup=False)
            yield Static(t("login.intro"), classes="hint", markup=False)
            yield Label(t("login.username"))
            yield Input(
                value=app.config.last_username, id="username", max_length=200, select_on_focus=False
            )
            yield Label(t("login.password"))
            yield Input(password=True, id="password", max_length=1000)
            yield Static(t("login.capslock"), classes="hint", id="capslock", markup=False)
            yield Static("", id="capslock-warning", markup=False)
            yield Static("", id="message", classes="error", markup=False)
            # "Glemt passord" is the footer's Ctrl+G (clickable too): one widget fewer here.
            yield Button(t("login.button"), variant="primary", id="submit")
            yield Static(lockout_rule(), id="lockout-rule", classes="hint", markup=False)
            yield Static(
                t("login.server", url=app.config.server_url),
                classes="hint",
                markup=False,  # a URL's "host:port" must not be read as markup or emoji
            )
            if app.demo is not None and app.demo.accounts:
                yield Label(t("login.demo_title"))
                yield OptionList(
                    *[
                        Option(f"{a.username:<16} {a.description or a.role}", id=a.username)
                        for a in app.demo.accounts
                    ],
                    id="demo-accounts",
                )
        yield Footer()

    def on_mount(self) -> None:
        if self.sampro.config.last_username:
            self.query_one("#password", Input).focus()
        # Not at once: the API client (httpx, pydantic, the contract) is the heaviest import
        # of the client, and start-up should pay only for this screen. A moment later it
        # is imported off the event loop, which also readies it for the login itself.
        self.set_timer(1.0, self.prepare_api)

    @work(thread=True, exclusive=True, group="login-warm", exit_on_error=False)
    def prepare_api(self) -> None:
        import sampro_tui.api  # noqa: F401 - imported here so the UI thread need not

        self.app.call_from_thread(self.load_lockout_rule)

    @work(exclusive=True, group="login-policy", exit_on_error=False)
    async def load_lockout_rule(self) -> None:
        """The server's own numbers for the lockout rule (the defaults are shown first)."""
        from sampro_tui.api import ApiError, ServerUnreachable

        try:
            policy = await self.sampro.api.password_policy()
        except (ApiError, ServerUnreachable):
            return  # a login attempt will say what is wrong
        if policy.lockout_threshold and policy.lockout_seconds:
            self.sampro.lockout_policy = (policy.lockout_threshold, policy.lockout_seconds)
            rule = lockout_rule(policy.lockout_threshold, policy.lockout_seconds)
            self.query_one("#lockout-rule", Static).update(rule)

    def show_message(self, text: str) -> None:
        self.query_one("#message", Static).update(text)

    def start_again(self, message: str, username: str = "") -> None:
        """Back from the code screen whose challenge ended: the username is kept, the
        message says why, and the password is asked for again."""
        if username:
            self.query_one("#username", Input).value = username
        self.show_message(message)
        self.query_one("#password", Input).value = ""
        self.query_one("#password", Input).focus()

    @on(Input.Changed, "#password")
    def _caps(self, event: Input.Changed) -> None:
        warn = looks_like_caps_lock(event.value)
        self.query_one("#capslock-warning", Static).update(t("login.capslock_on") if warn else "")

    @on(Input.Submitted, "#username")
    def _next(self) -> None:
        self.query_one("#password", Input).focus()

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#submit")
    def _submit(self) -> None:
        username = self.query_one("#username", Input).value.strip()
        password = self.query_one("#password", Input).value
        if not username or not password:
            self.show_message(t("login.missing"))
            return
        if not self.busy:
            self.login(username, password)

    @on(OptionList.OptionSelected, "#demo-accounts")
    def _demo_account(self, event: OptionList.OptionSelected) -> None:
        demo = self.sampro.demo
        account = (
            next((a for a in demo.accounts if a.username == event.option.id), None)
            if demo
            else None
        )
        if account is not None:
            self.query_one("#username", Input).value = account.username
            self.query_one("#password", Input).value = account.password
            self._submit()

    @work(exclusive=True, group="login", exit_on_error=False)
    async def login(self, username: str, password: str) -> None:
        from sampro_tui.api import ApiError, ServerUnreachable
        from sampro_tui.errors import describe

        self.busy = True
        self.show_message(t("login.working"))
        started = datetime.now().astimezone()
        try:
            challenge = await self.sampro.api.login(username, password)
        except (ApiError, ServerUnreachable) as error:
            self.show_message(describe(error))
            password_input = self.query_one("#password", Input)
            password_input.value = ""
            password_input.focus()
            return
        finally:
            self.busy = False
        self.show_message("")
        self.query_one("#password", Input).value = ""
        from sampro_tui.app import screen_class

        self.sampro.show_screen(
            screen_class("code")(challenge=challenge, username=username, started=started)
        )

    def action_forgot(self) -> None:
        username = self.query_one("#username", Input).value.strip()
        if not username:
            self.show_message(t("forgot.need_username"))
            self.query_one("#username", Input).focus()
            return
        self.forgot(username)

    @work(exclusive=True, group="login", exit_on_error=False)
    async def forgot(self, username: str) -> None:
        await self.sampro.api.forgot_password(username)
        self.show_message("")
        self.notify(t("forgot.sent"), timeout=10)

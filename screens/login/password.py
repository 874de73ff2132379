"""Change password (bytt passord): forced after a temporary password, or on request."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Button, Footer, Input, Label, Static

from sampro_contract import PasswordPolicy
from sampro_tui.base import SamproScreen
from sampro_tui.i18n import has_text, t
from widgets.session_bar import SessionBar


def check_rules(
    password: str, repeat: str, policy: PasswordPolicy, username: str
) -> list[tuple[str, bool | None]]:
    """Each rule's text and whether it holds (None: only the server can tell)."""
    rules: list[tuple[str, bool | None]] = [
        (t("password.rule.length", n=policy.min_length), len(password) >= policy.min_length)
    ]
    if policy.requires_lower:
        rules.append((t("password.rule.lower"), any(c.islower() for c in password)))
    if policy.requires_upper:
        rules.append((t("password.rule.upper"), any(c.isupper() for c in password)))
    if policy.requires_digit:
        rules.append((t("password.rule.digit"), any(c.isdigit() for c in password)))
    if username:
        rules.append(
            (
                t("password.rule.username"),
                bool(password) and username.lower() not in password.lower(),
            )
        )
    if policy.rejects_common:
        rules.append((t("password.rule.common"), None))
    rules.append((t("password.rule.match"), bool(password) and password == repeat))
    return rules


def problem_lines(problems: list[str], server_message: str) -> list[str]:
    """One line per problem the server named; a problem this client has no text for
    shows the server's own message (once), never a raw key."""
    lines: list[str] = []
    for problem in problems:
        key = f"password.problem.{problem}"
        line = t(key) if has_text(key) else server_message
        if line and line not in lines:
            lines.append(line)
    return lines or [t("password.weak")]


class PasswordScreen(SamproScreen):
    CSS_PATH = "password.tcss"
    AUTO_FOCUS = "#current"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back", id="password.back"),
    ]

    def __init__(self, forced: bool = False) -> None:
        super().__init__(id="password")
        self.forced = forced
        self.policy = PasswordPolicy(min_length=8)
        self.busy = False

    def compose(self) -> ComposeResult:
        yield SessionBar()
        with VerticalScroll(id="password-box"):
            yield Static(t("password.title"), classes="title")
            if self.forced:
                yield Static(t("password.forced"), id="forced")
            yield Label(t("password.current"))
            yield Input(password=True, id="current", max_length=1000)
            yield Label(t("password.new"))
            yield Input(password=True, id="new", max_length=1000)
            yield Label(t("password.repeat"))
            yield Input(password=True, id="repeat", max_length=1000)
            yield Label(t("password.rules"))
            yield Static("", id="rules")
            yield Static("", id="message", classes="error")
            yield Button(t("password.button"), variant="primary", id="submit")
        yield Footer()

    def on_mount(self) -> None:
        self.update_rules()
        self.load_policy()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return not self.forced
        return True

    @work(exclusive=True, group="policy", exit_on_error=False)
    async def load_policy(self) -> None:
        self.policy = await self.sampro.api.password_policy()
        self.update_rules()

    @property
    def _username(self) -> str:
        user = self.sampro.user
        return user.username if user else ""

    @on(Input.Changed)
    def update_rules(self) -> None:
        new = self.query_one("#new", Input).value
        repeat = self.query_one("#repeat", Input).value
        text = Text()
        for label, ok in check_rules(new, repeat, self.policy, self._username):
            mark, style = ("✓", "green") if ok else ("•", "dim") if ok is None else ("✗", "red")
            text.append(f" {mark} ", style=f"bold {style}")
            text.append(label + "\n")
        self.query_one("#rules", Static).update(text)

    @on(Input.Submitted, "#current")
    def _to_new(self) -> None:
        self.query_one("#new", Input).focus()

    @on(Input.Submitted, "#new")
    def _to_repeat(self) -> None:
        self.query_one("#repeat", Input).focus()

    @on(Input.Submitted, "#repeat")
    @on(Button.Pressed, "#submit")
    def _submit(self) -> None:
        current = self.query_one("#current", Input).value
        new = self.query_one("#new", Input).value
        repeat = self.query_one("#repeat", Input).value
        if not current:
            self.query_one("#message", Static).update(t("password.wrong_current"))
            return
        if any(ok is False for _, ok in check_rules(new, repeat, self.policy, self._username)):
            self.query_one("#message", Static).update(t("password.not_ready"))
            return
        if not self.busy:
            self.change(current, new)

    @work(exclusive=True, group="password", exit_on_error=False)
    async def change(self, current: str, new: str) -> None:
        from sampro_tui.api import ApiError

        message = self.query_one("#message", Static)
        self.busy = True
        try:
            await self.sampro.api.change_password(current, new)
        except ApiError as error:
            if error.code == "weak_password":
                problems = []
                if isinstance(error.details, dict):
                    problems = [str(p) for p in error.details.get("problems", [])]
                message.update("\n".join(problem_lines(problems, error.message)))
                return
            if error.code == "invalid_credentials":
                message.update(t("password.wrong_current"))
                self.query_one("#current", Input).focus()
                return
            raise
        finally:
            self.busy = False
        self.notify(t("password.changed"))
        user = self.sampro.user
        if user is not None:
            self.sampro.user = user.model_copy(update={"must_change_password": False})
        if self.forced:
            self.sampro.open_plans()
        else:
            self.dismiss()

    def action_back(self) -> None:
        if not self.forced:
            self.dismiss()

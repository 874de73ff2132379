"""The warning before the session times out: a countdown and "stay logged in"."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Static

from sampro_tui.base import SamproModal
from sampro_tui.formatting import fmt_countdown
from sampro_tui.i18n import t
from widgets.stylesheet import default_css


class SessionWarningScreen(SamproModal):
    DEFAULT_CSS = default_css(__file__, "warning.tcss")
    AUTO_FOCUS = "#stay"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "stay", "key.stay", id="warning.stay"),
    ]

    def __init__(self) -> None:
        super().__init__()

    def compose(self) -> ComposeResult:
        with Vertical(id="warning-box"):
            yield Static(t("session.warning_title"), id="warning-title")
            yield Static("", id="warning-body")
            with Horizontal(id="warning-buttons"):
                yield Button(t("session.stay"), variant="warning", id="stay")
                yield Button(t("session.logout"), id="logout")
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "seconds_left", self._countdown)

    def _countdown(self, seconds_left: float) -> None:
        self.query_one("#warning-body", Static).update(
            t("session.warning_body", left=fmt_countdown(seconds_left))
        )
        # The app closes the warning; if it was under another modal then, close it now.
        if self.sampro.warning_screen is not self and self.app.screen is self:
            self.dismiss()

    @on(Button.Pressed, "#stay")
    def action_stay(self) -> None:
        self.stay()

    @work(exclusive=True, group="stay", exit_on_error=False)
    async def stay(self) -> None:
        await self.sampro.stay_logged_in()

    @on(Button.Pressed, "#logout")
    async def _logout(self) -> None:
        await self.sampro.action_logout()

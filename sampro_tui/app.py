"""The SamPro App: configuration, keymap, theme, language, and the first screen.

The session (its clock, resume from the keyring, drafts before expiry) is the
`SessionController`'s; which screen is in front is `navigation`'s; the App wires them
to Textual and keeps the keys that work everywhere.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.binding import Binding, BindingType

from sampro_tui import i18n
from sampro_tui.base import SamproScreenMixin, translate_bindings
from sampro_tui.config import Config
from sampro_tui.credentials import TokenStore
from sampro_tui.i18n import t
from sampro_tui.navigation import SCREENS_BY_NAME, screen_class
from sampro_tui.session import SessionTimer
from sampro_tui.session_controller import SessionController
from sampro_tui.session_screens import SessionScreens

if TYPE_CHECKING:
    import httpx
    from textual.command import Provider

    from sampro_tui.demo import DemoServer

__all__ = ["SCREENS_BY_NAME", "SamproApp", "freeze_startup_heap", "screen_class"]


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


class SamproApp(SessionScreens):
    """The terminal client."""

    TITLE = "SamPro"
    CSS_PATH = "app.tcss"
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
        self.demo = demo
        self.tick_seconds = tick_seconds
        self.lockout_policy: tuple[int, int] | None = None  # the server's (threshold, seconds)
        self.session = SessionController(
            self,
            persist=persist,
            transport=transport,
            timer=timer,
            token_store=token_store or TokenStore(enabled=config.remember_session),
        )
        self._start_session_screens()
        i18n.set_language(config.language)
        translate_bindings(self)

    def on_mount(self) -> None:
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        if self.config.theme != self.theme and self.config.theme in self.available_themes:
            self.theme = self.config.theme
        self.navigator.watch()
        self.push_screen(screen_class("login")())
        self.set_interval(self.tick_seconds, self.tick, name="session-tick")
        if self.tune_gc:
            self.call_after_refresh(freeze_startup_heap)
        if self.persist and self.config.remember_session and self.config.last_username:
            self.run_session_work(self.session.resume(), "keyring", exclusive=False)

    async def on_unmount(self) -> None:
        await self.session.close()

    def watch_theme(self, theme: str) -> None:
        if theme != self.config.theme:
            self.config.theme = theme
            self.save_settings(theme=theme)

    async def on_event(self, event: events.Event) -> None:
        # Keys and clicks are the person's activity: they keep the session alive.
        if isinstance(event, events.Key | events.MouseDown) and not event.is_forwarded:
            self.session.user_activity()
        await super().on_event(event)

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
            end = self.session.end("login.logged_out", call_logout=True)
            self.run_session_work(end, "session-end", exclusive=False)

    def action_switch_language(self) -> None:
        """The palette's language switch: in a worker, so a slow server never freezes keys."""
        self.run_session_work(self.switch_language(), "language", exclusive=True)

    async def switch_language(self) -> None:
        from sampro_tui.api import ApiError, ServerUnreachable

        language = "en" if i18n.language() == "nb" else "nb"
        i18n.set_language(language)
        self.config.language = language
        self.save_settings(language=language)
        translate_bindings(self)
        for screen in list(self.screen_stack):
            if isinstance(screen, SamproScreenMixin):
                # A screen that reloads from the server may fail; the others still switch.
                try:
                    await screen.retranslate()
                except (ApiError, ServerUnreachable) as error:
                    self.report_error(error)
        self._update_display()

"""Which screen is in front: the screens by name, made anew each time, and the moves between them.

Screens are named by "module:Class" and imported the first time they are shown, so
start-up pays only for the login screen, and the core never imports `screens` at load
time (dependencies point from screens to the core).

Some screens keep a fixed id (tests and the help screen know them by it: "plans-screen",
"plan-12"). Textual refuses two screens with one id, and a screen that has left the
stack is taken down over the next frames; so the moves run one at a time, and a move
that shows a new instance first waits for the removal of a leaving one with its id, with
Textual's own awaitable (`Widget.remove()`), no polling. Screens without an id (the
dialogs and forms) never clash and are pushed as they are.
"""

from __future__ import annotations

import asyncio
import importlib
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from textual.app import App
from textual.screen import Screen

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


class Navigator:
    """Moves between screens in order, none onto a namesake that is still being taken down.

    Keys that arrive in one burst, as over a slow SSH link (Escape, then Enter on the
    same plan), ask for a new screen while its namesake is still being removed: that move
    waits, in a worker, and later moves queue behind it. Any other move is made at once,
    so the new screen is in front before the next frame."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self._lane = asyncio.Lock()
        # The last screen in front under each id (weakly: a removed screen is let go).
        self._shown: weakref.WeakValueDictionary[str, Screen[Any]] = weakref.WeakValueDictionary()

    def watch(self) -> None:
        """Follow the screen in front, however it got there (call once the app runs)."""
        self.app.screen_change_signal.subscribe(self.app, self._in_front, immediate=True)

    def _in_front(self, screen: Screen[Any]) -> None:
        if screen.id is not None:
            self._shown[screen.id] = screen

    def _leaving_namesake(self, screen: Screen[Any]) -> Screen[Any] | None:
        """A screen with `screen`'s id that has left the stack but is not yet removed."""
        namesake = self._shown.get(screen.id) if screen.id is not None else None
        if namesake is None or namesake is screen or namesake in self.app.screen_stack:
            return None
        return namesake if namesake.is_attached else None

    async def _namesake_gone(self, screen: Screen[Any]) -> None:
        namesake = self._leaving_namesake(screen)
        if namesake is not None:
            await namesake.remove()  # under way already: this waits for it to finish

    def _move(self, screen: Screen[Any], step: Callable[[Screen[Any]], object]) -> None:
        if not self._lane.locked() and self._leaving_namesake(screen) is None:
            step(screen)
            return

        async def when_free() -> None:
            async with self._lane:
                await self._namesake_gone(screen)
                done = step(screen)
                if isinstance(done, Awaitable):
                    await done

        self.app.run_worker(when_free(), group="navigate", exit_on_error=False)

    def push(self, screen: Screen[Any]) -> None:
        """Show `screen` over the one in front."""
        self._move(screen, self.app.push_screen)

    def open(self, screen: Screen[Any]) -> None:
        """Show `screen` over the one in front, or in its place if that is of its kind."""
        self._move(screen, self._open_step)

    def _open_step(self, screen: Screen[Any]) -> object:
        front = self.app.screen
        if screen.id is not None and front.id == screen.id:
            return None  # that very thing is open already
        if type(front) is type(screen):
            return self.app.switch_screen(screen)
        return self.app.push_screen(screen)

    async def show_root(self, screen: Screen[Any]) -> None:
        """Make `screen` the only screen above the (empty) default one."""
        async with self._lane:
            while len(self.app.screen_stack) > 2:
                await self.app.pop_screen()
            stack = self.app.screen_stack
            if len(stack) == 2 and screen.id is not None and stack[-1].id == screen.id:
                await self.app.pop_screen()  # its namesake: it has to be gone first
            await self._namesake_gone(screen)
            if len(self.app.screen_stack) == 2:
                await self.app.switch_screen(screen)
            else:
                await self.app.push_screen(screen)

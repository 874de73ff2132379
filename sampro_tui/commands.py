"""The command palette: jump to a plan by its owner's name, to each screen (and each of an
open plan's tabs), and more."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.css.query import NoMatches
from textual.widgets import ContentSwitcher, TabbedContent, TabPane

from sampro_tui.i18n import t

if TYPE_CHECKING:
    from sampro_tui.app import SamproApp

Command = Callable[[], object] | Callable[[], Awaitable[None]]


class SamproCommands(Provider):
    """Plans by owner's name, screens, log out, theme, language, quit."""

    @property
    def sampro(self) -> SamproApp:
        return cast("SamproApp", self.app)

    async def startup(self) -> None:
        app = self.sampro
        if app.timer.active and not app.plan_index:
            from sampro_tui.api import ApiError, ServerUnreachable

            try:
                page = await app.api.list_plans(page_size=1000)
            except (ApiError, ServerUnreachable):
                return
            app.plan_index = [
                (p.id, f"{p.owner_first_name} {p.owner_last_name}", p.short_name, p.type.value)
                for p in page.items
            ]

    def _commands(self) -> list[tuple[str, str, Command]]:
        app = self.sampro
        commands: list[tuple[str, str, Command]] = []
        if app.timer.active:
            commands += [
                (t("cmd.plans"), t("cmd.plans_help"), app.open_plans),
                (t("cmd.password"), t("cmd.password_help"), app.change_password),
                (t("cmd.logout"), t("cmd.logout_help"), app.action_logout),
            ]
        commands += [
            (t("cmd.help"), t("cmd.help_help"), app.action_help),
            (t("cmd.theme"), t("cmd.theme_help"), app.action_change_theme),
            (t("cmd.language"), t("cmd.language_help"), app.action_switch_language),
            (t("cmd.quit"), t("cmd.quit_help"), app.action_quit),
        ]
        return commands

    def _tabs(self) -> list[tuple[str, str, Command]]:
        """The tabs of the screen the palette was opened on (an open plan), by their titles."""
        screen = self.screen
        try:
            tabs = screen.query_one("#tabs", TabbedContent)
        except NoMatches:
            return []
        where = str(screen.title or "")
        switcher = tabs.get_child_by_type(ContentSwitcher)
        commands: list[tuple[str, str, Command]] = []
        for pane in switcher.query_children(TabPane):
            if not pane.id:
                continue
            try:
                tab = tabs.get_tab(pane.id)
            except NoMatches:
                continue
            if not tab.display or tab.disabled:
                continue
            title = tab.label_text
            commands.append(
                (
                    t("cmd.tab", title=title),
                    t("cmd.tab_help", name=where),
                    partial(self._go_to_tab, tabs, pane.id),
                )
            )
        return commands

    @staticmethod
    def _go_to_tab(tabs: TabbedContent, pane_id: str) -> None:
        if tabs.is_attached and tabs.query(f"#{pane_id}"):
            enter = getattr(tabs, "enter", None)  # the plan's tabs also move the focus in
            if callable(enter):
                enter(pane_id)
            else:
                tabs.active = pane_id

    def _plans(self) -> list[tuple[str, str, Command]]:
        app = self.sampro
        if not app.timer.active:
            return []
        return [
            (
                t("cmd.open_plan", name=name),
                t("cmd.open_plan_help", short=short, type=kind),
                partial(app.open_plan, plan_id),
            )
            for plan_id, name, short, kind in app.plan_index
        ]

    async def discover(self) -> Hits:
        for name, help_text, command in self._tabs() + self._commands():
            yield DiscoveryHit(name, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, command in self._tabs() + self._commands() + self._plans():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), command, text=name, help=help_text)

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
    from sampro_contract import PlanListItem
    from sampro_tui.app import SamproApp

Command = Callable[[], object] | Callable[[], Awaitable[None]]


def index_entry(plan: PlanListItem) -> tuple[int, str, str, str]:
    """A plan as the palette's index keeps it: id, owner's name, short name, type."""
    name = f"{plan.owner_first_name} {plan.owner_last_name}"
    return plan.id, name, plan.short_name, plan.type.value


class SamproCommands(Provider):
    """Plans by owner's name, screens, log out, theme, language, quit.

    The index of plans is one page (the server's maximum, 1,000). An administrator with
    more plans than that still finds any of them: when the typed text hits nothing in
    the index, the server is asked (its name search, the same as the plan list's).
    """

    index_page_size = 1000  # the server's maximum page
    server_search_limit = 20

    @property
    def sampro(self) -> SamproApp:
        return cast("SamproApp", self.app)

    async def startup(self) -> None:
        app = self.sampro
        if app.timer.active and not app.plan_index and not app.must_change_password:
            from sampro_tui.api import ApiError, ServerUnreachable

            try:
                page = await app.api.list_plans(page_size=self.index_page_size)
            except (ApiError, ServerUnreachable):
                return
            app.plan_index = [index_entry(p) for p in page.items]
            app.plan_index_partial = page.total > len(page.items)

    def _commands(self) -> list[tuple[str, str, Command]]:
        app = self.sampro
        commands: list[tuple[str, str, Command]] = []
        if app.timer.active and app.must_change_password:
            # A temporary password: nothing but changing it, logging out or quitting.
            return [
                (t("cmd.password"), t("cmd.password_help"), app.change_password),
                (t("cmd.logout"), t("cmd.logout_help"), app.action_logout),
                (t("cmd.quit"), t("cmd.quit_help"), app.action_quit),
            ]
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
        if self.sampro.must_change_password:
            return []
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
        if not app.timer.active or app.must_change_password:
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
        plans = self._plans()
        plan_hit = False
        for name, help_text, command in self._tabs() + self._commands() + plans:
            score = matcher.match(name)
            if score > 0:
                plan_hit = plan_hit or command in [c for _, _, c in plans]
                yield Hit(score, matcher.highlight(name), command, text=name, help=help_text)
        if plan_hit or not self.sampro.plan_index_partial or len(query.strip()) < 2:
            return
        for name, help_text, command in await self._server_plans(query):
            score = matcher.match(name)
            yield Hit(max(score, 0.5), matcher.highlight(name), command, text=name, help=help_text)

    async def _server_plans(self, query: str) -> list[tuple[str, str, Command]]:
        """Plans beyond the index whose owner's first or last name starts with the words."""
        from sampro_tui.api import ApiError, ServerUnreachable

        app = self.sampro
        if not app.timer.active or app.must_change_password:
            return []
        try:
            page = await app.api.list_plans(query=query, page_size=self.server_search_limit)
        except (ApiError, ServerUnreachable):
            return []
        known = {entry[0] for entry in app.plan_index}
        return [
            (
                t("cmd.open_plan", name=name),
                t("cmd.open_plan_help", short=short, type=kind),
                partial(app.open_plan, plan_id),
            )
            for plan_id, name, short, kind in map(index_entry, page.items)
            if plan_id not in known
        ]

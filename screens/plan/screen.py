"""A plan: the tabbed shell (title, facts, the tabs this participant may see) and the keys
that work on every tab. The tabs themselves are in screens/plan/tabs.py."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, Static, TabbedContent, TabPane

from sampro_contract import PlanHome
from sampro_tui.base import SamproScreen
from sampro_tui.formatting import fmt_date
from sampro_tui.i18n import t
from screens.plan.home.pane import HomePane, may_edit
from screens.plan.tabs import HOME_TAB, PlanTabs
from widgets.session_bar import SessionBar


class PlanScreen(SamproScreen):
    """The Hjem tab is composed with the shell; the others come when the plan is read."""

    CSS_PATH = ["plan.tcss", "home/home.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back", id="plan.back"),
        Binding("e", "edit", "key.edit", id="plan.edit"),
        Binding("ctrl+s", "save", "key.save", id="plan.save", priority=True),
        Binding("f5", "reload", "key.refresh", id="plan.refresh"),
        # Tab moves focus within a tab; these move between the tabs, from anywhere.
        Binding("ctrl+right,alt+right", "tab(1)", "key.next_tab", id="plan.next_tab"),
        Binding("ctrl+left,alt+left", "tab(-1)", "key.prev_tab", id="plan.prev_tab"),
    ]

    def __init__(self, plan_id: int) -> None:
        super().__init__(id=f"plan-{plan_id}")
        self.plan_id = plan_id
        self.plan: PlanHome | None = None

    @property
    def home(self) -> HomePane:
        return self.query_one("#home", HomePane)

    @property
    def editing(self) -> bool:
        """The Hjem tab's editor is open."""
        homes = self.query("#home")
        return bool(homes) and self.home.editing

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SessionBar()
        with Vertical(id="plan-header"):
            yield Static("", id="plan-title")
            yield Static("", id="plan-facts", classes="hint")
            yield Static("", id="closed-note")
        with PlanTabs(id="tabs"), TabPane(t("plan.tab.home"), id=HOME_TAB):
            yield HomePane(self.plan_id, id="home")
        yield Footer()

    def on_mount(self) -> None:
        if self.plan is not None:
            self.show_plan(self.plan)
        self.load()

    async def retranslate(self) -> None:
        await super().retranslate()
        if self.plan is not None:
            self.show_plan(self.plan)
            from sampro_tui.api import ServerUnreachable

            try:  # the tabs come back first; only the home feed's request may fail
                await self.install_tabs(self.plan)
            except ServerUnreachable as error:
                self.sampro.report_error(error)

    # --- showing ----------------------------------------------------------------------

    @property
    def can_edit(self) -> bool:
        return may_edit(self.plan)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit":  # the home tab's editor: not offered from the other tabs
            return self.can_edit and not self.editing and self._home_tab_active()
        if action == "save":
            return self.editing
        return True

    def _home_tab_active(self) -> bool:
        tabs = self.query("#tabs")
        return not tabs or getattr(tabs.first(), "active", "") == HOME_TAB

    @on(TabbedContent.TabActivated, "#tabs")
    def _tab_activated(self) -> None:
        self.refresh_bindings()  # "e" edits the home tab only while it shows

    @work(exclusive=True, group="plan", exit_on_error=False)
    async def load(self) -> None:
        plan = await self.sampro.api.plan(self.plan_id)
        self.show_plan(plan)
        await self.install_tabs(plan)
        if self.can_edit:
            await self.home.restore_draft()

    async def install_tabs(self, plan: PlanHome) -> None:
        """The tabs this participant may see, and on Hjem what leads from there."""
        await self.query_one("#tabs", PlanTabs).install(plan)
        if not plan.me.consent_valid:
            return  # a coordinator whose consent has run out: only Deltakere, to renew it
        if plan.me.is_coordinator:
            await self.home.show_completeness(plan)
        await self.home.show_feed(plan)

    def show_plan(self, plan: PlanHome) -> None:
        self.plan = plan
        owner = f"{plan.owner.first_name} {plan.owner.last_name}"
        self.query_one("#plan-title", Static).update(t("plan.title", name=owner))
        self.query_one("#plan-facts", Static).update(
            t(
                "plan.facts",
                type=plan.type.value,
                role=t(f"role.{plan.me.role.value}"),
                start=fmt_date(plan.start_date) or "–",
                end=fmt_date(plan.end_date) or "–",
                consent=fmt_date(plan.owner_consent_expires) or "–",
            )
        )
        closed_note = self.query_one("#closed-note", Static)
        note = t("plan.closed") if plan.closed else ""
        if not plan.me.consent_valid:
            note = t("plan.consent_expired_coordinator")
        closed_note.update(note)
        closed_note.display = bool(note)
        self.home.show(plan)
        self.title = owner
        self.refresh_bindings()

    # --- the keys -----------------------------------------------------------------------

    def action_edit(self) -> None:
        self.home.start_editing()

    def action_edit_dates(self) -> None:
        """Straight to the plan period (Enter on that item of the completeness list)."""
        self.home.edit_dates()

    def action_save(self) -> None:
        self.home.request_save()

    def action_reload(self) -> None:
        self.load()

    def action_tab(self, step: int) -> None:
        """The next or previous tab (of those this participant's rights show)."""
        tabs = self.query_one("#tabs", PlanTabs)
        ids = [pane.id for pane in tabs.query(TabPane) if pane.id]
        if not ids:
            return
        current = ids.index(tabs.active) if tabs.active in ids else 0
        tabs.enter(ids[(current + step) % len(ids)])

    def action_back(self) -> None:
        if self.editing:
            self.home.set_editing(False)
            return
        if len(self.app.screen_stack) > 2:
            self.dismiss()
        else:
            self.sampro.open_plans()

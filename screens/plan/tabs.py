"""The plan screen's tabs: which there are, in what order, who may see each, and the
TabbedContent that keeps them in that order.

Each tab's pane is built by its factory, which imports the tab's module only then, so
starting the app (the login screen) pays for none of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

from textual.await_complete import AwaitComplete
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Input, TabbedContent, TabPane, Tabs, TextArea

from sampro_contract import Access, PlanHome
from sampro_tui.i18n import t

if TYPE_CHECKING:
    from textual.screen import Screen

HOME_TAB = "tab-home"  # composed with the screen: the shell shows it before the plan is read

LIFE_RIGHTS = (
    "life_work",
    "life_housing",
    "life_leisure",
    "life_health",
    "life_social",
    "life_economy",
)


class HoldsPlan(Protocol):
    """A pane that keeps the plan it shows."""

    plan: PlanHome


@dataclass(frozen=True)
class PlanTab:
    """One tab of the plan screen (its place is its position in PLAN_TABS)."""

    tab_id: str
    title_key: str
    may_see: Callable[[PlanHome], bool]
    # The pane: `pane_class` of `screens.plan.<module>.pane`, imported only when built.
    module: str
    pane_class: str
    pane_id: str
    # A tab whose pane keeps the plan as last read (a consent renewed since, say).
    keeps_plan: bool = False

    @property
    def title(self) -> str:
        return t(self.title_key)

    def build(self, plan: PlanHome) -> Widget:
        pane = getattr(importlib.import_module(f"screens.plan.{self.module}.pane"), self.pane_class)
        return cast(Widget, pane(plan, id=self.pane_id))


# --- who may see a tab -----------------------------------------------------------------
# A coordinator whose consent has run out sees only Deltakere, to renew it.


def _reads_goals(plan: PlanHome) -> bool:
    return plan.me.consent_valid and plan.me.rights.goals != Access.NONE


def _reads_life_areas(plan: PlanHome) -> bool:
    rights = plan.me.rights
    return plan.me.consent_valid and any(getattr(rights, r) != Access.NONE for r in LIFE_RIGHTS)


def _reads_professional_plans(plan: PlanHome) -> bool:
    return plan.me.consent_valid and plan.me.rights.professional_plans != Access.NONE


def _takes_part(plan: PlanHome) -> bool:
    return plan.me.consent_valid


def _anyone(plan: PlanHome) -> bool:
    return True


def _reads_log(plan: PlanHome) -> bool:
    return plan.me.consent_valid and (plan.me.rights.log or plan.me.is_coordinator)


# The tabs after Hjem, in the order DESIGN gives them, with Fagplaner right after
# Kartlegging. (Dokumenter comes between Deltakere and Logg when it lands.)
PLAN_TABS = (
    # Mål og aktiviteter
    PlanTab("tab-goals", "content.tab.goals", _reads_goals, "goals", "GoalsPane", "goals-pane"),
    PlanTab(
        "tab-calendar", "collab.tab.calendar", _takes_part, "calendar", "CalendarPane", "calendar"
    ),
    PlanTab(
        "tab-messages", "collab.tab.messages", _takes_part, "messages", "MessagesPane", "messages"
    ),
    PlanTab(
        "tab-life",
        "content.tab.life_areas",
        _reads_life_areas,
        "life_areas",
        "LifeAreasPane",
        "life-pane",
    ),
    PlanTab(
        "tab-fag",
        "content.tab.professional_plans",
        _reads_professional_plans,
        "professional_plans",
        "ProfessionalPlansPane",
        "fag-pane",
    ),
    PlanTab(
        "tab-participants",
        "pp.tab",
        _anyone,
        "participants",
        "ParticipantsPane",
        "participants-pane",
        keeps_plan=True,
    ),
    PlanTab("tab-log", "plog.tab", _reads_log, "log", "LogPane", "log-pane"),
    PlanTab(
        "tab-timeline",
        "collab.tab.timeline",
        _takes_part,
        "timeline",
        "TimelinePane",
        "timeline-pane",
    ),
)
TAB_ORDER = (HOME_TAB, *(tab.tab_id for tab in PLAN_TABS))


def tab_before(present: Collection[str], tab_id: str) -> str | None:
    """The present tab that `tab_id` goes in front of (None: at the end)."""
    if tab_id not in TAB_ORDER:
        return None
    later = TAB_ORDER[TAB_ORDER.index(tab_id) + 1 :]
    return next((other for other in later if other in present), None)


class PlanTabs(TabbedContent):
    """The plan's tabs: a pane added without `before`/`after` goes where TAB_ORDER says."""

    def add_pane(
        self,
        pane: TabPane,
        *,
        before: TabPane | str | None = None,
        after: TabPane | str | None = None,
    ) -> AwaitComplete:
        if before is not None or after is not None or pane.id is None:
            return super().add_pane(pane, before=before, after=after)
        switcher = self.get_child_by_type(ContentSwitcher)
        place = tab_before({c.id for c in switcher.children if c.id}, pane.id)
        added = super().add_pane(pane, before=place)
        if place is None:
            return added

        async def panes_in_tab_order() -> None:
            # The tab row takes `before`; the panes too, so Ctrl+arrows follow the tabs.
            await added
            switcher.move_child(pane, before=switcher.get_child_by_id(place))

        return AwaitComplete(panes_in_tab_order())

    async def install(self, plan: PlanHome) -> None:
        """Add the tabs this participant may see that are not there yet.

        They are added together and awaited together, so they appear at once: none is
        shown before the others are there (a pane starts reading as it is mounted).
        """
        adding: list[AwaitComplete] = []
        for tab in PLAN_TABS:
            if not tab.may_see(plan):
                continue
            if self.screen.query(f"#{tab.tab_id}"):
                if tab.keeps_plan:
                    for pane in self.get_pane(tab.tab_id).children:
                        cast(HoldsPlan, pane).plan = plan
                continue
            pane = tab.build(plan)  # first: its module registers the tab's texts
            adding.append(self.add_pane(TabPane(tab.title, pane, id=tab.tab_id)))
        for added in adding:
            await added

    def watch_active(self, active: str) -> None:
        """Focus must not stay in a pane that has just been hidden.

        Textual would move it to a visible sibling *in that hidden pane*, and the pane
        taking focus brings its tab back: a switch made from a list on one tab (the
        completeness list, the palette, a link) would undo itself. So the focus is parked
        on the tab row at once, and then moved into the new pane's first focusable widget
        unless something else took it meanwhile.
        """
        if not active or not self.is_mounted:
            return
        screen = self.screen
        focused = screen.focused
        switcher = self.get_child_by_type(ContentSwitcher)
        if focused is None or switcher not in focused.ancestors:
            return
        pane = switcher.get_child_by_id(active)
        if pane in focused.ancestors:
            return
        row = next((c for c in self.children if isinstance(c, Tabs)), None)
        if row is None:
            return
        screen.set_focus(row, scroll_visible=False)
        self.focus_pane(active, only_from=row)

    def enter(self, tab_id: str, focus: Widget | None = None) -> None:
        """Show a tab and put the focus in it (on `focus`, or its first list or table), so
        its keys work at once."""
        self.active = tab_id
        self.focus_pane(tab_id, target=focus)

    def focus_pane(
        self, tab_id: str, only_from: Widget | None = None, target: Widget | None = None
    ) -> None:
        """After the next refresh, focus `target` or the pane's first focusable widget
        (unless the focus has meanwhile left `only_from`, when that is given)."""
        screen = self.screen
        pane = self.get_child_by_type(ContentSwitcher).get_child_by_id(tab_id)

        def focus_in(tries: int) -> None:
            focused = screen.focused
            if self.active != tab_id or (only_from is not None and focused is not only_from):
                return
            if target is not None:
                if focused is target:
                    return
                chosen: Widget | None = target if target.focusable else None
            else:
                if focused is not None and pane in focused.ancestors:
                    return
                # A list or table rather than a text field: the field would take the keys
                # that move between tabs (Ctrl+arrows move by word there).
                focusable = [w for w in pane.query("*") if w.focusable]
                chosen = next((w for w in focusable if not isinstance(w, Input | TextArea)), None)
                chosen = chosen or next(iter(focusable), None)
            if chosen is not None:
                screen.set_focus(chosen)
            elif tries:  # not laid out yet: its widgets cannot take focus
                self.call_after_refresh(focus_in, tries - 1)

        self.call_after_refresh(focus_in, 5)


def show_tab(screen: Screen[Any], tab_id: str, focus: Widget | None = None) -> None:
    """Go to a tab and put the focus in it (on `focus`, or on its first list or table)."""
    screen.query_one("#tabs", PlanTabs).enter(tab_id, focus)

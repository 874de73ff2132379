"""Puts the plan's content into the plan shell: the tabs the participant may read (goals
and activities, life areas, professional plans) and, for the coordinator, the list of
what the plan still lacks on the home tab."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Label, TabbedContent, TabPane

from sampro_contract import Access, PlanHome
from sampro_tui.api import ApiError, ServerUnreachable
from sampro_tui.i18n import t
from widgets.completeness import CompletenessList

if TYPE_CHECKING:
    from screens.plan.screen import PlanScreen

LIFE_RIGHTS = (
    "life_work",
    "life_housing",
    "life_leisure",
    "life_health",
    "life_social",
    "life_economy",
)


def readable_tabs(plan: PlanHome) -> list[str]:
    """The content tabs this participant sees: none without the read right."""
    rights = plan.me.rights
    tabs = []
    if rights.goals != Access.NONE:
        tabs.append("tab-goals")
    if any(getattr(rights, r) != Access.NONE for r in LIFE_RIGHTS):
        tabs.append("tab-life")
    if rights.professional_plans != Access.NONE:
        tabs.append("tab-fag")
    return tabs


async def install_content(screen: PlanScreen, plan: PlanHome) -> None:
    from screens.plan.goals.pane import GoalsPane
    from screens.plan.life_areas.pane import LifeAreasPane
    from screens.plan.professional_plans.pane import ProfessionalPlansPane

    tabs = screen.query_one("#tabs", TabbedContent)
    panes = {
        "tab-goals": (t("content.tab.goals"), GoalsPane, "goals-pane"),
        "tab-life": (t("content.tab.life_areas"), LifeAreasPane, "life-pane"),
        "tab-fag": (t("content.tab.professional_plans"), ProfessionalPlansPane, "fag-pane"),
    }
    for tab_id in readable_tabs(plan):
        if screen.query(f"#{tab_id}"):
            continue
        title, pane_class, pane_id = panes[tab_id]
        await tabs.add_pane(TabPane(title, pane_class(plan, id=pane_id), id=tab_id))
    if plan.me.is_coordinator:
        await show_completeness(screen, plan)


async def show_completeness(screen: PlanScreen, plan: PlanHome) -> None:
    home = screen.query_one("#home")
    if not screen.query("#completeness"):
        await home.mount(
            Label(t("completeness.title"), classes="section", id="completeness-title"),
            CompletenessList(id="completeness"),
            before=0,
        )
    try:
        completeness = await screen.sampro.api.completeness(plan.id)
    except ApiError:
        return
    except ServerUnreachable as error:  # e.g. on a language switch: a message, not a crash
        screen.sampro.report_error(error)
        return
    screen.query_one("#completeness", CompletenessList).show(completeness)

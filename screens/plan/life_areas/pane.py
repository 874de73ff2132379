"""Kartlegging: the life areas the participant may see, each edited where allowed."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Static

from sampro_contract import LifeAreaEntry, LifeAreaUpdate, PlanHome
from sampro_tui.base import SamproPaneMixin, translate_bindings
from sampro_tui.i18n import t
from widgets.content_form import FormField, run_plan_form
from widgets.life_areas import LifeAreasView
from widgets.stylesheet import default_css

if TYPE_CHECKING:
    pass


class LifeAreasPane(SamproPaneMixin, Vertical):
    DEFAULT_CSS = default_css(__file__, "life_areas.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e,enter", "edit", "key.edit", id="life.edit"),
    ]

    def __init__(self, plan: PlanHome, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.plan = plan
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(t("life.no_history"), id="life-note")
        yield LifeAreasView(id="life-areas")

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="life-load", exit_on_error=False)
    async def load(self) -> None:
        entries = await self.sampro.api.life_areas(self.plan.id)
        self.query_one(LifeAreasView).show(entries)
        self.screen.refresh_bindings()

    def on_option_list_option_highlighted(self) -> None:
        self.screen.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit":
            entry = self.query_one(LifeAreasView).current
            return entry is not None and entry.can_write and not self.plan.closed
        return True

    @work(group="life-forms", exit_on_error=False)
    async def _edit(self) -> None:
        entry = self.query_one(LifeAreasView).current
        if entry is None or not entry.can_write:
            return
        api, plan_id = self.sampro.api, self.plan.id
        key = f"plan-{plan_id}-life-{entry.area.value}"

        async def submit(v: dict[str, Any]) -> LifeAreaEntry:
            return await api.update_life_area(
                plan_id,
                entry.area,
                LifeAreaUpdate(
                    version=entry.version,
                    description=v["description"],
                    date=v["date"],
                    status=v["status"],
                ),
            )

        # The date is optional, as on the server (DESIGN-NOTES); an area written for the
        # first time is given today's date, which the person may change or clear.
        first = entry.version == 0 and entry.date is None
        fields = [
            FormField("date", t("life.date"), "date", value=date.today() if first else entry.date),
            FormField("status", t("life.status"), value=entry.status),
            FormField("description", t("life.description"), "textarea", value=entry.description),
        ]
        title = t("life.edit_title", area=t(f"life.{entry.area.value}"))
        if await run_plan_form(self.app, api, plan_id, title, fields, submit, key) is not None:
            self.load()

    def action_edit(self) -> None:
        self._edit()

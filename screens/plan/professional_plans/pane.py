"""Fagplaner: the owner's other plans, a list on the left and the details on the right."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from sampro_contract import (
    PlanHome,
    ProfessionalPlan,
    ProfessionalPlanCreate,
    ProfessionalPlanList,
    ProfessionalPlanUpdate,
)
from sampro_tui.base import SamproPaneMixin, translate_bindings
from sampro_tui.formatting import fmt_date
from sampro_tui.i18n import t
from widgets.content_form import (
    ConfirmDialog,
    FormField,
    run_plan_form,
)
from widgets.stylesheet import default_css

if TYPE_CHECKING:
    pass


def render_professional_plan(p: ProfessionalPlan) -> Text:
    text = Text()
    text.append(p.name + "\n", style="bold underline")
    for label, value in [(t("fag.service"), p.responsible_service), (t("fag.contact"), p.contact)]:
        if value:
            text.append(f"{label}: ", style="bold")
            text.append(value + "\n")
    if p.key_points:
        text.append(f"\n{t('fag.key_points')}:\n", style="bold")
        text.append(p.key_points + "\n")
    text.append(f"\n{fmt_date(p.updated_at)}", style="dim")
    return text


class ProfessionalPlansPane(SamproPaneMixin, Horizontal):
    DEFAULT_CSS = default_css(__file__, "professional_plans.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "key.new", id="fag.new"),
        Binding("e", "edit", "key.edit", id="fag.edit"),
        Binding("delete", "delete", "key.delete", id="fag.delete"),
    ]

    def __init__(self, plan: PlanHome, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.plan = plan
        self.data: ProfessionalPlanList | None = None
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield OptionList(id="fag-list")
        with VerticalScroll(id="fag-side"):
            yield Static("", id="fag-details")

    def on_mount(self) -> None:
        self.load()

    @property
    def current(self) -> ProfessionalPlan | None:
        index = self.query_one("#fag-list", OptionList).highlighted
        if self.data is None or index is None or not 0 <= index < len(self.data.items):
            return None
        return self.data.items[index]

    @work(exclusive=True, group="fag-load", exit_on_error=False)
    async def load(self) -> None:
        data = await self.sampro.api.professional_plans(self.plan.id)
        self.data = data
        options = self.query_one("#fag-list", OptionList)
        keep = options.highlighted
        options.clear_options()
        options.add_options([Option(p.name, id=str(p.id)) for p in data.items])
        if data.items:
            options.highlighted = min(keep or 0, len(data.items) - 1)
        else:
            self.query_one("#fag-details", Static).update(t("fag.empty"))
        self.screen.refresh_bindings()

    @on(OptionList.OptionHighlighted, "#fag-list")
    def _highlighted(self) -> None:
        current = self.current
        if current is not None:
            self.query_one("#fag-details", Static).update(render_professional_plan(current))
        self.screen.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new", "edit", "delete"):
            writable = self.data is not None and self.data.can_write and not self.plan.closed
            return writable and (action == "new" or self.current is not None)
        return True

    def _fields(self, p: ProfessionalPlan | None) -> list[FormField]:
        return [
            FormField("name", t("fag.name"), required=True, value=p.name if p else ""),
            FormField(
                "responsible_service", t("fag.service"), value=p.responsible_service if p else ""
            ),
            FormField("contact", t("fag.contact"), value=p.contact if p else ""),
            FormField(
                "key_points", t("fag.key_points"), "textarea", value=p.key_points if p else ""
            ),
        ]

    async def _form(self, title: str, fields: list[FormField], submit: Any, key: str) -> None:
        """The form, with a draft saved at the last session's expiry offered back; the
        draft is removed once the form is saved or cancelled."""
        api, plan_id = self.sampro.api, self.plan.id
        if await run_plan_form(self.app, api, plan_id, title, fields, submit, key) is not None:
            self.load()

    @work(group="fag-forms", exit_on_error=False)
    async def _new(self) -> None:
        api, plan_id = self.sampro.api, self.plan.id

        async def submit(v: dict[str, Any]) -> ProfessionalPlan:
            return await api.create_professional_plan(plan_id, ProfessionalPlanCreate(**v))

        await self._form(t("fag.new_title"), self._fields(None), submit, f"plan-{plan_id}-fag-new")

    @work(group="fag-forms", exit_on_error=False)
    async def _edit(self) -> None:
        current = self.current
        if current is None:
            return
        api, plan_id = self.sampro.api, self.plan.id

        async def submit(v: dict[str, Any]) -> ProfessionalPlan:
            return await api.update_professional_plan(
                plan_id, current.id, ProfessionalPlanUpdate(version=current.version, **v)
            )

        key = f"plan-{plan_id}-fag-{current.id}"
        await self._form(t("fag.edit_title"), self._fields(current), submit, key)

    @work(group="fag-forms", exit_on_error=False)
    async def _delete(self) -> None:
        current = self.current
        if current is None:
            return
        question = t("confirm.delete_professional_plan", title=current.name)
        if await self.app.push_screen_wait(ConfirmDialog(question)):
            await self.sampro.api.delete_professional_plan(self.plan.id, current.id)
            self.app.notify(t("content.deleted"))
            self.load()

    def action_new(self) -> None:
        self._new()

    def action_edit(self) -> None:
        self._edit()

    def action_delete(self) -> None:
        self._delete()

"""A plan: a tabbed shell; the Hjem tab shows and edits the owner's presentation and status.

Tabs for goals, calendar, messages and the rest are added as those features land (no
placeholder tabs that do nothing).
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Input, Label, Static, TabbedContent, TabPane, TextArea

from sampro_contract import DraftIn, PlanHome, PlanUpdate
from sampro_tui.base import SamproScreen
from sampro_tui.formatting import fmt_date, fmt_datetime
from sampro_tui.i18n import t
from widgets.session_bar import SessionBar


class PlanScreen(SamproScreen):
    """Implements SupportsDrafts: an open editor is saved as a draft at session expiry."""

    CSS_PATH = "plan.tcss"
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
        self.editing = False
        self.busy = False

    # --- drafts (SupportsDrafts) ------------------------------------------------------

    def draft_key(self) -> str | None:
        return f"plan-{self.plan_id}-home" if self.editing else None

    def current_draft(self) -> DraftIn | None:
        if not self.editing or self.plan is None:
            return None
        presentation = self.query_one("#edit-presentation", TextArea).text
        status = self.query_one("#edit-status", Input).value
        if presentation == self.plan.presentation and status == self.plan.status_text:
            return None
        return DraftIn(
            kind="plan_home",
            plan_id=self.plan_id,
            payload={
                "presentation": presentation,
                "status_text": status,
                "version": self.plan.version,
            },
        )

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SessionBar()
        with Vertical(id="plan-header"):
            yield Static("", id="plan-title")
            yield Static("", id="plan-facts", classes="hint")
            yield Static("", id="closed-note")
        with (
            TabbedContent(id="tabs"),
            TabPane(t("plan.tab.home"), id="tab-home"),
            VerticalScroll(id="home"),
        ):
            yield Label(t("plan.about"), classes="section")
            yield Static("", id="presentation")
            yield Label(t("plan.status"), classes="section")
            yield Static("", id="status")
            with Vertical(id="editor"):
                yield Label(t("plan.edit_title"), classes="section")
                yield Label(t("plan.about"))
                yield TextArea(id="edit-presentation", soft_wrap=True, tab_behavior="focus")
                yield Label(t("plan.status"))
                yield Input(id="edit-status", max_length=2000)
                with Horizontal(id="editor-buttons"):
                    yield Button(t("key.save"), variant="primary", id="save")
                    yield Button(t("key.cancel"), id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        if self.plan is not None:
            self.show_plan(self.plan)
        self.load()

    async def retranslate(self) -> None:
        await super().retranslate()
        if self.plan is not None:
            self.show_plan(self.plan)
            from screens.plan_collab import install_collab

            await install_collab(self, self.plan)
            from screens.plan_content import install_content

            await install_content(self, self.plan)

    # --- showing ----------------------------------------------------------------------

    @property
    def can_edit(self) -> bool:
        plan = self.plan
        return plan is not None and not plan.closed and plan.me.rights.edit_presentation

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit":
            return self.can_edit and not self.editing
        if action == "save":
            return self.editing
        return True

    @work(exclusive=True, group="plan", exit_on_error=False)
    async def load(self) -> None:
        plan = await self.sampro.api.plan(self.plan_id)
        self.show_plan(plan)
        from screens.plan_content import install_content  # the content tabs, by rights

        await install_content(self, plan)
        from screens.plan_collab import install_collab  # messages, calendar, timeline

        await install_collab(self, plan)
        if self.can_edit:
            await self.restore_draft()

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
        closed_note.update(t("plan.closed") if plan.closed else "")
        closed_note.display = plan.closed
        self.query_one("#presentation", Static).update(
            plan.presentation or t("plan.no_presentation")
        )
        status = plan.status_text or t("plan.no_status")
        if plan.status_text and plan.status_updated_at:
            status += "\n" + t("plan.status_updated", when=fmt_datetime(plan.status_updated_at))
        self.query_one("#status", Static).update(status)
        self.title = owner
        self.refresh_bindings()

    # --- editing ----------------------------------------------------------------------

    def _set_editing(self, editing: bool) -> None:
        self.editing = editing
        self.set_class(editing, "-editing")
        self.refresh_bindings()

    def action_edit(self, presentation: str | None = None, status: str | None = None) -> None:
        if not self.can_edit or self.plan is None:
            self.notify(t("plan.no_right"), severity="warning")
            return
        self.query_one("#edit-presentation", TextArea).load_text(
            self.plan.presentation if presentation is None else presentation
        )
        self.query_one("#edit-status", Input).value = (
            self.plan.status_text if status is None else status
        )
        self._set_editing(True)
        self.query_one("#edit-presentation", TextArea).focus()

    async def restore_draft(self) -> None:
        """A draft saved at the last session's expiry comes back into the editor."""
        key = f"plan-{self.plan_id}-home"
        drafts = await self.sampro.api.drafts()
        draft = next((d for d in drafts if d.key == key), None)
        if draft is None or self.editing:
            return
        presentation = draft.payload.get("presentation")
        status = draft.payload.get("status_text")
        self.action_edit(
            presentation if isinstance(presentation, str) else None,
            status if isinstance(status, str) else None,
        )
        self.notify(t("plan.draft_found"), timeout=8)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self._set_editing(False)
        self.discard_draft()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if self.editing and not self.busy:
            self.save()

    @work(exclusive=True, group="plan-save", exit_on_error=False)
    async def save(self) -> None:
        from sampro_tui.api import ApiError

        plan = self.plan
        if plan is None:
            return
        update = PlanUpdate(
            version=plan.version,
            presentation=self.query_one("#edit-presentation", TextArea).text,
            status_text=self.query_one("#edit-status", Input).value,
        )
        self.busy = True
        try:
            saved = await self.sampro.api.update_plan(self.plan_id, update)
        except ApiError as error:
            if error.code == "version_conflict":
                # Show the newest content, keep the user's text; saving again overwrites.
                self.show_plan(await self.sampro.api.plan(self.plan_id))
                self.notify(t("plan.conflict"), severity="warning", timeout=12)
                return
            raise
        finally:
            self.busy = False
        self._set_editing(False)
        self.show_plan(saved)
        self.notify(t("plan.saved"))
        self.discard_draft()

    @work(group="drafts", exit_on_error=False)
    async def discard_draft(self) -> None:
        from sampro_tui.api import ApiError

        try:
            await self.sampro.api.delete_draft(f"plan-{self.plan_id}-home")
        except ApiError as error:
            if error.status != 404:
                raise

    def action_reload(self) -> None:
        self.load()

    def action_tab(self, step: int) -> None:
        """The next or previous tab (of those this participant's rights show)."""
        tabs = self.query_one("#tabs", TabbedContent)
        ids = [pane.id for pane in tabs.query(TabPane) if pane.id]
        if not ids:
            return
        current = ids.index(tabs.active) if tabs.active in ids else 0
        tabs.active = ids[(current + step) % len(ids)]

    def action_back(self) -> None:
        if self.editing:
            self._set_editing(False)
            return
        if len(self.app.screen_stack) > 2:
            self.dismiss()
        else:
            self.sampro.open_plans()

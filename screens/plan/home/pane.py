"""The Hjem tab: the owner's presentation and status and their editor, for the coordinator
the list of what the plan still lacks, and the home feed.

The keys that edit it ("e", Ctrl+S) are the plan screen's, so they work from the tab row
too; the screen passes them on here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Button, Input, Label, Static, TabbedContent, TextArea

from sampro_contract import DraftIn, HomeFeed, PlanHome, PlanUpdate
from sampro_tui.api import ApiError, ServerUnreachable
from sampro_tui.base import SamproPaneMixin
from sampro_tui.formatting import fmt_date, fmt_datetime
from sampro_tui.i18n import t
from screens.plan.home.completeness import CompletenessList
from screens.plan.home.feed import TabLinks, feed_widgets, render_home_feed
from screens.plan.home.form import HomeEditor
from screens.plan.tabs import HOME_TAB

if TYPE_CHECKING:
    from screens.plan.screen import PlanScreen


def may_edit(plan: PlanHome | None) -> bool:
    """The presentation and status are edited with that right, in an open plan, by a
    participant whose consent holds."""
    return (
        plan is not None
        and not plan.closed
        and plan.me.consent_valid
        and plan.me.rights.edit_presentation
    )


class HomePane(SamproPaneMixin, VerticalScroll):
    """Implements SupportsDrafts: an open editor is saved as a draft at session expiry."""

    def __init__(self, plan_id: int, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.plan_id = plan_id
        self.plan: PlanHome | None = None
        self.editing = False
        self.busy = False

    @property
    def draft_name(self) -> str:
        return f"plan-{self.plan_id}-home"

    # --- drafts (SupportsDrafts) ------------------------------------------------------

    def draft_key(self) -> str | None:
        return self.draft_name if self.editing else None

    def current_draft(self) -> DraftIn | None:
        if not self.editing or self.plan is None:
            return None
        presentation, status, start, end = self.query_one(HomeEditor).texts()
        if (presentation, status, start, end) == (
            self.plan.presentation,
            self.plan.status_text,
            fmt_date(self.plan.start_date),
            fmt_date(self.plan.end_date),
        ):
            return None
        return DraftIn(
            kind="plan_home",
            plan_id=self.plan_id,
            payload={
                "presentation": presentation,
                "status_text": status,
                "start_date": start,
                "end_date": end,
                "version": self.plan.version,
            },
        )

    async def restore_draft(self) -> None:
        """A draft saved at the last session's expiry comes back into the editor."""
        drafts = await self.sampro.api.drafts()
        draft = next((d for d in drafts if d.key == self.draft_name), None)
        if draft is None or self.editing:
            return
        texts = [
            value if isinstance(value := draft.payload.get(name), str) else None
            for name in ("presentation", "status_text", "start_date", "end_date")
        ]
        self.start_editing(*texts)
        self.notify(t("plan.draft_found"), timeout=8)

    @work(group="drafts", exit_on_error=False)
    async def discard_draft(self) -> None:
        try:
            await self.sampro.api.delete_draft(self.draft_name)
        except ApiError as error:
            if error.status != 404:
                raise

    # --- showing ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Label(t("plan.about"), classes="section")
        yield Static("", id="presentation")
        yield Label(t("plan.status"), classes="section")
        yield Static("", id="status")
        yield HomeEditor(id="editor")

    def show(self, plan: PlanHome) -> None:
        self.plan = plan
        self.query_one("#presentation", Static).update(
            plan.presentation or t("plan.no_presentation")
        )
        status = plan.status_text or t("plan.no_status")
        if plan.status_text and plan.status_updated_at:
            status += "\n" + t("plan.status_updated", when=fmt_datetime(plan.status_updated_at))
        self.query_one("#status", Static).update(status)

    async def show_completeness(self, plan: PlanHome) -> None:
        """What the plan still lacks, at the top of the tab (the coordinator's)."""
        if not self.query("#completeness"):
            await self.mount(
                Label(t("completeness.title"), classes="section", id="completeness-title"),
                CompletenessList(id="completeness"),
                before=0,
            )
        try:
            completeness = await self.sampro.api.completeness(plan.id)
        except ApiError:
            return
        except ServerUnreachable as error:  # e.g. on a language switch: a message, not a crash
            self.sampro.report_error(error)
            return
        self.query_one("#completeness", CompletenessList).show(completeness)

    async def show_feed(self, plan: PlanHome) -> None:
        """The home feed below the presentation."""
        if not self.query("#feed-events"):
            await self.mount(*feed_widgets())
        else:
            self.query_one("#feed-links", TabLinks).refresh_links()
        try:
            feed: HomeFeed = await self.sampro.api.home_feed(plan.id)
        except ApiError:
            return
        render_home_feed(self.screen, feed)

    # --- editing ----------------------------------------------------------------------

    def set_editing(self, editing: bool) -> None:
        self.editing = editing
        self.set_class(editing, "-editing")
        focused = self.screen.focused
        if not editing and focused is not None and self.query_one(HomeEditor) in focused.ancestors:
            self.screen.set_focus(None)  # a hidden field would take the next key ("e") as text
        self.screen.refresh_bindings()

    def start_editing(
        self,
        presentation: str | None = None,
        status: str | None = None,
        start: str | None = None,
        end: str | None = None,
    ) -> None:
        """Open the editor with the plan's texts, or those given (a draft's)."""
        plan = self.plan
        if not may_edit(plan) or plan is None:
            self.notify(t("plan.no_right"), severity="warning")
            return
        self.query_one(HomeEditor).fill(plan, presentation, status, start, end)
        self.set_editing(True)
        self.query_one("#edit-presentation", TextArea).focus()

    def edit_dates(self) -> None:
        """Straight to the plan period (Enter on that item of the completeness list)."""
        plan = self.plan
        if plan is None or not plan.me.is_coordinator or not may_edit(plan):
            self.notify(t("plan.no_right"), severity="warning")
            return
        self.screen.query_one("#tabs", TabbedContent).active = HOME_TAB
        if not self.editing:
            self.start_editing()
        start = self.query_one("#edit-start", Input)
        start.focus()
        self.scroll_to_widget(start)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.set_editing(False)
        self.discard_draft()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.request_save()

    def request_save(self) -> None:
        if self.editing and not self.busy:
            self.save()

    @work(exclusive=True, group="plan-save", exit_on_error=False)
    async def save(self) -> None:
        plan = self.plan
        if plan is None:
            return
        editor = self.query_one(HomeEditor)
        dates = editor.dates(plan)
        if dates is None:
            return
        from pydantic import ValidationError

        from sampro_tui.errors import local_validation_error

        screen = cast("PlanScreen", self.screen)
        self.busy = True
        try:
            try:
                update = PlanUpdate(
                    version=plan.version,
                    presentation=editor.presentation,
                    status_text=editor.status,
                    **dates,
                )
            except ValidationError as exc:  # refused before sending: said as the server would
                raise local_validation_error(exc) from exc
            saved = await self.sampro.api.update_plan(self.plan_id, update)
        except ApiError as error:
            if error.code == "version_conflict":
                # Show the newest content, keep the user's text; saving again overwrites.
                screen.show_plan(await self.sampro.api.plan(self.plan_id))
                self.notify(t("plan.conflict"), severity="warning", timeout=12)
                return
            if error.code == "validation_error":
                from sampro_tui.errors import validation_summary

                editor.show_error(Text(validation_summary(error)))  # the server's words: no markup
                return
            raise
        finally:
            self.busy = False
        self.set_editing(False)
        screen.show_plan(saved)
        self.notify(t("plan.saved"))
        self.discard_draft()
        if dates and saved.me.is_coordinator:  # the plan period item may be done now
            await self.show_completeness(saved)

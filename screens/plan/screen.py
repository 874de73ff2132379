"""A plan: a tabbed shell; the Hjem tab shows and edits the owner's presentation and status.

Tabs for goals, calendar, messages and the rest are added as those features land (no
placeholder tabs that do nothing).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import (
    Button,
    ContentSwitcher,
    Footer,
    Input,
    Label,
    Static,
    TabbedContent,
    TabPane,
    Tabs,
    TextArea,
)

from sampro_contract import DraftIn, PlanHome, PlanUpdate
from sampro_tui.base import SamproScreen
from sampro_tui.formatting import fmt_date, fmt_datetime
from sampro_tui.i18n import t
from widgets.content_form import parse_date
from widgets.session_bar import SessionBar

# The plan's tabs in the order DESIGN gives them, with Fagplaner right after Kartlegging.
# Each feature installs its tabs when it likes; PlanTabs puts every tab in its place.
TAB_ORDER = (
    "tab-home",
    "tab-goals",  # Mål og aktiviteter
    "tab-calendar",
    "tab-messages",
    "tab-life",  # Kartlegging
    "tab-fag",  # Fagplaner
    "tab-participants",  # Deltakere
    "tab-documents",
    "tab-log",
    "tab-timeline",
)


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


class PlanScreen(SamproScreen):
    """Implements SupportsDrafts: an open editor is saved as a draft at session expiry."""

    CSS_PATH = "plan.tcss"
    DEFAULT_CSS = """
    PlanScreen #editor-dates, PlanScreen #editor-date-row { height: auto; }
    PlanScreen #editor-date-row Input { width: 16; }
    PlanScreen #editor-date-row .date-label { padding: 1 1 0 0; }
    PlanScreen #edit-start { margin: 0 3 0 0; }
    PlanScreen #edit-dates-error { height: auto; }
    """
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
        start = self.query_one("#edit-start", Input).value
        end = self.query_one("#edit-end", Input).value
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

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SessionBar()
        with Vertical(id="plan-header"):
            yield Static("", id="plan-title")
            yield Static("", id="plan-facts", classes="hint")
            yield Static("", id="closed-note")
        with (
            PlanTabs(id="tabs"),
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
                with Vertical(id="editor-dates"):  # the coordinator's
                    yield Label(t("plan.period"))
                    with Horizontal(id="editor-date-row"):
                        yield Label(t("plan.start_date"), classes="date-label")
                        yield Input(
                            id="edit-start", placeholder=t("date.placeholder"), max_length=10
                        )
                        yield Label(t("plan.end_date"), classes="date-label")
                        yield Input(id="edit-end", placeholder=t("date.placeholder"), max_length=10)
                    yield Static("", id="edit-dates-error", classes="error")
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
            from sampro_tui.api import ServerUnreachable

            try:  # the tabs come back first; only the home feed's request may fail
                await self.install_tabs(self.plan)
            except ServerUnreachable as error:
                self.sampro.report_error(error)

    # --- showing ----------------------------------------------------------------------

    @property
    def can_edit(self) -> bool:
        plan = self.plan
        return (
            plan is not None
            and not plan.closed
            and plan.me.consent_valid
            and plan.me.rights.edit_presentation
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit":  # the home tab's editor: not offered from the other tabs
            return self.can_edit and not self.editing and self._home_tab_active()
        if action == "save":
            return self.editing
        return True

    def _home_tab_active(self) -> bool:
        tabs = self.query("#tabs")
        return not tabs or getattr(tabs.first(), "active", "") == "tab-home"

    @on(TabbedContent.TabActivated, "#tabs")
    def _tab_activated(self) -> None:
        self.refresh_bindings()  # "e" edits the home tab only while it shows

    @work(exclusive=True, group="plan", exit_on_error=False)
    async def load(self) -> None:
        plan = await self.sampro.api.plan(self.plan_id)
        self.show_plan(plan)
        await self.install_tabs(plan)
        if self.can_edit:
            await self.restore_draft()

    async def install_tabs(self, plan: PlanHome) -> None:
        """The tabs this participant may see, each installed by its feature."""
        from screens.plan.participants.pane import install_participants  # Deltakere, Logg by right

        if not plan.me.consent_valid:
            # A coordinator whose consent has run out: only Deltakere, to renew it.
            await install_participants(self, plan)
            return
        from screens.plan_content import install_content  # the content tabs, by rights

        await install_content(self, plan)
        await install_participants(self, plan)
        from screens.plan_collab import install_collab  # messages, calendar, timeline

        await install_collab(self, plan)

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
        focused = self.focused
        if not editing and focused is not None and self.query_one("#editor") in focused.ancestors:
            self.set_focus(None)  # a hidden field would take the next key ("e") as text
        self.refresh_bindings()

    def action_edit(
        self,
        presentation: str | None = None,
        status: str | None = None,
        start: str | None = None,
        end: str | None = None,
    ) -> None:
        if not self.can_edit or self.plan is None:
            self.notify(t("plan.no_right"), severity="warning")
            return
        plan = self.plan
        self.query_one("#edit-presentation", TextArea).load_text(
            plan.presentation if presentation is None else presentation
        )
        self.query_one("#edit-status", Input).value = plan.status_text if status is None else status
        # Only the coordinator changes the plan period (the server says so too).
        self.query_one("#editor-dates").display = plan.me.is_coordinator
        self.query_one("#edit-start", Input).value = (
            fmt_date(plan.start_date) if start is None else start
        )
        self.query_one("#edit-end", Input).value = fmt_date(plan.end_date) if end is None else end
        self.query_one("#edit-dates-error", Static).update("")
        self._set_editing(True)
        self.query_one("#edit-presentation", TextArea).focus()

    def action_edit_dates(self) -> None:
        """Straight to the plan period (Enter on that item of the completeness list)."""
        plan = self.plan
        if plan is None or not plan.me.is_coordinator or not self.can_edit:
            self.notify(t("plan.no_right"), severity="warning")
            return
        self.query_one("#tabs", TabbedContent).active = "tab-home"
        if not self.editing:
            self.action_edit()
        start = self.query_one("#edit-start", Input)
        start.focus()
        self.query_one("#home", VerticalScroll).scroll_to_widget(start)

    def _dates(self, plan: PlanHome) -> dict[str, date] | None:
        """The period's changed dates for the update, or None after showing what is wrong."""
        if not plan.me.is_coordinator:
            return {}
        error = self.query_one("#edit-dates-error", Static)
        values: dict[str, date | None] = {}
        fields = (
            ("start_date", "#edit-start", "plan.start_date", plan.start_date),
            ("end_date", "#edit-end", "plan.end_date", plan.end_date),
        )
        for name, selector, label, current in fields:
            text = self.query_one(selector, Input).value.strip()
            if not text:
                if current is not None:
                    error.update(t("plan.date_required", field=t(label)))
                    self.query_one(selector, Input).focus()
                    return None
                values[name] = None
                continue
            parsed = parse_date(text)
            if parsed is None:
                error.update(t("plan.bad_date", field=t(label)))
                self.query_one(selector, Input).focus()
                return None
            values[name] = parsed
        start, end = values["start_date"], values["end_date"]
        if start is not None and end is not None and end < start:
            error.update(t("plan.end_before_start"))
            self.query_one("#edit-end", Input).focus()
            return None
        error.update("")
        return {
            name: value
            for name, value in values.items()
            if value is not None and value != getattr(plan, name)
        }

    async def restore_draft(self) -> None:
        """A draft saved at the last session's expiry comes back into the editor."""
        key = f"plan-{self.plan_id}-home"
        drafts = await self.sampro.api.drafts()
        draft = next((d for d in drafts if d.key == key), None)
        if draft is None or self.editing:
            return
        texts = [
            value if isinstance(value := draft.payload.get(name), str) else None
            for name in ("presentation", "status_text", "start_date", "end_date")
        ]
        self.action_edit(*texts)
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
        dates = self._dates(plan)
        if dates is None:
            return
        from pydantic import ValidationError

        from sampro_tui.errors import local_validation_error

        self.busy = True
        try:
            try:
                update = PlanUpdate(
                    version=plan.version,
                    presentation=self.query_one("#edit-presentation", TextArea).text,
                    status_text=self.query_one("#edit-status", Input).value,
                    **dates,
                )
            except ValidationError as exc:  # refused before sending: said as the server would
                raise local_validation_error(exc) from exc
            saved = await self.sampro.api.update_plan(self.plan_id, update)
        except ApiError as error:
            if error.code == "version_conflict":
                # Show the newest content, keep the user's text; saving again overwrites.
                self.show_plan(await self.sampro.api.plan(self.plan_id))
                self.notify(t("plan.conflict"), severity="warning", timeout=12)
                return
            if error.code == "validation_error":
                from sampro_tui.errors import validation_summary

                summary = Text(validation_summary(error))  # the server's words are not markup
                self.query_one("#edit-dates-error", Static).update(summary)
                return
            raise
        finally:
            self.busy = False
        self._set_editing(False)
        self.show_plan(saved)
        self.notify(t("plan.saved"))
        self.discard_draft()
        if dates and saved.me.is_coordinator:  # the plan period item may be done now
            from screens.plan_content import show_completeness

            await show_completeness(self, saved)

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
        target = ids[(current + step) % len(ids)]
        if isinstance(tabs, PlanTabs):
            tabs.enter(target)
        else:
            tabs.active = target

    def action_back(self) -> None:
        if self.editing:
            self._set_editing(False)
            return
        if len(self.app.screen_stack) > 2:
            self.dismiss()
        else:
            self.sampro.open_plans()

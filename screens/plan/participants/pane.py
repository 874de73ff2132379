"""Deltakere: the plan group in a table (role, responsibility, consent expiry, how each wants
to hear of new messages) and the chosen participant's card (person, contact, consent and
rights, and on my own card my notifications).

Every participant sees the list and sets their own notifications. Only the coordinator
adds (an existing person of the unit), changes (role, consent expiry, responsibility,
rights) and removes participants; others are not shown those keys.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from sampro_contract import (
    Channel,
    NotificationPrefs,
    Participant,
    ParticipantCreate,
    ParticipantUpdate,
    Person,
    PersonCreate,
    PlanHome,
    PlanRole,
    Recipient,
)
from sampro_tui.api import ApiError
from sampro_tui.base import SamproPaneMixin, translate_bindings
from sampro_tui.i18n import t
from screens.plan.participants.card import (
    ADMIN_ACTIONS,
    NOTIFY_KINDS,
    ROLE_RANK,
    Row,
    card_contact,
    card_person,
    card_rights,
    columns,
    full_name,
    row_cells,
)
from screens.plan.participants.forms import (
    WAYS,
    changes,
    edit_fields,
    new_person_fields,
    notification_fields,
    person_label,
    role_field,
    unnest_person_fields,
)
from widgets.content_form import (
    ChooseDialog,
    ConfirmDialog,
    ContentForm,
    FormField,
    find_draft,
    forget_draft,
)
from widgets.plan_table import VirtualTable
from widgets.stylesheet import default_css

if TYPE_CHECKING:
    from screens.plan.screen import PlanScreen

# --- the pane ------------------------------------------------------------------------


class ParticipantTable(VirtualTable[Row]):
    class Moved(Message):
        """The cursor moved to another participant: show their card."""

    def watch_cursor_row(self, old: int, new: int) -> None:
        super().watch_cursor_row(old, new)
        self.post_message(self.Moved())


class ParticipantsPane(SamproPaneMixin, Vertical):
    """The Deltakere tab."""

    DEFAULT_CSS = default_css(__file__, "participants.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "add", "key.pp_add", id="participants.add"),
        Binding("N", "add_new", "key.pp_add_new", id="participants.add_new"),
        Binding("e", "edit", "key.pp_edit", id="participants.edit"),
        Binding("x,delete", "remove", "key.pp_remove", id="participants.remove"),
        Binding("v", "notifications", "key.pp_notify", id="participants.notifications"),
        Binding("m", "me", "key.pp_me", id="participants.me"),
    ]

    def __init__(self, plan: PlanHome, *, today: date | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        translate_bindings(self)
        self.plan = plan
        self.fixed_today = today
        self.rows: list[Row] = []
        self.prefs: NotificationPrefs | None = None
        self.loaded = asyncio.Event()

    @property
    def today(self) -> date:
        return self.fixed_today or date.today()

    def compose(self) -> ComposeResult:
        yield Static("", id="pp-count")
        yield ParticipantTable(columns(), lambda row: row_cells(row, self.today), id="pp-table")
        with VerticalScroll(id="pp-card", can_focus=False), Horizontal(id="pp-card-row"):
            yield Static(t("pp.pick"), id="pp-person")
            yield Static("", id="pp-contact")
            yield Static("", id="pp-rights")

    def on_mount(self) -> None:
        self.load()

    # --- loading and showing --------------------------------------------------------

    @work(exclusive=True, group="participants-load", exit_on_error=False)
    async def load(self, select_id: int | None = None) -> None:
        api, plan_id = self.sampro.api, self.plan.id
        participants, recipients, prefs = await asyncio.gather(
            api.participants(plan_id),
            api.recipients(plan_id),
            api.notification_prefs(plan_id),
            return_exceptions=True,
        )
        if isinstance(participants, BaseException):
            raise participants
        self.show(
            participants,
            recipients if isinstance(recipients, list) else [],
            prefs if isinstance(prefs, NotificationPrefs) else None,
            select_id,
        )
        self.loaded.set()

    def show(
        self,
        participants: list[Participant],
        recipients: list[Recipient],
        prefs: NotificationPrefs | None,
        select_id: int | None = None,
    ) -> None:
        table = self.query_one(ParticipantTable)
        current = table.current_row
        if select_id is None and current is not None:
            select_id = current.participant.id
        me = self.plan.me.participant_id
        notify = {r.participant_id: r.notify for r in recipients}
        self.prefs = prefs
        rows = [
            Row(
                p,
                p.id == me,
                (prefs.new_message if prefs else None) if p.id == me else notify.get(p.id),
            )
            for p in participants
        ]
        rows.sort(key=lambda r: (ROLE_RANK[r.participant.role], r.name.lower()))
        self.rows = rows
        table.set_rows(rows, keep_cursor=True)
        index = next((i for i, r in enumerate(rows) if r.participant.id == select_id), None)
        if index is not None:
            table.cursor_row = index
        count = t("pp.count", n=len(rows))
        if self.plan.closed:
            count += "  ·  " + t("pp.closed")
        self.query_one("#pp-count", Static).update(count)
        self.show_card()

    @on(ParticipantTable.Moved)
    def show_card(self) -> None:
        if not self.query("#pp-rights"):
            # The card's parts mount after the table, which may report its cursor first;
            # the card is filled when the participants arrive.
            return
        row = self.query_one(ParticipantTable).current_row
        if row is None:
            self.query_one("#pp-person", Static).update(t("pp.pick"))
            self.query_one("#pp-contact", Static).update("")
            self.query_one("#pp-rights", Static).update("")
        else:
            self.query_one("#pp-person", Static).update(card_person(row, self.prefs))
            self.query_one("#pp-contact", Static).update(card_contact(row))
            self.query_one("#pp-rights", Static).update(card_rights(row, self.today))
        if self.is_attached:
            self.screen.refresh_bindings()

    # --- what may be done now --------------------------------------------------------

    @property
    def current(self) -> Row | None:
        return self.query_one(ParticipantTable).current_row

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ADMIN_ACTIONS:
            if not self.plan.me.is_coordinator or self.plan.closed:
                return False
            row = self.current
            if action == "edit":
                return row is not None
            if action == "remove":
                return row is not None and not row.me and row.participant.role != PlanRole.OWNER
        if action == "notifications":
            return not self.plan.closed
        return True

    def action_me(self) -> None:
        table = self.query_one(ParticipantTable)
        index = next((i for i, r in enumerate(self.rows) if r.me), None)
        if index is not None:
            table.cursor_row = index
        table.focus()

    @on(VirtualTable.RowSelected)
    def _enter(self, event: VirtualTable.RowSelected) -> None:
        """Enter: my own card's notifications; the coordinator changes the participant."""
        row: Row = event.row
        if row.me and not self.plan.closed:
            self.action_notifications()
        elif self.check_action("edit", ()):
            self.action_edit()

    # --- my notifications (everyone) -------------------------------------------------

    @work(group="participants-forms", exit_on_error=False)
    async def action_notifications(self) -> None:
        if self.plan.closed:
            return
        api, plan_id = self.sampro.api, self.plan.id
        prefs = self.prefs or await api.notification_prefs(plan_id)

        async def submit(values: dict[str, Any]) -> NotificationPrefs:
            chosen = NotificationPrefs(**{kind: WAYS[values[kind]] for kind in NOTIFY_KINDS})
            saved: NotificationPrefs = await api.set_notification_prefs(plan_id, chosen)
            return saved

        form = ContentForm(t("pp.form.notify"), notification_fields(prefs), submit)
        saved = await self.app.push_screen_wait(form)
        if saved is not None:
            self.app.notify(t("pp.notify_saved"))
            self.load()

    # --- the coordinator's changes ---------------------------------------------------

    @work(group="participants-forms", exit_on_error=False)
    async def action_edit(self) -> None:
        row = self.current
        if row is None or not self.check_action("edit", ()):
            return
        api, plan_id = self.sampro.api, self.plan.id
        shown = row.participant
        version = shown.version

        async def submit(values: dict[str, Any]) -> Participant | bool:
            nonlocal version
            body = changes(shown, values)
            if not body:
                return False
            try:
                saved: Participant = await api.update_participant(
                    plan_id, shown.id, ParticipantUpdate(version=version, **body)
                )
            except ApiError as error:
                if error.code != "version_conflict":
                    raise
                # Show the newest in the list; the form keeps what was typed, and saving
                # again applies it on top of the newest version.
                fresh = next((p for p in await api.participants(plan_id) if p.id == shown.id), None)
                if fresh is None:
                    raise
                version = fresh.version
                self.load(shown.id)
                raise ApiError(409, "participant_changed", t("pp.conflict")) from error
            return saved

        title = t("pp.form.edit", name=row.name)
        # Saved as a draft if the session ends while it is open; offered back next time.
        key = f"plan-{plan_id}-participant-{shown.id}"
        form = ContentForm(
            title,
            edit_fields(shown),
            submit,
            draft_key=key,
            draft_kind="participant",
            plan_id=plan_id,
            draft=await find_draft(api, key),
        )
        result = await self.app.push_screen_wait(form)
        if result is False:
            self.app.notify(t("pp.unchanged"))
        elif isinstance(result, Participant):
            await forget_draft(api, key)
            self.app.notify(t("pp.saved"))
            self.load(result.id)
            if not self.plan.me.consent_valid:  # a renewed consent may open the plan again
                cast("PlanScreen", self.screen).load()

    @work(group="participants-forms", exit_on_error=False)
    async def action_add(self) -> None:
        if not self.check_action("add", ()):
            return
        api, plan_id = self.sampro.api, self.plan.id
        taking_part = {r.participant.person.id for r in self.rows}

        async def search(values: dict[str, Any]) -> list[Person]:
            found = await api.search_persons(plan_id, values["q"])
            fresh = [p for p in found if p.id not in taking_part]
            if not fresh:
                message = t("pp.no_match_new")
                raise ApiError(422, "validation_error", message, {"fields": {"q": message}})
            return fresh

        query = FormField("q", t("pp.form.search_field"), max_length=100)
        people = await self.app.push_screen_wait(ContentForm(t("pp.form.search"), [query], search))
        if not people:
            return
        choices = [(person_label(p), p) for p in people]
        person: Person | None = await self.app.push_screen_wait(
            ChooseDialog(t("pp.choose", n=len(people)), choices)
        )
        if person is None:
            return

        async def add(values: dict[str, Any]) -> Participant:
            added: Participant = await api.add_participant(
                plan_id,
                ParticipantCreate(
                    person_id=person.id,
                    role=PlanRole(values["role"]),
                    consent_expires=values["consent_expires"],
                    responsibility=values["responsibility"],
                ),
            )
            return added

        fields = [
            role_field(PlanRole.PROVIDER),
            FormField(
                "consent_expires",
                t("pp.consent"),
                "date",
                required=True,
                value=self.plan.owner_consent_expires,
            ),
            FormField("responsibility", t("pp.responsibility"), max_length=500),
        ]
        title = t("pp.form.add", name=full_name(person))
        added = await self.app.push_screen_wait(ContentForm(title, fields, add))
        if isinstance(added, Participant):
            self.app.notify(t("pp.added", name=full_name(added.person)))
            self.load(added.id)

    @work(group="participants-forms", exit_on_error=False)
    async def action_add_new(self) -> None:
        """Register a new person in the plan's unit and add them, with an account whose
        temporary password the server sends by SMS or e-mail (or without a login)."""
        if not self.check_action("add_new", ()):
            return
        api, plan_id = self.sampro.api, self.plan.id

        async def add(values: dict[str, Any]) -> Participant:
            account = values["account"] or "sms"
            body = ParticipantCreate(
                person=PersonCreate(
                    first_name=values["first_name"],
                    last_name=values["last_name"],
                    birth_date=values["birth_date"],
                    mobile=values["mobile"] or None,
                    email=values["email"] or None,
                    workplace=values["workplace"] or None,
                    position=values["position"] or None,
                ),
                create_account=account != "none",
                username=values["username"] or None,
                channel=Channel(account) if account != "none" else Channel.SMS,
                role=PlanRole(values["role"]),
                consent_expires=values["consent_expires"],
                responsibility=values["responsibility"],
            )
            try:
                added: Participant = await api.add_participant(plan_id, body)
            except ApiError as error:
                raise unnest_person_fields(error) from None
            return added

        form = ContentForm(t("pp.form.add_new"), new_person_fields(self.plan), add)
        added = await self.app.push_screen_wait(form)
        if isinstance(added, Participant):
            name = full_name(added.person)
            if added.temporary_password_sent is None:
                self.app.notify(t("pp.added", name=name))
            elif added.temporary_password_sent:
                self.app.notify(t("pp.added_with_account", name=name))
            else:
                self.app.notify(t("pp.added_password_failed", name=name), severity="warning")
            self.load(added.id)

    @work(group="participants-forms", exit_on_error=False)
    async def action_remove(self) -> None:
        row = self.current
        if row is None or not self.check_action("remove", ()):
            return
        if not await self.app.push_screen_wait(
            ConfirmDialog(t("pp.confirm_remove", name=row.name))
        ):
            return
        await self.sampro.api.remove_participant(self.plan.id, row.participant.id)
        self.app.notify(t("pp.removed", name=row.name))
        self.load()

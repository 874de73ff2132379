"""Meldinger: folders (received, sent, drafts), a sortable list, a reading pane with read
receipts, and the compose form (recipients picker, kind, category, subject, text) that
autosaves to drafts and is saved as a draft when the session runs out."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message as TextualMessage
from textual.widgets import (
    Footer,
    Input,
    Label,
    OptionList,
    Select,
    SelectionList,
    Static,
    TextArea,
)
from textual.widgets.option_list import Option

import sampro_tui.collab_texts  # noqa: F401 - registers the feature's texts
from sampro_contract import (
    DraftIn,
    Message,
    MessageFolder,
    MessageIn,
    MessageKind,
    MessageListItem,
    MessageSort,
    MessageUpdate,
    PlanHome,
    Recipient,
    SortOrder,
)
from sampro_tui.base import SamproModal, SamproPaneMixin, translate_bindings
from sampro_tui.formatting import fmt_datetime
from sampro_tui.i18n import t
from widgets.content_form import ConfirmDialog
from widgets.plan_table import Cell, Column, VirtualTable

PAGE_SIZE = 200
NEAR_END_ROWS = 20  # fetch the next page when the cursor is this close to the end
AUTOSAVE_SECONDS = 20.0

# (sort key, label, width) per folder; the first column names the other party.
COLUMNS: dict[MessageFolder, list[tuple[MessageSort, str, int]]] = {
    MessageFolder.INBOX: [
        (MessageSort.SENDER, "msg.col.from", 22),
        (MessageSort.SUBJECT, "msg.col.subject", 38),
        (MessageSort.KIND, "msg.col.kind", 9),
        (MessageSort.CATEGORY, "msg.col.category", 14),
        (MessageSort.DATE, "msg.col.date", 16),
    ],
    MessageFolder.SENT: [
        (MessageSort.RECIPIENT, "msg.col.to", 22),
        (MessageSort.SUBJECT, "msg.col.subject", 38),
        (MessageSort.KIND, "msg.col.kind", 9),
        (MessageSort.CATEGORY, "msg.col.category", 14),
        (MessageSort.DATE, "msg.col.date", 16),
        (MessageSort.READ, "msg.col.read", 6),
    ],
    MessageFolder.DRAFTS: [
        (MessageSort.RECIPIENT, "msg.col.to", 22),
        (MessageSort.SUBJECT, "msg.col.subject", 38),
        (MessageSort.KIND, "msg.col.kind", 9),
        (MessageSort.CATEGORY, "msg.col.category", 14),
        (MessageSort.DATE, "msg.col.date", 16),
    ],
}


# A search covers all my folders: the list then says, per message, which folder it is in.
SEARCH_COLUMNS: list[tuple[str, str, int]] = [
    ("folder", "msg.col.folder", 12),
    ("other", "msg.col.from", 22),
    (MessageSort.SUBJECT, "msg.col.subject", 34),
    (MessageSort.KIND, "msg.col.kind", 9),
    (MessageSort.CATEGORY, "msg.col.category", 14),
    (MessageSort.DATE, "msg.col.date", 16),
]


def search_cells(m: MessageListItem) -> list[Cell]:
    folder = m.folder or MessageFolder.INBOX
    other = m.sender.name if folder == MessageFolder.INBOX else m.recipients
    return [
        (t(f"msg.folder.{folder.value}"), None),
        (("← " if folder == MessageFolder.INBOX else "→ ") + other, None),
        (m.subject, None),
        (t(f"msg.kind.{m.kind.value}"), None),
        (m.category or "", None),
        (fmt_datetime(m.at), None),
    ]


def message_cells(folder: MessageFolder | None, m: MessageListItem) -> list[Cell]:
    if folder is None:
        return search_cells(m)
    other = m.sender.name if folder == MessageFolder.INBOX else m.recipients
    cells: list[Cell] = [
        (other, None),
        (m.subject, None),
        (t(f"msg.kind.{m.kind.value}"), None),
        (m.category or "", None),
        (fmt_datetime(m.at), None),
    ]
    if folder == MessageFolder.SENT:
        unread = m.read_count < m.recipient_count
        cells.append((f"{m.read_count}/{m.recipient_count}", "mark" if unread else None))
    return cells


class MessageTable(VirtualTable[MessageListItem]):
    """The message list; `s` chooses the next sort column (the pane's `o` reverses)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "next_sort", "key.sort", id="messages.sort"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        self.folder: MessageFolder | None = MessageFolder.INBOX  # None: search, all folders
        super().__init__(
            self._columns(MessageFolder.INBOX),
            lambda m: message_cells(self.folder, m),
            row_style=lambda m: "mark" if m.unread else None,
            **kwargs,
        )

    @staticmethod
    def _columns(folder: MessageFolder | None) -> list[Column]:
        if folder is None:
            return [Column(str(key), t(label), width) for key, label, width in SEARCH_COLUMNS]
        return [Column(key.value, t(label), width) for key, label, width in COLUMNS[folder]]

    def set_folder(self, folder: MessageFolder | None) -> None:
        self.folder = folder
        self.columns = self._columns(folder)
        self._total_width = sum(c.width + 1 for c in self.columns)

    class NearEnd(TextualMessage):
        """The cursor came close to the last loaded row: time to fetch the next page."""

    def watch_cursor_row(self, old: int, new: int) -> None:
        super().watch_cursor_row(old, new)
        if self.rows and new >= len(self.rows) - NEAR_END_ROWS:
            self.post_message(self.NearEnd())

    def action_next_sort(self) -> None:
        if self.folder is None:  # search results are by date; `o` reverses them
            self.app.notify(t("msg.search_sort"))
            return
        keys = [c.key for c in self.columns]
        current = keys.index(self.sort_key) if self.sort_key in keys else -1
        self.post_message(self.HeaderClicked(self, self.columns[(current + 1) % len(keys)]))


def reading_text(m: Message) -> str:
    """The reading pane: header, text and, for the sender, who has read it and when."""
    lines = [f"[b]{_escape(m.subject)}[/b]", t("msg.from", name=_escape(m.sender.name))]
    lines.append(t("msg.to", names=_escape(", ".join(r.name for r in m.recipients))))
    kind = t(f"msg.kind.{m.kind.value}") + (f" · {_escape(m.category)}" if m.category else "")
    when = (
        t("msg.sent", when=fmt_datetime(m.sent_at))
        if m.sent_at
        else t("msg.draft_saved_at", when=fmt_datetime(m.updated_at))
    )
    lines += [f"{kind} · {when}", "", _escape(m.body)]
    if m.mine and m.sent_at is not None:
        lines += ["", f"[b]{t('msg.receipts')}[/b]"]
        for r in m.recipients:
            if r.read_at is None:  # not yet read: bold, as the seeds show it
                lines.append(f"[b]  {_escape(r.name)}: {t('msg.unread')}[/b]")
            else:
                lines.append(
                    f"  {_escape(r.name)}: {t('msg.read_at', when=fmt_datetime(r.read_at))}"
                )
    return "\n".join(lines)


def _escape(text: str) -> str:
    return text.replace("[", r"\[")


class MessagesPane(SamproPaneMixin, Vertical):
    """The Meldinger tab. Its workers' failures are shown as messages (a lost session
    goes back to login) through SamproPaneMixin."""

    DEFAULT_CSS = """
    MessagesPane { height: 1fr; }
    MessagesPane #msg-top { height: 55%; }
    MessagesPane #msg-folders { width: 18; height: 1fr; border: round $panel-lighten-2; }
    MessagesPane #msg-list-box { width: 1fr; }
    MessagesPane #msg-search { height: 3; }
    MessagesPane #msg-count { height: 1; color: $text-muted; }
    MessagesPane #msg-reading { height: 1fr; border: round $panel-lighten-2; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "compose", "key.new_message", id="messages.new"),
        Binding("r", "reply(False)", "key.reply", id="messages.reply"),
        Binding("a", "reply(True)", "key.reply_all", id="messages.reply_all"),
        Binding("f", "forward", "key.forward", id="messages.forward"),
        Binding("x", "delete_draft", "key.delete_draft", id="messages.delete"),
        Binding("o", "reverse", "key.reverse", id="messages.reverse"),
        Binding("slash", "search", "key.search", id="messages.search"),
        Binding("m", "next_folder", "key.folder", id="messages.folder"),
    ]

    def __init__(self, plan: PlanHome, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        translate_bindings(self)
        self.plan = plan
        self.folder = MessageFolder.INBOX
        self.sort = MessageSort.DATE
        self.order = SortOrder.DESC
        self.query_text = ""
        self.items: list[MessageListItem] = []
        self.total = 0
        self.current: Message | None = None
        self.loaded = asyncio.Event()

    def compose(self) -> ComposeResult:
        with Horizontal(id="msg-top"):
            yield OptionList(
                *[Option(t(f"msg.folder.{f.value}"), id=f.value) for f in MessageFolder],
                id="msg-folders",
            )
            with Vertical(id="msg-list-box"):
                # Set up here, not in on_mount: the pane is mounted in the background
                # after the plan opens, and one left at once has lost its children by
                # the time its Mount event comes.
                search = Input(placeholder=t("msg.search"), id="msg-search")
                search.display = False
                yield search
                table = MessageTable(id="msg-table")
                table.set_sort(self.sort.value, True)
                yield table
                yield Static("", id="msg-count")
        with VerticalScroll(id="msg-reading"):
            yield Static(t("msg.pick"), id="msg-body")

    def on_mount(self) -> None:
        self.load()
        if not self.plan.closed:
            self.restore_draft()

    @work(group="messages-restore", exit_on_error=False)
    async def restore_draft(self) -> None:
        """A message being written when the last session ran out comes back in the form."""
        prefix = f"plan-{self.plan.id}-message-"
        drafts = await self.api.drafts()
        draft = next((d for d in drafts if d.key.startswith(prefix)), None)
        if draft is None or isinstance(self.app.screen, ComposeScreen):
            return
        start = ComposeStart.from_payload(draft.payload)
        self.app.push_screen(ComposeScreen(self.plan, start, restored=draft.key), self._composed)
        self.app.notify(t("msg.draft_restored"), timeout=8)

    @property
    def api(self) -> Any:
        return self.app.api  # type: ignore[attr-defined]

    # --- the list -------------------------------------------------------------------

    @work(exclusive=True, group="messages-list", exit_on_error=False)
    async def load(self, keep_cursor: bool = False) -> None:
        page = await self._page()
        self.show_page(page.items, page.total, keep_cursor)
        self.loaded.set()

    @on(MessageTable.NearEnd)
    def _near_end(self) -> None:
        if len(self.items) < self.total:
            self.load_more(len(self.items) // PAGE_SIZE + 1)

    @work(exclusive=True, group="messages-more", exit_on_error=False)
    async def load_more(self, page_number: int) -> None:
        """The next page of a long folder, appended under the rows already shown."""
        folder, loaded, query = self.folder, len(self.items), self.query_text
        page = await self._page(page_number)
        if folder is not self.folder or len(self.items) != loaded or query != self.query_text:
            return  # the list changed meanwhile (another folder, sort or search)
        known = {m.id for m in self.items}
        self.show_page(self.items + [m for m in page.items if m.id not in known], page.total, True)

    @property
    def searching(self) -> bool:
        """A search term covers all my folders (the issue: search "within the plan")."""
        return bool(self.query_text.strip())

    def _page(self, page: int = 1) -> Any:
        return self.api.messages(
            self.plan.id,
            self.folder,
            query=self.query_text,
            sort=MessageSort.DATE if self.searching else self.sort,
            order=self.order,
            page=page,
            page_size=PAGE_SIZE,
            all_folders=self.searching,
        )

    def show_page(
        self, items: list[MessageListItem], total: int, keep_cursor: bool = False
    ) -> None:
        self.items, self.total = items, total
        table = self.query_one(MessageTable)
        table.set_folder(None if self.searching else self.folder)
        sort = MessageSort.DATE if self.searching else self.sort
        table.set_sort(sort.value, self.order is SortOrder.DESC)
        table.set_rows(items, keep_cursor=keep_cursor)
        count = t("msg.count", shown=len(items), total=total) if items else t("msg.empty")
        if self.searching:
            count = t("msg.search_all", query=self.query_text.strip()) + " · " + count
        self.query_one("#msg-count", Static).update(count)

    @on(OptionList.OptionSelected, "#msg-folders")
    def _folder_chosen(self, event: OptionList.OptionSelected) -> None:
        self.set_folder(MessageFolder(event.option.id or "inbox"))

    def set_folder(self, folder: MessageFolder) -> None:
        self.folder = folder
        if self.searching:  # choosing a folder ends the search in all folders
            self.query_text = ""
            search = self.query_one("#msg-search", Input)
            search.value, search.display = "", False
        keys = [key for key, _, _ in COLUMNS[folder]]
        if self.sort not in keys:  # e.g. "Fra" in the inbox becomes "Til" in the sent folder
            other_party = (MessageSort.SENDER, MessageSort.RECIPIENT)
            self.sort = keys[0] if self.sort in other_party else MessageSort.DATE
        self.query_one("#msg-folders", OptionList).highlighted = list(MessageFolder).index(folder)
        self.current = None
        self.query_one("#msg-body", Static).update(t("msg.pick"))
        self.loaded.clear()
        self.load()
        self.query_one(MessageTable).focus()

    def action_next_folder(self) -> None:
        folders = list(MessageFolder)
        self.set_folder(folders[(folders.index(self.folder) + 1) % len(folders)])

    @on(VirtualTable.HeaderClicked)
    def _sort(self, event: VirtualTable.HeaderClicked) -> None:
        if self.searching or event.column.key not in set(MessageSort):
            if self.searching:
                self.app.notify(t("msg.search_sort"))
            return
        sort = MessageSort(event.column.key)
        if sort == self.sort:
            self.order = SortOrder.ASC if self.order is SortOrder.DESC else SortOrder.DESC
        else:
            self.sort, self.order = sort, SortOrder.ASC
        self.load()

    def action_reverse(self) -> None:
        self.order = SortOrder.ASC if self.order is SortOrder.DESC else SortOrder.DESC
        self.load()

    def action_search(self) -> None:
        field = self.query_one("#msg-search", Input)
        field.display = True
        field.focus()

    @on(Input.Submitted, "#msg-search")
    def _search(self, event: Input.Submitted) -> None:
        self.query_text = event.value
        if not event.value:
            event.input.display = False
        self.load()
        self.query_one(MessageTable).focus()

    # --- reading --------------------------------------------------------------------

    @on(VirtualTable.RowSelected)
    def _open(self, event: VirtualTable.RowSelected) -> None:
        item: MessageListItem = event.row
        if (item.folder or self.folder) == MessageFolder.DRAFTS:
            self.edit_draft(item.id)
        else:
            self.open_message(item.id)

    @work(exclusive=True, group="messages-open", exit_on_error=False)
    async def open_message(self, message_id: int) -> None:
        message = await self.api.message(self.plan.id, message_id)
        self.show_message(message)
        for i, item in enumerate(self.items):
            if item.id == message_id and item.unread:
                self.items[i] = item.model_copy(update={"unread": False})
                self.query_one(MessageTable).set_rows(self.items, keep_cursor=True)

    def show_message(self, message: Message) -> None:
        self.current = message
        self.query_one("#msg-body", Static).update(reading_text(message))

    # --- writing --------------------------------------------------------------------

    def _writable(self) -> bool:
        if self.plan.closed:
            self.app.notify(t("msg.closed"), severity="warning")
            return False
        return True

    def action_compose(self) -> None:
        if self._writable():
            self.app.push_screen(ComposeScreen(self.plan), self._composed)

    def action_reply(self, to_all: bool) -> None:
        m = self.current
        if m is None or m.draft or not self._writable():
            return
        others = {r.participant_id for r in m.recipients}
        # From the sent folder a reply goes on to those I wrote to (reply and reply to all
        # alike), not back to me.
        mine = m.mine
        recipients = others if mine else {m.sender.participant_id} | (others if to_all else set())
        prefix = t("msg.reply_prefix")
        subject = m.subject if m.subject.startswith(prefix) else prefix + m.subject
        quoted = "\n".join("> " + line for line in m.body.splitlines())
        start = ComposeStart(
            subject=subject,
            body=f"\n\n{quoted}",
            recipient_ids=sorted(recipients),
            reply_to_id=m.id,
        )
        self.app.push_screen(ComposeScreen(self.plan, start), self._composed)

    def action_forward(self) -> None:
        m = self.current
        if m is None or m.draft or not self._writable():
            return
        header = t(
            "msg.forwarded",
            name=m.sender.name,
            when=fmt_datetime(m.sent_at),
            subject=m.subject,
        )
        start = ComposeStart(
            subject=t("msg.forward_prefix") + m.subject,
            body=f"\n\n{header}\n\n{m.body}",
            kind=m.kind,
            category=m.category or "",
        )
        self.app.push_screen(ComposeScreen(self.plan, start), self._composed)

    @work(exclusive=True, group="messages-open", exit_on_error=False)
    async def edit_draft(self, message_id: int) -> None:
        draft = await self.api.message(self.plan.id, message_id)
        self.show_message(draft)
        if not self._writable():
            return
        start = ComposeStart(
            subject=draft.subject,
            body=draft.body,
            kind=draft.kind,
            category=draft.category or "",
            recipient_ids=[r.participant_id for r in draft.recipients],
            reply_to_id=draft.reply_to_id,
            draft_id=draft.id,
            version=draft.version,
        )
        self.app.push_screen(ComposeScreen(self.plan, start), self._composed)

    @work(group="messages-delete", exit_on_error=False)
    async def action_delete_draft(self) -> None:
        table = self.query_one(MessageTable)
        row = table.current_row
        if row is None or (row.folder or self.folder) != MessageFolder.DRAFTS:
            return
        if not self._writable():
            return
        subject = row.subject or t("msg.no_subject_short")
        if not await self.app.push_screen_wait(
            ConfirmDialog(t("msg.confirm_delete", subject=subject))
        ):
            return
        await self.api.delete_message(self.plan.id, row.id)
        self.app.notify(t("msg.deleted"))
        self.load()

    def _composed(self, result: Any) -> None:
        self.load(keep_cursor=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("reply", "forward"):
            return self.current is not None and not self.current.draft
        if action == "delete_draft":
            return self.folder == MessageFolder.DRAFTS or self.searching
        return True


# --- compose ------------------------------------------------------------------------


class ComposeStart:
    """What the compose form opens with (a reply, a forward, a draft, a restored form)."""

    def __init__(
        self,
        *,
        subject: str = "",
        body: str = "",
        kind: MessageKind = MessageKind.MESSAGE,
        category: str = "",
        recipient_ids: list[int] | None = None,
        reply_to_id: int | None = None,
        draft_id: int | None = None,
        version: int | None = None,
    ) -> None:
        self.subject = subject
        self.body = body
        self.kind = kind
        self.category = category
        self.recipient_ids = recipient_ids or []
        self.reply_to_id = reply_to_id
        self.draft_id = draft_id
        self.version = version

    @classmethod
    def from_payload(cls, payload: dict[str, object]) -> ComposeStart:
        def text(key: str) -> str:
            value = payload.get(key)
            return value if isinstance(value, str) else ""

        def number(key: str) -> int | None:
            value = payload.get(key)
            return value if isinstance(value, int) else None

        ids = payload.get("recipient_ids")
        kind = text("kind")
        return cls(
            subject=text("subject"),
            body=text("body"),
            kind=MessageKind(kind) if kind in set(MessageKind) else MessageKind.MESSAGE,
            category=text("category"),
            recipient_ids=[i for i in ids if isinstance(i, int)] if isinstance(ids, list) else [],
            reply_to_id=number("reply_to_id"),
            draft_id=number("draft_id"),
            version=number("version"),
        )


def notify_label(r: Recipient) -> str:
    ways = ", ".join(t(f"msg.notify.{c.value}") for c in r.notify) or t("msg.notify.none")
    return f"{r.name} ({t(f'role.{r.role.value}')}) – {ways}"


class ComposeScreen(SamproModal):
    """Write a message, note or minutes. Implements SavesOwnDraft (at session expiry the
    form becomes the message's draft) and SupportsDrafts (the fallback when that fails)."""

    DEFAULT_CSS = """
    ComposeScreen { align: center middle; }
    ComposeScreen #compose { width: 100; max-width: 100%; height: 95%; border: thick $accent;
        background: $surface; padding: 0 1; }
    ComposeScreen #compose-recipients { height: 7; }
    ComposeScreen #compose-body { height: 1fr; min-height: 5; }
    ComposeScreen #compose-row { height: auto; }
    ComposeScreen #compose-row Select { width: 24; }
    ComposeScreen #compose-category { width: 1fr; }
    ComposeScreen #compose-status { height: 1; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "key.send", id="compose.send", priority=True),
        Binding("ctrl+d", "save_draft", "key.save_draft", id="compose.draft", priority=True),
        Binding("escape", "close", "key.close", id="compose.close"),
        Binding("ctrl+g", "discard", "key.discard", id="compose.discard", priority=True),
    ]

    def __init__(
        self, plan: PlanHome, start: ComposeStart | None = None, restored: str | None = None
    ) -> None:
        super().__init__()
        self.plan = plan
        self.start = start or ComposeStart()
        self.restored = restored  # the session-expiry draft this form was filled from
        self.draft_id = self.start.draft_id
        self.version = self.start.version
        self.saved_state: tuple[object, ...] | None = None
        self.busy = False
        self.save_failed = False  # the last save failed: Esc again offers to close unsaved

    # --- SupportsDrafts ----------------------------------------------------------------

    def draft_key(self) -> str | None:
        return f"plan-{self.plan.id}-message-{self.draft_id or 'new'}"

    def current_draft(self) -> DraftIn | None:
        if not self.is_mounted or self._state() == self.saved_state:
            return None
        payload = self._payload()
        return DraftIn(kind="message", plan_id=self.plan.id, payload=payload)

    # --- SavesOwnDraft -------------------------------------------------------------------

    async def save_own_draft(self) -> bool:
        """At session expiry: save the form as the message's own draft, so that it is
        under "under arbeid" at once (the generic /me/drafts copy is only the fallback)."""
        if not self.is_mounted or self._empty() or self._state() == self.saved_state:
            return False
        for _ in range(20):  # an autosave in flight: let it finish (at most two seconds)
            if not self.busy:
                break
            await asyncio.sleep(0.1)
        if self.busy:
            return False
        self.busy = True
        try:
            await self._store(send=False)
        finally:
            self.busy = False
        await self._forget_core_drafts()
        return True

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="compose"):
            yield Label(f"[b]{t('msg.compose_title')}[/b]")
            yield Label(t("msg.recipients"))
            yield SelectionList[int](id="compose-recipients")
            with Horizontal(id="compose-row"):
                yield Select(
                    [(t(f"msg.kind.{k.value}"), k.value) for k in MessageKind],
                    value=self.start.kind.value,
                    allow_blank=False,
                    id="compose-kind",
                )
                yield Input(
                    self.start.category,
                    placeholder=t("msg.category"),
                    id="compose-category",
                    max_length=100,
                )
            yield Input(
                self.start.subject,
                placeholder=t("msg.subject"),
                id="compose-subject",
                max_length=300,
            )
            yield TextArea(self.start.body, id="compose-body", soft_wrap=True, tab_behavior="focus")
            yield Static("", id="compose-status")
        yield Footer()

    def on_mount(self) -> None:
        self._show_category()
        self.load_recipients()
        self.set_interval(AUTOSAVE_SECONDS, self._autosave)
        self.query_one("#compose-recipients").focus()

    @on(Select.Changed, "#compose-kind")
    def _show_category(self) -> None:
        """Only notes and minutes have a category (the server drops it on a message)."""
        self.query_one("#compose-category", Input).display = self._kind() != MessageKind.MESSAGE

    @work(exclusive=True, group="compose-recipients", exit_on_error=False)
    async def load_recipients(self) -> None:
        recipients: list[Recipient] = await self.app.api.recipients(self.plan.id)  # type: ignore[attr-defined]
        picker = self.query_one("#compose-recipients", SelectionList)
        chosen = set(self.start.recipient_ids)
        picker.add_options(
            [(notify_label(r), r.participant_id, r.participant_id in chosen) for r in recipients]
        )
        self.saved_state = self._state() if self.draft_id else None

    # --- the form's content -----------------------------------------------------------

    def _recipient_ids(self) -> list[int]:
        return list(self.query_one("#compose-recipients", SelectionList).selected)

    def _kind(self) -> MessageKind:
        value = self.query_one("#compose-kind", Select).value
        return MessageKind(value) if isinstance(value, str) else MessageKind.MESSAGE

    def _state(self) -> tuple[object, ...]:
        return (
            tuple(sorted(self._recipient_ids())),
            self._kind(),
            self.query_one("#compose-category", Input).value,
            self.query_one("#compose-subject", Input).value,
            self.query_one("#compose-body", TextArea).text,
        )

    def _payload(self) -> dict[str, object]:
        recipients, kind, category, subject, body = self._state()
        return {
            "recipient_ids": list(recipients),  # type: ignore[call-overload]
            "kind": str(kind),
            "category": category,
            "subject": subject,
            "body": body,
            "reply_to_id": self.start.reply_to_id,
            "draft_id": self.draft_id,
            "version": self.version,
        }

    def _empty(self) -> bool:
        _, _, category, subject, body = self._state()
        return not (str(category).strip() or str(subject).strip() or str(body).strip())

    # --- saving and sending -----------------------------------------------------------

    async def _store(self, send: bool) -> Message:
        api = self.app.api  # type: ignore[attr-defined]
        kind = self._kind()
        category = self.query_one("#compose-category", Input).value or None
        if kind == MessageKind.MESSAGE:
            category = None
        subject = self.query_one("#compose-subject", Input).value
        body = self.query_one("#compose-body", TextArea).text
        recipients = self._recipient_ids()
        if self.draft_id is None:
            message: Message = await api.create_message(
                self.plan.id,
                MessageIn(
                    kind=kind,
                    category=category,
                    subject=subject,
                    body=body,
                    recipient_ids=recipients,
                    reply_to_id=self.start.reply_to_id,
                    send=send,
                ),
            )
        else:
            message = await api.update_message(
                self.plan.id,
                self.draft_id,
                MessageUpdate(
                    version=self.version or 1,
                    kind=kind,
                    category=category or "",
                    subject=subject,
                    body=body,
                    recipient_ids=recipients,
                    send=send,
                ),
            )
        self.draft_id, self.version = message.id, message.version
        self.saved_state = self._state()
        return message

    @work(exclusive=True, group="compose-save", exit_on_error=False)
    async def action_send(self) -> None:
        if self.busy:
            return
        if not self._recipient_ids():
            self.notify(t("msg.no_recipients"), severity="warning")
            return
        if not self.query_one("#compose-subject", Input).value.strip():
            self.notify(t("msg.no_subject"), severity="warning")
            return
        self.busy = True
        try:
            await self._store(send=True)
        finally:
            self.busy = False
        self._forget_core_draft()
        self.app.notify(t("msg.sent_ok"))
        self.dismiss(True)

    @work(exclusive=True, group="compose-save", exit_on_error=False)
    async def action_save_draft(self) -> None:
        await self._save_draft()
        self.notify(t("msg.draft_ok"))

    async def _save_draft(self) -> None:
        if self.busy:
            return
        self.busy = True
        try:
            await self._store(send=False)
            self.save_failed = False
        except BaseException:
            self.save_failed = True
            raise
        finally:
            self.busy = False
        self._forget_core_draft()

    @work(exclusive=True, group="compose-save", exit_on_error=False)
    async def _autosave(self) -> None:
        if self._empty() or self._state() == self.saved_state:
            return
        await self._save_draft()
        when = fmt_datetime(datetime.now().astimezone())
        self.query_one("#compose-status", Static).update(t("msg.autosaved", when=when))

    @work(exclusive=True, group="compose-save", exit_on_error=False)
    async def action_close(self) -> None:
        """Leave the form; what was written is kept under "under arbeid", never lost. If
        it cannot be saved (the server gone, a newer version of the draft elsewhere), the
        form stays and says why; Esc again offers to close without saving."""
        from sampro_tui.api import ApiError, ServerUnreachable
        from sampro_tui.errors import describe

        if self._empty() or self._state() == self.saved_state:
            self.dismiss(False)
            return
        if self.save_failed:
            await self._discard()
            return
        try:
            await self._save_draft()
        except (ApiError, ServerUnreachable) as error:
            if isinstance(error, ApiError) and error.session_lost:
                raise  # back to login; the form's text is kept as at session expiry
            reason = describe(error)
            self.query_one("#compose-status", Static).update(t("msg.save_failed", reason=reason))
            self.notify(t("msg.save_failed", reason=reason), severity="error", timeout=10)
            return
        self.app.notify(t("msg.draft_ok"))
        self.dismiss(False)

    @work(exclusive=True, group="compose-save", exit_on_error=False)
    async def action_discard(self) -> None:
        """Close without saving, after asking (Ctrl+Q, or Esc after a failed save)."""
        if self._empty() or self._state() == self.saved_state:
            self.dismiss(False)
            return
        await self._discard()

    async def _discard(self) -> None:
        """Ask; then copy the text to the clipboard and keep it in the generic draft store
        (offered back the next time Meldinger opens) as far as the server allows."""
        from sampro_tui.api import ApiError, ServerUnreachable

        if not await self.app.push_screen_wait(ConfirmDialog(t("msg.close_unsaved"))):
            return
        subject = self.query_one("#compose-subject", Input).value
        body = self.query_one("#compose-body", TextArea).text
        self.app.copy_to_clipboard(f"{subject}\n\n{body}" if subject else body)
        # Kept as a new message: the stored draft it came from may be the very version
        # that could not be overwritten.
        payload = {**self._payload(), "draft_id": None, "version": None}
        draft = DraftIn(kind="message", plan_id=self.plan.id, payload=payload)
        key = f"plan-{self.plan.id}-message-unsaved-{self.draft_id or 'new'}"
        if not self._empty():
            with contextlib.suppress(ApiError, ServerUnreachable):  # the clipboard has it
                await self.app.api.save_draft(key, draft)  # type: ignore[attr-defined]
        self.app.notify(t("msg.closed_unsaved"), severity="warning", timeout=10)
        self.dismiss(False)

    @work(group="drafts", exit_on_error=False)
    async def _forget_core_draft(self) -> None:
        await self._forget_core_drafts()

    async def _forget_core_drafts(self) -> None:
        """The session-expiry copy of this form is no longer needed once saved."""
        from sampro_tui.api import ApiError

        keys = {f"plan-{self.plan.id}-message-new", self.draft_key() or "", self.restored or ""}
        for key in keys - {""}:
            try:
                await self.app.api.delete_draft(key)  # type: ignore[attr-defined]
            except ApiError as error:
                if error.status != 404:
                    raise

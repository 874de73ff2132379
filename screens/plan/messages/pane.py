"""Meldinger: folders (received, sent, drafts), a sortable list, a reading pane with read
receipts, and the compose form (recipients picker, kind, category, subject, text) that
autosaves to drafts and is saved as a draft when the session runs out."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message as TextualMessage
from textual.screen import Screen
from textual.widgets import (
    Input,
    OptionList,
    Static,
)
from textual.widgets.option_list import Option

from sampro_contract import (
    Message,
    MessageFolder,
    MessageListItem,
    MessageSort,
    PlanHome,
    SortOrder,
)
from sampro_tui.base import SamproPaneMixin, translate_bindings
from sampro_tui.formatting import fmt_datetime
from sampro_tui.i18n import t
from screens.plan.messages.compose import ComposeScreen, ComposeStart
from screens.plan.tabs import show_tab
from widgets.content_form import ConfirmDialog
from widgets.plan_table import Cell, Column, VirtualTable
from widgets.stylesheet import default_css

PAGE_SIZE = 200
NEAR_END_ROWS = 20  # fetch the next page when the cursor is this close to the end

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

    DEFAULT_CSS = default_css(__file__, "messages.tcss")
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


def open_in_messages(screen: Screen[Any], message_id: int, inbox: bool = True) -> None:
    """Open a message in Meldinger (in the inbox folder, for a message to me), from a link
    on the home feed or the timeline."""
    pane = screen.query_one(MessagesPane)
    show_tab(screen, "tab-messages", pane.query_one(MessageTable))
    if inbox and pane.folder != MessageFolder.INBOX:
        pane.set_folder(MessageFolder.INBOX)
    pane.open_message(message_id)

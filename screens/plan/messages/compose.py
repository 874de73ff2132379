"""Writing a message (Skriv melding): the compose dialog, for a new message, a reply, a
forward or a draft; its text is saved as a draft as it is written."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import (
    Footer,
    Input,
    Label,
    Select,
    SelectionList,
    Static,
    TextArea,
)

from sampro_contract import (
    DraftIn,
    Message,
    MessageIn,
    MessageKind,
    MessageUpdate,
    PlanHome,
    Recipient,
)
from sampro_tui.base import SamproModal
from sampro_tui.formatting import fmt_datetime
from sampro_tui.i18n import t
from widgets.content_form import ConfirmDialog
from widgets.stylesheet import default_css

AUTOSAVE_SECONDS = 20.0  # how often an open message is saved as its draft


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

    DEFAULT_CSS = default_css(__file__, "compose.tcss")
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

"""Forms for plan content: fields from a spec, mandatory fields checked before sending, the
server's field errors shown under their fields, unsent text kept as a draft.

`ContentForm` calls its `submit` coroutine with the parsed values and closes only when
that succeeds; an `ApiError` with field details is shown in the form. A confirmation
dialog and a chooser (one of a list) complete the set.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from sampro_contract import DraftIn
from sampro_tui.api import ApiError
from sampro_tui.base import SamproModal
from sampro_tui.errors import describe, field_errors, field_label
from sampro_tui.formatting import fmt_date, parse_date
from sampro_tui.i18n import t
from widgets.stylesheet import default_css

if TYPE_CHECKING:
    from textual.app import App

    from sampro_tui.api import ApiClient

FieldKind = Literal["text", "textarea", "date", "percent", "select"]


async def find_draft(api: ApiClient, key: str) -> dict[str, object] | None:
    """The payload of the draft saved under `key` (at a session's expiry), if any."""
    try:
        drafts = await api.drafts()
    except ApiError:
        return None
    found = next((d for d in drafts if d.key == key), None)
    return found.payload if found else None


async def forget_draft(api: ApiClient, key: str) -> None:
    """Remove the draft under `key` once what it held is saved (gone already is fine)."""
    with contextlib.suppress(ApiError):
        await api.delete_draft(key)


async def run_form(app: App[Any], api: ApiClient, form: ContentForm) -> Any:
    """Show `form` until it is saved or closed; returns what `submit` returned, or None.

    Its draft (from an earlier session's expiry) is removed once the form is saved, and
    also when the person cancels it: cancelling says the text is not wanted, so it is not
    offered again. A form closed any other way (the session ending) keeps its draft.
    """
    result = await app.push_screen_wait(form)
    key = form.draft_key()
    if key and (result is not None or form.cancelled):
        await forget_draft(api, key)
    return result


async def run_plan_form(
    app: App[Any],
    api: ApiClient,
    plan_id: int,
    title: str,
    fields: list[FormField],
    submit: Callable[[dict[str, Any]], Awaitable[Any]],
    key: str,
) -> Any:
    """A plan-content form with the draft saved under `key` at an earlier session's expiry
    offered back; says so when saved, and returns what `submit` returned (None: not saved)."""
    shown = ContentForm(
        title,
        fields,
        submit,
        draft_key=key,
        draft_kind="plan_content",
        plan_id=plan_id,
        draft=await find_draft(api, key),
    )
    result = await run_form(app, api, shown)
    if result is not None:
        app.notify(t("content.saved"))
    return result


@dataclass
class FormField:
    name: str  # the API's field name, so the server's field errors land here
    label: str
    kind: FieldKind = "text"
    required: bool = False
    value: Any = None  # initial value: str, date, int or a select value
    options: list[tuple[str, Any]] = field(default_factory=list)  # for "select"
    max_length: int = 300


def _initial_text(f: FormField) -> str:
    if f.value is None:
        return ""
    if f.kind == "date" and isinstance(f.value, date):
        return fmt_date(f.value)
    return str(f.value)


class ContentForm(SamproModal):
    """One form; dismisses with whatever `submit` returned once it succeeded."""

    DEFAULT_CSS = default_css(__file__, "content_form.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "key.save", id="form.save", priority=True),
        Binding("escape", "cancel", "key.cancel", id="form.cancel"),
    ]

    def __init__(
        self,
        title: str,
        fields: list[FormField],
        submit: Callable[[dict[str, Any]], Awaitable[Any]],
        *,
        draft_key: str | None = None,
        draft_kind: str = "content",
        plan_id: int | None = None,
        draft: dict[str, object] | None = None,
    ) -> None:
        super().__init__(classes="content-form")
        self.form_title = title
        self.fields = fields
        self.submit = submit
        self._draft_key = draft_key
        self.draft_kind = draft_kind
        self.plan_id = plan_id
        self.initial = {f.name: _initial_text(f) for f in fields}
        self.restored = draft or {}
        self.busy = False
        self.cancelled = False  # closed by the person (Escape, Avbryt), not by saving

    # --- drafts (SupportsDrafts) ------------------------------------------------------

    def draft_key(self) -> str | None:
        return self._draft_key

    def current_draft(self) -> DraftIn | None:
        values = self.texts()
        if values == self.initial:
            return None
        return DraftIn(kind=self.draft_kind, plan_id=self.plan_id, payload=dict(values))

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Static(self.form_title, id="form-title")
            with VerticalScroll(id="form-fields"):
                for f in self.fields:
                    star = " *" if f.required else ""
                    yield Label(f"{f.label}{star}", classes="field-label")
                    text = self.restored.get(f.name)
                    value = text if isinstance(text, str) else self.initial[f.name]
                    yield from self._widget(f, value)
                    yield Static("", id=f"err-{f.name}", classes="field-error")
            yield Static(t("form.mandatory_hint"), classes="hint")
            yield Static("", id="form-error")
            with Horizontal(id="form-buttons"):
                yield Button(t("key.save"), variant="primary", id="form-save")
                yield Button(t("key.cancel"), id="form-cancel")

    def _widget(self, f: FormField, value: str) -> ComposeResult:
        wid = f"field-{f.name}"
        if f.kind == "textarea":
            yield TextArea(value, id=wid, soft_wrap=True, tab_behavior="focus")
        elif f.kind == "select":
            options = [(label, str(v)) for label, v in f.options]
            current = value if any(value == v for _, v in options) else Select.NULL
            yield Select(options, id=wid, value=current, allow_blank=not f.required)
        else:
            placeholder = t("date.placeholder") if f.kind == "date" else ""
            yield Input(value, id=wid, placeholder=placeholder, max_length=f.max_length)

    def on_mount(self) -> None:
        if self.restored:
            self.notify(t("form.draft_found"), timeout=8)
        if self.fields:
            self.query_one(f"#field-{self.fields[0].name}").focus()

    # --- values -----------------------------------------------------------------------

    def texts(self) -> dict[str, str]:
        """What each field holds, as text (the draft's payload)."""
        out: dict[str, str] = {}
        for f in self.fields:
            widget = self.query_one(f"#field-{f.name}")
            if isinstance(widget, TextArea):
                out[f.name] = widget.text
            elif isinstance(widget, Select):
                out[f.name] = "" if widget.value is Select.NULL else str(widget.value)
            elif isinstance(widget, Input):
                out[f.name] = widget.value
        return out

    def parse(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The values for the API, and the errors found before sending."""
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        texts = self.texts()
        for f in self.fields:
            text = texts[f.name]
            if not text.strip():
                if f.required:
                    errors[f.name] = t("form.required")
                values[f.name] = None if f.kind in ("date", "select", "percent") else ""
                continue
            if f.kind == "date":
                parsed = parse_date(text)
                if parsed is None:
                    errors[f.name] = t("form.bad_date")
                values[f.name] = parsed
            elif f.kind == "percent":
                try:
                    number = int(text.strip().rstrip("%").strip())
                except ValueError:
                    number = -1
                if not 0 <= number <= 100:
                    errors[f.name] = t("form.bad_number")
                values[f.name] = number
            elif f.kind == "select":
                chosen = next((v for _, v in f.options if str(v) == text), None)
                values[f.name] = chosen
            else:
                values[f.name] = text.strip() if f.kind == "text" else text
        return values, errors

    def show_errors(self, errors: dict[str, str], general: str = "") -> None:
        names = {f.name for f in self.fields}
        for f in self.fields:
            self.query_one(f"#err-{f.name}", Static).update(errors.get(f.name, ""))
        # A field the form does not have (the picture's data, a cursor) goes in the
        # summary under the name a person knows.
        unplaced = [f"{field_label(k)}: {v}" for k, v in errors.items() if k not in names]
        message = general or " ".join(unplaced)
        if errors and not message:
            message = t("form.fix_errors")
        self.query_one("#form-error", Static).update(message)
        first = next((f.name for f in self.fields if f.name in errors), None)
        if first:
            self.query_one(f"#field-{first}").focus()

    # --- actions ----------------------------------------------------------------------

    @on(Button.Pressed, "#form-save")
    def action_save(self) -> None:
        if self.busy:
            return
        values, errors = self.parse()
        if errors:
            self.show_errors(errors)
            return
        self.send(values)

    @work(exclusive=True, group="form", exit_on_error=False)
    async def send(self, values: dict[str, Any]) -> None:
        self.busy = True
        try:
            result = await self.submit(values)
        except ApiError as error:
            # The fields' problems in the user's language, from the server's error types.
            errors = field_errors(error)
            if errors:
                self.show_errors(errors)
            elif error.session_lost:
                raise
            else:
                self.show_errors({}, describe(error))
            return
        finally:
            self.busy = False
        self.dismiss(result)

    @on(Button.Pressed, "#form-cancel")
    def action_cancel(self) -> None:
        self.cancelled = True
        self.dismiss(None)


class ConfirmDialog(SamproModal):
    """Yes or no; deleting asks first."""

    DEFAULT_CSS = default_css(__file__, "confirm_dialog.tcss")
    AUTO_FOCUS = "#confirm-no"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "no", "key.cancel", id="confirm.no"),
        Binding("j,y", "yes", "confirm.yes", id="confirm.yes", show=False),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button(t("confirm.yes"), variant="error", id="confirm-yes")
                yield Button(t("confirm.no"), id="confirm-no")

    @on(Button.Pressed, "#confirm-yes")
    def action_yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def action_no(self) -> None:
        self.dismiss(False)


class ChooseDialog(SamproModal):
    """Choose one of a list (a goal to move to, one of my comments); Enter picks."""

    DEFAULT_CSS = default_css(__file__, "choose_dialog.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.cancel", id="choose.cancel"),
    ]

    def __init__(self, title: str, choices: list[tuple[str, Any]]) -> None:
        super().__init__()
        self.choose_title = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(id="choose-box"):
            yield Static(self.choose_title, id="choose-title")
            yield OptionList(
                *[Option(label, id=str(i)) for i, (label, _) in enumerate(self.choices)],
                id="choices",
            )

    def on_mount(self) -> None:
        # The first choice is highlighted: Enter takes it, arrows move from there.
        choices = self.query_one("#choices", OptionList)
        if choices.option_count:
            choices.highlighted = 0

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        index = int(event.option.id or 0)
        self.dismiss(self.choices[index][1])

    def action_cancel(self) -> None:
        self.dismiss(None)

"""What every screen shares: translated key descriptions and worker failures as messages."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from sampro_tui.i18n import t

if TYPE_CHECKING:
    from sampro_tui.app import SamproApp


def translate_bindings(node: DOMNode) -> None:
    """Give `node` its class's bindings with descriptions in the current language.

    Descriptions in BINDINGS are i18n keys ("key.quit"); Textual copies the class's
    merged bindings into each node, so swapping that copy is enough for the footer and
    the help screen. Unknown keys (Textual's own descriptions) pass through unchanged.
    """
    merged = type(node)._merged_bindings
    if merged is None:
        return
    keys: dict[str, list[Binding]] = {}
    for key, bindings in merged.key_to_bindings.items():
        keys[key] = [
            replace(
                b,
                description=t(b.description) if b.description else "",
                tooltip=t(b.tooltip) if b.tooltip else "",
            )
            for b in bindings
        ]
    node._bindings = BindingsMap.from_keys(keys)


class ReportsFailedWork:
    """The one handler that turns a failed worker into the error notice (or back to login).

    `Worker.StateChanged` goes only to the node that ran the worker (it does not bubble),
    so the App, the screens and the plan's panes all take this one handler."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            cast("SamproApp", cast(DOMNode, self).app).report_error(event.worker.error)


class SamproScreenMixin(ReportsFailedWork):
    """Translated bindings, the app typed, and network failures shown as notices."""

    def _setup_sampro(self) -> None:
        translate_bindings(cast(DOMNode, self))

    @property
    def sampro(self) -> SamproApp:
        return cast("SamproApp", cast(Screen[Any], self).app)

    async def retranslate(self) -> None:
        """Show the screen again in the current language (keeps the screen's state)."""
        translate_bindings(cast(DOMNode, self))
        await cast(Screen[Any], self).recompose()
        cast(Screen[Any], self).refresh_bindings()


class SamproPaneMixin(ReportsFailedWork):
    """For a plan tab's pane (a widget, not a screen): the app typed, and its workers'
    failures shown as notices as a screen's are."""

    @property
    def sampro(self) -> SamproApp:
        return cast("SamproApp", cast(DOMNode, self).app)


class SamproScreen(SamproScreenMixin, Screen[None]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_sampro()


class SamproModal(SamproScreenMixin, ModalScreen[Any]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_sampro()

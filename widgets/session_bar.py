"""The status line: who is logged in and how long until the session times out."""

from __future__ import annotations

from textual.widgets import Static

from widgets.stylesheet import default_css


class SessionBar(Static):
    """Follows the app's `session_text` (updated every second by the session clock)."""

    DEFAULT_CSS = default_css(__file__, "session_bar.tcss")

    def on_mount(self) -> None:
        self.watch(self.app, "session_text", self._show)
        self.watch(self.app, "seconds_left", self._level)

    def _show(self, text: str) -> None:
        self.update(f"SamPro · {text}" if text else "SamPro")

    def _level(self, seconds_left: float) -> None:
        warning = float(getattr(getattr(self.app, "timer", None), "warning", 0.0))
        self.set_class(0 < seconds_left <= warning, "-warning")

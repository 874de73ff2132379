"""Reads a widget's rules from the .tcss file beside its module.

Textual reads CSS_PATH on apps and screens only; a widget's own rules come from its
DEFAULT_CSS, which Textual scopes to the widget and ranks below the app's and screens'
rules. So a widget keeps its rules in a .tcss file and its DEFAULT_CSS is read from
there: the same effect as writing them inline.
"""

from __future__ import annotations

from pathlib import Path


def default_css(module_file: str, file_name: str) -> str:
    """The text of `file_name` in the folder of `module_file` (pass `__file__`)."""
    return Path(module_file).with_name(file_name).read_text(encoding="utf-8")

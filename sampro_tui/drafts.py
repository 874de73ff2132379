"""Drafts: what an open form holds, saved to the server before the session ends.

A screen (or widget) that edits text implements `SupportsDrafts`. When the session is
about to expire the app asks every open screen for its draft and PUTs it to
/me/drafts/{key}; after the next login the screen offers it back. Later forms
(messages, goals) implement the same two methods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from sampro_contract import DraftIn


@runtime_checkable
class SupportsDrafts(Protocol):
    def draft_key(self) -> str | None:
        """A stable key for this form's draft, e.g. "plan-12-home"; None if not editing."""

    def current_draft(self) -> DraftIn | None:
        """The unsaved content, or None when there is nothing unsaved."""


@runtime_checkable
class SavesOwnDraft(Protocol):
    """A form whose content has a draft of its own on the server (a message's draft,
    "under arbeid"): at session expiry the app asks it to save there first. If that fails,
    the form still reports the content through `SupportsDrafts` and it goes to /me/drafts.
    """

    async def save_own_draft(self) -> bool:
        """Save the unsaved content as the form's own draft; True if something was saved."""

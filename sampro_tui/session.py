"""The session's clock as the client sees it: time left, when to warn, when it is over.

The server is the authority: the timer is set from every SessionStatus it sends
(`seconds_left`) and counts down locally in between, on an injected monotonic clock so
tests need no sleeping. User key presses and clicks ask for a refresh at most once per
`activity_interval`; background polls use GET /auth/session, which is no activity.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sampro_contract import SessionInfo, SessionStatus

Clock = Callable[[], float]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class SessionTimer:
    clock: Clock = time.monotonic
    wall: Callable[[], datetime] = utc_now
    activity_interval: float = 60.0  # refresh for user activity at most this often
    poll_interval: float = 60.0  # check the server's count (no activity) this often
    expiry_margin: float = 3.0  # act this long before the end, while the token still works
    idle_timeout: float = 3600.0
    warning: float = 300.0
    deadline: float = field(default=0.0)
    last_refresh: float = field(default=0.0)
    last_poll: float = field(default=0.0)
    active: bool = False

    def start(self, info: SessionInfo, skew: float = 0.0) -> None:
        """A new session from POST /auth/verify (the verify itself was activity).

        `skew` is how far the server's clock is ahead of `wall` (the API client measures
        it), since `expires_at` is the server's time."""
        now = self.clock()
        self.idle_timeout = float(info.idle_timeout_seconds)
        self.warning = float(info.warning_seconds)
        left = (info.expires_at - self.wall()).total_seconds() - skew
        self.deadline = now + max(0.0, min(left, self.idle_timeout))
        self.last_refresh = now
        self.last_poll = now
        self.active = True

    def sync(self, status: SessionStatus) -> None:
        """Follow the server's own count (refresh or poll answer)."""
        now = self.clock()
        self.idle_timeout = float(status.idle_timeout_seconds)
        self.warning = float(status.warning_seconds)
        self.deadline = now + max(0, status.seconds_left)
        self.last_poll = now
        self.active = True

    def refreshed(self) -> None:
        self.last_refresh = self.clock()

    def stop(self) -> None:
        self.active = False

    @property
    def seconds_left(self) -> float:
        return max(0.0, self.deadline - self.clock()) if self.active else 0.0

    @property
    def in_warning(self) -> bool:
        return self.active and self.seconds_left <= self.warning

    @property
    def due_for_expiry(self) -> bool:
        """Time to save drafts and end the session, a moment before the server would."""
        return self.active and self.seconds_left <= self.expiry_margin

    def activity_refresh_due(self) -> bool:
        """A user action now should refresh the session (at most once per interval)."""
        return (
            self.active
            and not self.in_warning
            and self.clock() - self.last_refresh >= self.activity_interval
        )

    def poll_due(self) -> bool:
        return self.active and self.clock() - self.last_poll >= self.poll_interval

"""A plan's log (logg): who did what, when."""

from __future__ import annotations

from datetime import datetime

from sampro_contract.common import Model


class LogEntry(Model):
    id: int
    at: datetime
    user_id: int | None
    username: str | None
    role: str | None
    plan_id: int | None
    object_type: str | None
    object_id: str | None
    action: str
    detail: dict[str, object] | None = None


# The route, for reference (under API_PREFIX):
#   GET  /plans/{id}/log -> Page[LogEntry]

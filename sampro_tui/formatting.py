"""The one place that formats dates, times and durations for people (dd.mm.yyyy)."""

from __future__ import annotations

import math
from datetime import date, datetime


def fmt_date(value: date | datetime | None) -> str:
    """A date as the seeds show it: 31.12.2025. Datetimes are shown in local time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone().date() if value.tzinfo else value.date()
    return value.strftime("%d.%m.%Y")


def fmt_datetime(value: datetime | None) -> str:
    """A moment in local time: 31.12.2025 14:05."""
    if value is None:
        return ""
    local = value.astimezone() if value.tzinfo else value
    return local.strftime("%d.%m.%Y %H:%M")


def fmt_countdown(seconds: float) -> str:
    """Time left as m:ss, or h:mm:ss from an hour up; never negative."""
    total = max(0, math.ceil(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def minutes_rounded_up(seconds: float) -> int:
    """Whole minutes, rounded up, at least 1: "locked for 10 minutes", not "for 9"."""
    return max(1, math.ceil(seconds / 60))

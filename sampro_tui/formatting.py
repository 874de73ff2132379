"""The one place that formats and parses dates, times and durations for people
(dd.mm.yyyy and hh:mm on screen; ISO 8601 is for the wire, and accepted when typed)."""

from __future__ import annotations

import math
from datetime import date, datetime, time

# What a person may type for a date: the screen's dd.mm.yyyy (one-digit day and month and
# a two-digit year too), or ISO 8601.
_DATE_FORMATS = ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d")


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


def fmt_wall_datetime(value: datetime) -> str:
    """A wall-clock time as it was entered, whatever zone it is tagged with (a calendar
    entry's start): 31.12.2025 14:05."""
    return value.strftime("%d.%m.%Y %H:%M")


def fmt_time(value: time | None) -> str:
    """A time of day: 14:05 (empty for none)."""
    return value.strftime("%H:%M") if value is not None else ""


def parse_date(text: str) -> date | None:
    """A date as typed (dd.mm.yyyy, d.m.yy, or ISO 8601); None when it is none of these."""
    text = text.strip()
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    try:
        return date.fromisoformat(text)  # the other ISO 8601 forms (20250307, 2025-W10-5)
    except ValueError:
        return None


def parse_time(text: str) -> time | bool | None:
    """A time as typed (14:05, 14.05 or 14): None for empty, False for something that is
    not a time."""
    text = text.strip().replace(".", ":")
    if not text:
        return None
    if text.isdigit() and len(text) <= 2:
        text += ":00"
    try:
        return datetime.strptime(text, "%H:%M").time()
    except ValueError:
        return False


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

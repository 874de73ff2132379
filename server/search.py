"""Text search in SQL: what a person types, found anywhere in a column."""

from __future__ import annotations


def like_pattern(q: str) -> str:
    """A LIKE pattern (with `escape="\\"`) finding `q` anywhere, lower case: `%` and `_`
    in what a person searches for are themselves, not wildcards."""
    escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"

"""A tiny in-process stand-in for the server, for pictures that must not change daily.

Snapshot tests need fixed data (the demo's dates move with today), so they talk to this
`httpx.MockTransport` instead; behaviour is tested against the real server elsewhere.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from sampro_contract import LoginChallenge, SessionInfo, UserInfo

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

USER = UserInfo(
    id=7,
    username="koordinator",
    first_name="Kari",
    last_name="Koordinator",
    system_role="user",  # type: ignore[arg-type]
    channel="sms",  # type: ignore[arg-type]
    must_change_password=False,
)

SESSION = SessionInfo(
    token="fake-token",
    expires_at=NOW + timedelta(hours=1),
    idle_timeout_seconds=3600,
    warning_seconds=300,
    must_change_password=False,
    user=USER,
)

CHALLENGE = LoginChallenge(
    challenge_id="c-1",
    channel="sms",  # type: ignore[arg-type]
    destination_hint="+47 *** ** 123",
    expires_at=NOW + timedelta(minutes=10),
)

_OWNERS = [
    ("Aksel", "Berg", "IP", "Bolig og arbeid", date(1998, 4, 2), True, 2, 12, False),
    ("Birgit", "Dahl", "IOP", "Skolehverdag", date(2012, 9, 14), False, 0, 240, False),
    ("Cecilie", "Eide", "IUP", "Barnehage", date(2020, 1, 30), False, 1, 31, False),
    ("David", "Foss", "SL", "Overgang", date(2009, 6, 11), True, 0, -3, False),
    ("Eline", "Gran", "IP", "Hverdagsmestring", date(1985, 11, 23), False, 0, 401, True),
    ("Fredrik", "Holm", "IP", "Rehabilitering", date(1976, 2, 5), False, 5, 88, False),
]


def plan_items() -> list[dict[str, Any]]:
    items = []
    for i, (first, last, kind, short, born, changed, msgs, consent, closed) in enumerate(_OWNERS):
        items.append(
            {
                "id": i + 1,
                "owner_first_name": first,
                "owner_last_name": last,
                "short_name": short,
                "type": kind,
                "birth_date": born.isoformat(),
                "changed": changed,
                "new_messages": msgs,
                "consent_days": consent,
                "start_date": "2025-01-15",
                "end_date": "2027-01-14",
                "last_archived": "2025-12-01T10:00:00+00:00" if i % 2 else None,
                "closed": closed,
                "my_role": "coordinator",
            }
        )
    return items


def handler(request: httpx.Request) -> httpx.Response:
    path = request.url.path.removeprefix("/api/v1")
    if path == "/plans":
        items = plan_items()
        if request.url.params.get("include_closed") != "true":
            items = [p for p in items if not p["closed"]]
        if request.url.params.get("order") == "desc":
            items.reverse()
        page = {"items": items, "total": len(items), "page": 1, "page_size": 1000}
        return httpx.Response(200, content=json.dumps(page))
    if path == "/auth/password-policy":
        return httpx.Response(200, json={"min_length": 8})
    body = {"error": {"code": "not_found", "message": "Not found", "details": None}}
    return httpx.Response(404, json=body)


def transport() -> httpx.MockTransport:
    return httpx.MockTransport(handler)

"""422 validation_error: beside `fields` {field: message}, `types` {field: pydantic's
error type} and `limits` {field: N}, so a client can say the problem in its language."""

from __future__ import annotations

import ast
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import server
from sampro_contract import PlanRole
from server.errors import validation
from tests.server.conftest import Org
from tests.server.support import (
    API,
    add_participant,
    add_person,
    add_plan,
    add_user,
    bearer,
    login,
)


def details(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    body = response.json()["error"]
    assert body["code"] == "validation_error"
    return dict(body["details"])


def test_missing_and_too_long_fields_carry_their_types_and_limits(org: Org) -> None:
    r = org.h.client.post(f"{API}/auth/login", json={"username": "x" * 201})
    d = details(r)
    assert d["types"] == {"username": "string_too_long", "password": "missing"}
    assert d["limits"] == {"username": 200}
    assert set(d["fields"]) == {"username", "password"}  # unchanged: the English messages
    assert all(isinstance(v, str) and v for v in d["fields"].values())


def test_a_bad_date_and_a_bad_number_name_their_types(org: Org) -> None:
    h = org.h
    owner = add_user(h, "emma", org.unit_id)
    plan = add_plan(h, org.unit_id, owner.person_id)
    add_participant(h, plan, org.user.person_id, PlanRole.COORDINATOR)
    token = login(h, "kari")
    r = h.client.patch(
        f"{API}/plans/{plan}",
        headers=bearer(token),
        json={"version": "seven", "end_date": "31.02.2025"},
    )
    d = details(r)
    assert d["types"]["version"] == "int_parsing"
    assert d["types"]["end_date"].startswith("date_")
    assert "limits" not in d or "version" not in d["limits"]


def test_the_routes_own_refusals_carry_a_type_too() -> None:
    plain = validation("before_id", "must be positive")
    assert plain.details == {
        "fields": {"before_id": "must be positive"},
        "types": {"before_id": "invalid"},
    }
    typed = validation("body", "too long", type="string_too_long", limit=300)
    assert typed.details == {
        "fields": {"body": "too long"},
        "types": {"body": "string_too_long"},
        "limits": {"body": 300},
    }


def _route_validation_calls() -> list[tuple[str, int, ast.Call]]:
    """Every `validation(...)` call in server/, parsed from the source."""
    calls = []
    for path in sorted(Path(server.__file__).parent.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name == "validation":
                calls.append((path.name, node.lineno, node))
    return calls


def test_every_route_refusal_names_its_own_type() -> None:
    """The default "invalid" says nothing a client can translate; each check says what is
    wrong ("needs_mobile", "end_before_start"), as a literal clients can list."""
    calls = _route_validation_calls()
    assert len(calls) > 40
    untyped = []
    for where, line, call in calls:
        given = {k.arg: k.value for k in call.keywords}
        value = given.get("type", call.args[2] if len(call.args) > 2 else None)
        if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
            untyped.append(f"{where}:{line}")
        elif value.value == "invalid" or not re.fullmatch(r"[a-z][a-z0-9_]*", value.value):
            untyped.append(f"{where}:{line} {value.value!r}")
    assert untyped == []


def test_a_plan_whose_end_comes_before_its_start_says_end_before_start(org: Org) -> None:
    h = org.h
    owner = add_user(h, "emma", org.unit_id)
    plan = add_plan(h, org.unit_id, owner.person_id, start=date(2025, 3, 1))
    add_participant(h, plan, org.user.person_id, PlanRole.COORDINATOR)
    r = h.client.patch(
        f"{API}/plans/{plan}",
        headers=bearer(login(h, "kari")),
        json={"version": 1, "end_date": "2025-02-01"},
    )
    d = details(r)
    assert d["types"] == {"end_date": "end_before_start"}
    assert d["fields"] == {"end_date": "must be on or after start_date"}  # English kept


def test_codes_by_sms_without_a_mobile_say_needs_mobile_and_a_taken_name_its_type(
    org: Org,
) -> None:
    h = org.h
    plan = add_plan(h, org.unit_id, add_person(h, org.unit_id, "Emma", "Lien"))
    add_participant(h, plan, org.user.person_id, PlanRole.COORDINATOR)
    body: dict[str, Any] = {
        "person": {"first_name": "Per", "last_name": "Berg"},
        "create_account": True,
        "channel": "sms",
        "role": "provider",
        "consent_expires": (h.clock.today() + timedelta(days=300)).isoformat(),
    }
    token = login(h, "kari")
    r = h.client.post(f"{API}/plans/{plan}/participants", json=body, headers=bearer(token))
    assert details(r)["types"] == {"mobile": "needs_mobile"}
    body["person"]["mobile"] = "41234567"
    body["username"] = "kari"
    r = h.client.post(f"{API}/plans/{plan}/participants", json=body, headers=bearer(token))
    assert r.status_code == 409 and r.json()["error"]["code"] == "username_taken"
    assert r.json()["error"]["details"]["types"] == {"username": "username_taken"}

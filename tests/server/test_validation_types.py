"""422 validation_error: beside `fields` {field: message}, `types` {field: pydantic's
error type} and `limits` {field: N}, so a client can say the problem in its language."""

from __future__ import annotations

from typing import Any

from sampro_contract import PlanRole
from server.errors import validation
from tests.server.conftest import Org
from tests.server.support import API, add_participant, add_plan, add_user, bearer, login


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

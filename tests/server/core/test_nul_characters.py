"""A NUL character cannot be stored by PostgreSQL and would be by SQLite: it is refused on
both, with the field named, wherever it comes (query string, path, JSON body)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import Harness
from tests.server.conftest import Org
from tests.server.support import API, bearer, error, login


@pytest.fixture
def backend_org(make_org: Callable[..., Org], db_url: str) -> Org:
    return make_org(db_url)


def test_a_nul_in_the_plan_list_search_is_refused_naming_it(backend_org: Org) -> None:
    token = login(backend_org.h, backend_org.user.username)
    r = backend_org.h.client.get(f"{API}/plans?q=ab%00cd&page=1", headers=bearer(token))
    assert error(r) == (422, "validation_error")
    details = r.json()["error"]["details"]
    assert details["fields"] == {"q": "must not contain the NUL character"}
    assert details["types"] == {"q": "nul_character"}


def test_a_nul_in_the_path_is_refused(backend_org: Org) -> None:
    token = login(backend_org.h, backend_org.user.username)
    r = backend_org.h.client.get(f"{API}/me/drafts/a%00b", headers=bearer(token))
    assert error(r) == (422, "validation_error")
    assert r.json()["error"]["details"]["fields"] == {"path": "must not contain the NUL character"}


def test_a_nul_is_refused_before_login_too(harness_factory: Callable[..., Harness]) -> None:
    r = harness_factory().client.get(f"{API}/plans?page=1&x%00=1")
    assert error(r) == (422, "validation_error")
    assert r.json()["error"]["details"]["fields"] == {"x": "must not contain the NUL character"}


def test_an_escaped_percent_sign_is_not_a_nul(backend_org: Org) -> None:
    token = login(backend_org.h, backend_org.user.username)
    r = backend_org.h.client.get(f"{API}/plans?q=100%2500", headers=bearer(token))
    assert r.status_code == 200


def test_a_nul_in_a_body_field_is_refused_naming_it(backend_org: Org) -> None:
    token = login(backend_org.h, backend_org.user.username)
    r = backend_org.h.client.put(
        f"{API}/me/drafts/d1",
        headers=bearer(token),
        json={"kind": "message", "payload": {"body": "hei\u0000du"}},
    )
    assert error(r) == (422, "validation_error")
    details = r.json()["error"]["details"]
    assert details["fields"] == {"payload": "must not contain the NUL character"}
    assert details["types"] == {"payload": "nul_character"}
    r = backend_org.h.client.post(
        f"{API}/auth/password",
        headers=bearer(token),
        json={"current_password": "x\u0000", "new_password": "Abcdefgh1"},
    )
    assert error(r) == (422, "validation_error")
    assert r.json()["error"]["details"]["types"] == {"current_password": "nul_character"}
    drafts = backend_org.h.client.get(f"{API}/me/drafts", headers=bearer(token)).json()
    assert drafts == []  # nothing was stored


def test_unknown_fields_are_refused_naming_them(backend_org: Org) -> None:
    token = login(backend_org.h, backend_org.user.username)
    r = backend_org.h.client.put(
        f"{API}/me/drafts/d1",
        headers=bearer(token),
        json={"kind": "message", "payload": {}, "smuggled": "x" * 1000},
    )
    assert error(r) == (422, "validation_error")
    details = r.json()["error"]["details"]
    assert details["types"] == {"smuggled": "extra_forbidden"}

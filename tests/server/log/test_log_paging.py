"""The plan's log read page by page while it grows: `before_id` pages steadily."""

from __future__ import annotations

from typing import Any

from sampro_contract import PlanRole
from tests.server.conftest import Org
from tests.server.support import API, add_participant, add_person, add_plan, bearer, login


def log_page(org: Org, plan: int, token: str, **params: Any) -> Any:
    r = org.h.client.get(f"{API}/plans/{plan}/log", params=params, headers=bearer(token))
    return r


def test_pages_before_an_entry_neither_repeat_nor_skip_while_the_log_grows(org: Org) -> None:
    owner = add_person(org.h, org.unit_id, "Emma", "Lien")
    plan = add_plan(org.h, org.unit_id, owner)
    add_participant(org.h, plan, org.user.person_id, PlanRole.COORDINATOR)
    kari = login(org.h, "kari")
    for _ in range(12):  # each read of the home page is a log entry
        org.h.clock.advance(1)
        assert org.h.client.get(f"{API}/plans/{plan}", headers=bearer(kari)).status_code == 200
    everything = [e["id"] for e in log_page(org, plan, kari, page_size=500).json()["items"]]
    assert len(everything) >= 12

    first = log_page(org, plan, kari, page_size=5).json()["items"]
    seen = [e["id"] for e in first]
    while True:
        # More entries are written between pages (this read itself is one of them).
        org.h.clock.advance(1)
        org.h.client.get(f"{API}/plans/{plan}", headers=bearer(kari))
        page = log_page(org, plan, kari, page_size=5, before_id=seen[-1]).json()["items"]
        if not page:
            break
        seen += [e["id"] for e in page]
    # Every entry that existed when the full list was read, once each, in the same order.
    assert [i for i in seen if i in set(everything)] == everything
    assert len(seen) == len(set(seen))


def test_an_entry_of_another_plan_is_no_cursor(org: Org) -> None:
    owner = add_person(org.h, org.unit_id, "Emma", "Lien")
    plan = add_plan(org.h, org.unit_id, owner)
    other = add_plan(org.h, org.unit_id, add_person(org.h, org.unit_id, "Jonas", "Berg"))
    for p in (plan, other):
        add_participant(org.h, p, org.user.person_id, PlanRole.COORDINATOR)
    kari = login(org.h, "kari")
    org.h.client.get(f"{API}/plans/{other}", headers=bearer(kari))  # one entry there
    theirs = log_page(org, other, kari).json()["items"][0]["id"]
    r = log_page(org, plan, kari, before_id=theirs)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["fields"] == {
        "before_id": "not an entry of this plan's log"
    }

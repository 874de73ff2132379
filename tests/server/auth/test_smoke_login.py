"""The first login through HTTP: password, code, session, and the plan list."""

from __future__ import annotations

from tests.conftest import Harness


def _seed_and_login(h: Harness, username: str = "koordinator") -> str:
    from server.demo.seed import seed

    seed(h.ctx.settings)
    from server.demo.seed import _password

    credentials = {"username": username, "password": _password(username)}
    r = h.client.post("/api/v1/auth/login", json=credentials)
    assert r.status_code == 200, r.text
    challenge = r.json()
    channel = challenge["channel"]
    r = h.client.post(
        "/api/v1/auth/verify",
        json={"challenge_id": challenge["challenge_id"], "code": h.last_code(channel)},
    )
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


def test_coordinator_logs_in_and_sees_only_own_open_plans(harness_factory) -> None:  # type: ignore[no-untyped-def]
    h = harness_factory()
    token = _seed_and_login(h)
    r = h.client.get("/api/v1/plans?page_size=1000", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == len(body["items"]) > 0
    assert all(not p["closed"] for p in body["items"])
    assert {p["my_role"] for p in body["items"]} == {"coordinator"}

"""When the database drops the connection in the middle of a request, the answer is 503
database_unavailable with Retry-After, and it never claims that nothing was saved: the
change may have been committed before the answer was built (found by bench/soak.py)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import OperationalError

from server.deps import current_auth
from tests.conftest import Harness
from tests.server.support import API, error


def _lost() -> None:
    raise OperationalError(
        "SELECT 1", {}, Exception("server closed the connection unexpectedly"), True
    )


def _broken() -> None:
    raise RuntimeError("a bug")


def test_a_dropped_database_connection_answers_503_and_says_to_look_first(
    harness_factory: Callable[..., Harness],
) -> None:
    h = harness_factory()
    h.client.app.dependency_overrides[current_auth] = _lost  # type: ignore[attr-defined]
    r = h.client.get(f"{API}/me")
    assert error(r) == (503, "database_unavailable")
    assert r.headers["retry-after"] == "1"
    assert "whether your change was saved" in r.json()["error"]["message"]


def test_an_unexpected_failure_never_says_nothing_was_saved(
    harness_factory: Callable[..., Harness],
) -> None:
    h = harness_factory()
    h.client.app.dependency_overrides[current_auth] = _broken  # type: ignore[attr-defined]
    r = h.client.get(f"{API}/me")
    assert error(r) == (500, "internal_error")
    assert "nothing was saved" not in r.json()["error"]["message"]
    assert "reload to see what was saved" in r.json()["error"]["message"]

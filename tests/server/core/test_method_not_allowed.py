"""A method the path does not take answers 405 in the error envelope, and its `allow`
names every method the path does take (GET and POST /plans are two routes)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import Harness
from tests.server.support import API, error


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("OPTIONS", "/plans", "GET, POST"),
        ("DELETE", "/plans", "GET, POST"),
        ("PUT", "/auth/login", "POST"),
        ("POST", "/plans/1/goals/2", "DELETE, GET, PATCH"),
        ("PUT", "/healthz", "GET"),
    ],
)
def test_405_lists_every_method_of_the_path(
    harness_factory: Callable[..., Harness], method: str, path: str, allow: str
) -> None:
    r = harness_factory().client.request(method, f"{API}{path}")
    assert error(r) == (405, "method_not_allowed")
    assert r.headers["allow"] == allow

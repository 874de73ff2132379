"""The access matrices' world: one organisation with a user in each role, logged in once
per module (the matrices build a fresh plan for each case inside it)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.conftest import Harness
from tests.server.conftest import close_harness, open_harness
from tests.server.support import add_unit, add_user, login


@dataclass
class World:
    h: Harness
    unit: int
    tokens: dict[str, str]
    member_person: int
    coordinator_person: int


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    h = open_harness(tmp_path_factory.mktemp("matrix"))
    unit = add_unit(h)
    member = add_user(h, "deltaker", unit)
    coordinator = add_user(h, "koordinator", unit, unit_role="coordinator")
    add_user(h, "utenfor", unit)
    add_user(h, "support", unit, system_role="support", channel="email")
    add_user(h, "sysadmin", unit, system_role="sysadmin", unit_role="admin", channel="email")
    add_user(h, "lokaladmin", unit, system_role="local_admin", unit_role="admin")
    tokens = {
        "member": login(h, "deltaker"),
        "outsider": login(h, "utenfor"),
        "support": login(h, "support"),
        "sysadmin": login(h, "sysadmin"),
        "localadmin": login(h, "lokaladmin"),
        "coordinator": login(h, "koordinator"),
    }
    yield World(h, unit, tokens, member.person_id, coordinator.person_id)
    close_harness(h)

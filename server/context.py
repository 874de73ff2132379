"""What a running server holds: settings, database, clock, password hasher, outbox."""

from __future__ import annotations

from dataclasses import dataclass, field

import server.schema  # noqa: F401 - every model loaded before any is used
from server.clock import Clock
from server.config import Settings
from server.db import Database
from server.delivery import Outbox
from server.plans.cache import PlanListCache
from server.security import Passwords


@dataclass
class ServerContext:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=Clock)
    passwords: Passwords = field(init=False)
    outbox: Outbox = field(init=False)
    plan_lists: PlanListCache = field(init=False)

    def __post_init__(self) -> None:
        self.passwords = Passwords(self.settings)
        self.outbox = Outbox(self.settings)
        self.plan_lists = PlanListCache(int(self.settings.plan_list_cache_mb * 1024 * 1024))

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock | None = None) -> ServerContext:
        return cls(settings, Database(settings.resolved_database_url), clock or Clock())

"""The plan-list cache: pages of `GET /plans` as sent, reused while nothing they read changed.

The plan list is the start screen: a coordinator comes back to it after every plan, and
its query (my plans with their owners, consent and unread counts, sorted) costs more than
everything else in the request. Its answer is a function of two things only: the rows of
four tables (plans, participants, persons, message_recipients) and the request's bound
values (who I am, today's date, my previous login, search words, sort, page). The
database keeps a counter, `change_stamp.n`, that its own triggers raise on every committed
change to those four tables (migration 0006), whoever makes it: this process, another
worker, a command-line tool or hand-written SQL. A page is stored under its request's
values with the counter read *before* its query ran (by the login check's statement:
`server/deps.py`, `login_on`), and served again only while the
counter still reads the same. Reading the counter first makes every stored page at least
as new as its stamp: a change that commits between the two reads raises the counter, so
the page (which may already show the change) is simply never served again.

Nothing here is needed by a second worker (each has its own cache, all checked against
the one counter in the database), and nothing outlives the process.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable


class PlanListCache:
    """Bodies of plan-list pages by request, each with the change stamp it was made under.

    Bounded in bytes; least recently used pages go first. Thread-safe: routes run in the
    server's worker threads.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._pages: OrderedDict[Hashable, tuple[int, bytes]] = OrderedDict()
        self._bytes = 0
        self._newest = -1
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def get(self, key: Hashable, stamp: int) -> bytes | None:
        with self._lock:
            if stamp > self._newest:
                # The counter only grows: pages made under an older one can never be
                # served again, so they go now rather than waiting to be pushed out.
                self._newest = stamp
                self._drop_older_than(stamp)
            entry = self._pages.get(key)
            if entry is None or entry[0] != stamp:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return entry[1]

    def put(self, key: Hashable, stamp: int, body: bytes) -> None:
        if len(body) > self.max_bytes // 8:
            return  # one huge page would push out everyone else's
        with self._lock:
            if stamp < self._newest:
                return  # made under a counter already passed: never servable
            old = self._pages.pop(key, None)
            if old is not None:
                self._bytes -= len(old[1])
            self._pages[key] = (stamp, body)
            self._bytes += len(body)
            while self._bytes > self.max_bytes and self._pages:
                _, (_, dropped) = self._pages.popitem(last=False)
                self._bytes -= len(dropped)

    def __len__(self) -> int:
        return len(self._pages)

    def _drop_older_than(self, stamp: int) -> None:
        for key in [k for k, (s, _) in self._pages.items() if s < stamp]:
            self._bytes -= len(self._pages.pop(key)[1])

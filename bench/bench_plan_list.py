"""The plan list with many rows: from data received to painted, and scrolling.

Headless, in one process, against a fake transport (no network in the figures):
- 300 plans (a coordinator): JSON body parsed into models, handed to the table, painted.
  Target: at most 100 ms.
- 10,000 plans (an administrator): first paint after the whole list arrives as one
  body, and after the first page of 1,000 (how the screen loads it). Target: 0.5 s.
- Scrolling 10,000 rows: page down / up and jumps to the end and back, each step
  timed to the next paint (median and worst).

    .venv/bin/python bench/bench_plan_list.py
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from datetime import date, timedelta

from sampro_contract import Page, PlanListItem
from sampro_tui.app import SamproApp
from sampro_tui.config import Config
from sampro_tui.credentials import TokenStore
from screens.plans.screen import PlanListScreen, PlanTable

FIRST = ["Aksel", "Birgit", "Cecilie", "David", "Eline", "Fredrik", "Gro", "Håkon", "Ida"]
LAST = ["Berg", "Dahl", "Eide", "Foss", "Gran", "Holm", "Lie", "Moe", "Nilsen", "Øien"]


def body(n: int) -> bytes:
    start = date(2024, 1, 1)
    items = [
        {
            "id": i,
            "owner_first_name": FIRST[i % len(FIRST)],
            "owner_last_name": f"{LAST[(i * 7) % len(LAST)]}{i}",
            "short_name": f"Plan nummer {i}",
            "type": ["IP", "IOP", "IUP", "SL"][i % 4],
            "birth_date": (date(1950, 1, 1) + timedelta(days=i * 3)).isoformat(),
            "changed": i % 3 == 0,
            "new_messages": i % 5,
            "consent_days": (i % 400) - 20,
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=730)).isoformat(),
            "last_archived": None,
            "closed": i % 17 == 0,
            "my_role": "coordinator",
        }
        for i in range(n)
    ]
    return json.dumps({"items": items, "total": n, "page": 1, "page_size": n}).encode()


async def painted(app: SamproApp) -> None:
    """Wait for the screen's next refresh (the frame with the change in it)."""
    done = asyncio.Event()
    app.screen.call_after_refresh(done.set)
    await done.wait()


async def data_to_paint(app: SamproApp, table: PlanTable, raw: bytes) -> float:
    start = time.perf_counter()
    page = Page[PlanListItem].model_validate_json(raw)
    table.set_rows(list(page.items))
    await painted(app)
    return time.perf_counter() - start


async def main() -> None:
    app = SamproApp(
        Config(server_url="http://bench.invalid"),
        persist=False,
        token_store=TokenStore(False),
        tune_gc=True,  # as the `sampro` command runs it
    )
    bodies = {n: body(n) for n in (300, 1000, 10_000)}
    async with app.run_test(size=(160, 50)) as pilot:
        screen = PlanListScreen()
        screen.reload = lambda: None  # type: ignore[method-assign]  # no server here
        await app.push_screen(screen)
        await pilot.pause()
        table = screen.query_one(PlanTable)
        table.focus()

        results: dict[str, list[float]] = {}
        for label, n in (
            ("300 plans", 300),
            ("10,000 as one body", 10_000),
            ("first page of 1,000", 1000),
        ):
            times = []
            for _ in range(5):
                table.set_rows([])
                await painted(app)
                times.append(await data_to_paint(app, table, bodies[n]))
            results[label] = times

        table.set_rows(list(Page[PlanListItem].model_validate_json(bodies[10_000]).items))
        await painted(app)
        steps: dict[str, list[float]] = {}
        actions = {
            "page down": lambda: table.action_page(1),
            "page up": lambda: table.action_page(-1),
            "end": table.action_last,
            "home": table.action_first,
            "down": lambda: table.action_cursor(1),
        }
        plan = ["page down"] * 40 + ["end", "home"] * 5 + ["page up"] * 5 + ["down"] * 40
        for name in plan:
            start = time.perf_counter()
            actions[name]()
            await painted(app)
            steps.setdefault(name, []).append(time.perf_counter() - start)

    for label, times in results.items():
        print(
            f"{label:22} data -> painted  median {statistics.median(times) * 1000:7.1f} ms"
            f"   worst {max(times) * 1000:7.1f} ms"
        )
    for name, times in steps.items():
        print(
            f"{'scroll: ' + name:22} key -> painted   median "
            f"{statistics.median(times) * 1000:7.1f} ms   worst {max(times) * 1000:7.1f} ms"
            f"   ({len(times)} steps)"
        )
    print("targets: 300 plans <= 100 ms; 10,000 rows first paint <= 500 ms")


if __name__ == "__main__":
    asyncio.run(main())

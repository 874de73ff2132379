"""Cold start of the SamPro client to an interactive login screen, against a bare app.

Each run is a fresh interpreter (cold imports), headless, that exits as soon as the
first screen is up and idle. Wall and CPU seconds per run (the child's user+system
time); medians of several interleaved runs. Target: SamPro at most 1.3x the bare app
(Header, DataTable, Footer).

    .venv/bin/python bench/bench_tui_startup.py [runs]
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BARE = """
from textual.app import App
from textual.widgets import DataTable, Footer, Header

class Bare(App):
    def compose(self):
        yield Header()
        yield DataTable()
        yield Footer()

async def ready(pilot):
    await pilot.pause()
    pilot.app.exit()

Bare().run(headless=True, size=(120, 40), auto_pilot=ready)
"""

SAMPRO = """
from sampro_tui.app import SamproApp
from sampro_tui.config import Config
from sampro_tui.credentials import TokenStore

async def ready(pilot):
    app = pilot.app
    while type(app.screen).__name__ != "LoginScreen":
        await pilot.pause(0.001)
    await pilot.pause()
    app.exit()

SamproApp(
    Config(server_url="http://127.0.0.1:9"),
    persist=False,
    token_store=TokenStore(enabled=False),
    tune_gc=True,  # as the `sampro` command runs it
).run(headless=True, size=(120, 40), auto_pilot=ready)
"""


def run_once(code: str) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    run_once(BARE)  # warm the OS file cache and .pyc files for both, then measure
    run_once(SAMPRO)
    results: dict[str, list[tuple[float, float]]] = {"bare": [], "sampro": []}
    for _ in range(runs):
        results["bare"].append(run_once(BARE))
        results["sampro"].append(run_once(SAMPRO))
    medians: dict[str, tuple[float, float]] = {}
    lows: dict[str, tuple[float, float]] = {}
    for name, values in results.items():
        wall = statistics.median(w for w, _ in values)
        cpu = statistics.median(c for _, c in values)
        least_wall = min(w for w, _ in values)
        least_cpu = min(c for _, c in values)
        medians[name] = (wall, cpu)
        lows[name] = (least_wall, least_cpu)
        print(
            f"{name:7} wall {wall:.3f} s   cpu {cpu:.3f} s   (median of {runs});"
            f"   least: wall {least_wall:.3f} s   cpu {least_cpu:.3f} s"
        )
    (bw, bc), (sw, sc) = medians["bare"], medians["sampro"]
    print(f"ratio   wall {sw / bw:.2f}x   cpu {sc / bc:.2f}x   medians (target <= 1.30x)")
    (bw, bc), (sw, sc) = lows["bare"], lows["sampro"]
    print(f"ratio   wall {sw / bw:.2f}x   cpu {sc / bc:.2f}x   least of each (less noise)")


if __name__ == "__main__":
    main()

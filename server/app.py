"""The FastAPI app factory."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from sampro_contract import API_PREFIX
from server.accounts import routes as accounts
from server.auth import routes as auth
from server.calendar import routes as calendar
from server.config import Settings
from server.context import ServerContext
from server.errors import install_error_handlers
from server.goals import routes as goals
from server.home import completeness
from server.home import routes as home
from server.life_areas import routes as life_areas
from server.limits import BodyLimit
from server.log import routes as log
from server.messages import routes as messages
from server.notifications import routes as notifications
from server.notifications.worker import Notifier
from server.participants import routes as participants
from server.plans import routes as plans
from server.professional_plans import routes as professional_plans
from server.profile import routes as profile
from server.timeline import routes as timeline

# The calls that take a file; every other body is JSON under the smaller limit.
UPLOAD_PATHS = rf"{API_PREFIX}/plans/[0-9]+/goals/[0-9]+/picture"


def create_app(settings: Settings | None = None, ctx: ServerContext | None = None) -> FastAPI:
    """Build the app around a context (settings, database, clock); tests pass their own."""
    ctx = ctx or ServerContext.from_settings(settings or Settings())
    notifier = Notifier(ctx)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        notifier.start()  # notifications in the background (settings may turn it off)
        try:
            yield
        finally:
            notifier.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="SamPro API",
        version="1",
        openapi_url=f"{API_PREFIX}/openapi.json",
        # The schema stays public (DESIGN: OpenAPI at /api/v1/openapi.json); the
        # interactive pages only when a setting asks for them.
        docs_url=f"{API_PREFIX}/docs" if ctx.settings.api_docs else None,
        redoc_url=None,
    )
    app.state.ctx = ctx
    app.state.notifier = notifier
    install_error_handlers(app)
    app.add_middleware(
        BodyLimit,
        default=ctx.settings.max_request_bytes,
        larger=[(UPLOAD_PATHS, ctx.settings.max_upload_bytes)],
    )
    # Each module's router straight under the app (one level of inclusion, not two):
    # every request walks the included routers to find its route.
    for module in (plans, auth, profile, participants, log, accounts, goals, life_areas):
        app.include_router(module.router, prefix=API_PREFIX)
    for module in (professional_plans, completeness):
        app.include_router(module.router, prefix=API_PREFIX)
    for module in (messages, calendar, home, timeline, notifications):
        app.include_router(module.router, prefix=API_PREFIX)

    @app.get(f"{API_PREFIX}/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/healthz", include_in_schema=False)
    def root_healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def freeze_startup_heap() -> None:
    """Take everything built at start-up out of the cyclic garbage collector's scans.

    Every request's short-lived objects get promoted now and then, and each time enough
    have been a full collection walks the whole heap: the imports, models and app
    (hundreds of thousands of objects), tens of milliseconds that land on one request's
    latency. After `gc.freeze()` a full collection only walks what was made since.
    Called by the serving entry points once the app is built, not by `create_app`, so
    tests that build many apps keep collecting them.
    """
    gc.collect()
    gc.freeze()

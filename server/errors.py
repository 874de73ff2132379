"""The one error envelope: {"error": {"code", "message", "details"}} for every failure."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from server.limits import TooLarge


class ApiError(Exception):
    """An error with an HTTP status, a stable snake_case code and a human message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers


def not_found(what: str = "Not found") -> ApiError:
    return ApiError(404, "not_found", what)


def forbidden(message: str = "You do not have the right to do this") -> ApiError:
    return ApiError(403, "forbidden", message)


def validation(
    field: str, message: str, type: str = "invalid", limit: int | float | None = None
) -> ApiError:
    """422 validation_error naming `field`. `type` is what clients translate (pydantic's
    error types, or "invalid"); `message` is the English fallback; `limit` the number a
    length or range rule allows, when there is one."""
    details: dict[str, Any] = {"fields": {field: message}, "types": {field: type}}
    if limit is not None:
        details["limits"] = {field: limit}
    return ApiError(422, "validation_error", f"{field}: {message}", details)


def version_conflict() -> ApiError:
    return ApiError(
        409,
        "version_conflict",
        "Someone else changed this since you read it; reload and apply your change again",
    )


def envelope(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


_STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
}


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc[1:] if isinstance(p, str)] if len(loc) > 1 else []
    return ".".join(parts) or "body"


# The ctx entries of pydantic errors that carry the number a rule allows.
_LIMIT_KEYS = ("max_length", "min_length", "le", "ge", "lt", "gt")


def _limit(ctx: Any) -> int | float | None:
    if not isinstance(ctx, dict):
        return None
    for key in _LIMIT_KEYS:
        value = ctx.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
    return None


def allowed_methods(request: Request) -> list[str]:
    """Every method the API answers on this request's path, for a 405's `allow`: read from
    the OpenAPI document (the routes are one per method, and Starlette names only the
    first route's)."""
    paths: list[tuple[re.Pattern[str], set[str]]] | None = getattr(
        request.app.state, "allowed_methods", None
    )
    if paths is None:
        paths = [
            (compile_path(path)[0], {m.upper() for m in item})
            for path, item in request.app.openapi().get("paths", {}).items()
        ]
        request.app.state.allowed_methods = paths
    methods: set[str] = set()
    for pattern, names in paths:
        if pattern.match(request.url.path):
            methods |= names
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(
            envelope(exc.code, exc.message, exc.details), exc.status, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # `fields` {field: message} as before; beside it `types` {field: pydantic's error
        # type} for clients to say it in their own language, and `limits` {field: N}.
        fields: dict[str, str] = {}
        types: dict[str, str] = {}
        limits: dict[str, int | float] = {}
        for err in exc.errors():
            name = _field_name(err.get("loc", ()))
            if name in fields:
                continue
            # A validator's own sentence without pydantic's "Value error, " in front.
            fields[name] = str(err.get("msg", "invalid")).removeprefix("Value error, ")
            types[name] = str(err.get("type", "invalid"))
            limit = _limit(err.get("ctx"))
            if limit is not None:
                limits[name] = limit
        message = "; ".join(f"{k}: {v}" for k, v in fields.items())
        details: dict[str, Any] = {"fields": fields, "types": types}
        if limits:
            details["limits"] = limits
        return JSONResponse(envelope("validation_error", message, details), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "error")
        details = {"limit": exc.limit} if isinstance(exc, TooLarge) else None
        headers = exc.headers
        if exc.status_code == 405:
            # Starlette names the methods of the first route on the path only; GET and
            # POST /plans are two routes, so gather them all.
            others = {k: v for k, v in (headers or {}).items() if k.lower() != "allow"}
            headers = {**others, "allow": ", ".join(allowed_methods(request))}
        return JSONResponse(
            envelope(code, str(exc.detail), details), exc.status_code, headers=headers
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(_request: Request, _exc: IntegrityError) -> JSONResponse:
        # A unique rule the database enforced after our own check passed: two requests
        # racing for the same name or key. Nothing was saved; the caller may try again.
        return JSONResponse(
            envelope(
                "conflict",
                "Someone else saved the same thing at the same moment; nothing was saved, "
                "reload and try again",
            ),
            status_code=409,
        )

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _unstorable(_request: Request, _exc: Exception) -> JSONResponse:
        # Input the database cannot take (an integer beyond 64 bits on SQLite, a NUL
        # character on PostgreSQL) is bad input, not a server failure.
        return JSONResponse(
            envelope(
                "validation_error",
                "A value is out of range or contains characters that cannot be stored",
                {"fields": {}, "types": {}},
            ),
            status_code=422,
        )

    @app.exception_handler(DBAPIError)
    async def _database_lost(_request: Request, exc: DBAPIError) -> JSONResponse:
        # The database dropped the connection (a restart, a failover, an administrator's
        # pg_terminate_backend). The change may have been committed before the answer was
        # built, so the caller is told to look before sending again, never "not saved".
        if not (exc.connection_invalidated or isinstance(exc, OperationalError)):
            return _internal_error()
        return JSONResponse(
            envelope(
                "database_unavailable",
                "The server lost its connection to the database; reload to see whether "
                "your change was saved before you send it again",
            ),
            status_code=503,
            headers={"retry-after": "1"},
        )

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, _exc: Exception) -> JSONResponse:
        return _internal_error()


def _internal_error() -> JSONResponse:
    # Never a traceback to the caller; the server log has it. Whether anything was saved
    # is not known here (the failure may come after a commit), so the caller looks first.
    return JSONResponse(
        envelope(
            "internal_error",
            "Something went wrong on the server; reload to see what was saved before you try again",
        ),
        status_code=500,
    )

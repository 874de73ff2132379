"""The one error envelope: {"error": {"code", "message", "details"}} for every failure."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException


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


def validation(field: str, message: str) -> ApiError:
    return ApiError(422, "validation_error", f"{field}: {message}", {"fields": {field: message}})


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


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(
            envelope(exc.code, exc.message, exc.details), exc.status, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        fields: dict[str, str] = {}
        for err in exc.errors():
            fields.setdefault(_field_name(err.get("loc", ())), str(err.get("msg", "invalid")))
        message = "; ".join(f"{k}: {v}" for k, v in fields.items())
        return JSONResponse(
            envelope("validation_error", message, {"fields": fields}), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "error")
        return JSONResponse(envelope(code, str(exc.detail)), exc.status_code, headers=exc.headers)

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _unstorable(_request: Request, _exc: Exception) -> JSONResponse:
        # Input the database cannot take (an integer beyond 64 bits on SQLite, a NUL
        # character on PostgreSQL) is bad input, not a server failure.
        return JSONResponse(
            envelope(
                "validation_error",
                "A value is out of range or contains characters that cannot be stored",
                {"fields": {}},
            ),
            status_code=422,
        )

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, _exc: Exception) -> JSONResponse:
        # Never a traceback to the caller; the server log has it.
        return JSONResponse(
            envelope("internal_error", "Something went wrong on the server; nothing was saved"),
            status_code=500,
        )

"""Limits on what a request may carry, checked before routing.

The size limit: a body larger than its route allows is refused with 413 while it streams
in, before it is read whole (an unauthenticated request must not be able to fill the
server's memory). And no NUL character in the query string or path: PostgreSQL cannot
store it and SQLite would, so it is refused on both, naming the parameter (NUL in a JSON
body is refused by the contract's models, field by field).

Pure ASGI, outside FastAPI's routing: a declared `Content-Length` over the limit is
answered at once without calling the app; a body without one (chunked) is counted as it
arrives and cut off at the limit. JSON bodies get a small limit; only the routes that
take files get a larger one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CODE = "too_large"


def too_large_message(limit: int) -> str:
    return f"The request is larger than the {limit} bytes this call takes"


class TooLarge(HTTPException):
    """Raised from `receive` when a streaming body passes its limit; the app's handler
    for HTTP exceptions turns it into the error envelope."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit))
        self.limit = limit


class BodyLimit:
    """Refuse request bodies over `default` bytes, or over the limit of the first
    `(path pattern, bytes)` in `larger` whose pattern matches the whole path."""

    def __init__(
        self, app: ASGIApp, *, default: int, larger: Iterable[tuple[str, int]] = ()
    ) -> None:
        self.app = app
        self.default = default
        self.larger = [(re.compile(pattern), limit) for pattern, limit in larger]

    def limit_for(self, path: str) -> int:
        for pattern, limit in self.larger:
            if pattern.fullmatch(path):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nul = _nul_fields(scope)
        if nul:
            await _refuse_nul(send, nul)
            return
        limit = self.limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit)
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise TooLarge(limit)
            return message

        await self.app(scope, limited_receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # uvicorn refuses a malformed length before we see it
    return None


NUL_MESSAGE = "must not contain the NUL character"
NUL_TYPE = "nul_character"


def _nul_fields(scope: Scope) -> list[str]:
    """The query parameters (or "path") that carry a NUL character, percent-encoded."""
    query: bytes = scope.get("query_string", b"")
    raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
    found: list[str] = []
    if b"%00" in raw_path or "\0" in scope["path"]:
        found.append("path")
    if b"%00" in query or b"\0" in query:
        for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
            label = name.replace("\0", "") or "query"
            if ("\0" in name or "\0" in value) and label not in found:
                found.append(label)
    return found


async def _refuse_nul(send: Send, names: list[str]) -> None:
    details = {
        "fields": dict.fromkeys(names, NUL_MESSAGE),
        "types": dict.fromkeys(names, NUL_TYPE),
    }
    message = "; ".join(f"{name}: {NUL_MESSAGE}" for name in names)
    await _answer(
        send, 422, {"error": {"code": "validation_error", "message": message, "details": details}}
    )


async def _refuse(send: Send, limit: int) -> None:
    await _answer(
        send,
        413,
        {"error": {"code": CODE, "message": too_large_message(limit), "details": {"limit": limit}}},
    )


async def _answer(send: Send, status: int, content: dict[str, Any]) -> None:
    body = json.dumps(content).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

"""Where the session token lives: the system keyring when a secure one works, else memory.

Only the session token is stored, never a password, so a dropped SSH connection can
resume within the idle window. Keyring backends can block (a locked D-Bus secret
service, a prompt), so every call runs in a daemon thread with a timeout and never on
the UI's loop. Plain-text, "fail" and "null" backends (keyrings.alt's files, for one)
are refused; the token is then kept in memory only, and the app says so once.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Any, TypeVar

SERVICE = "sampro"
DEFAULT_TIMEOUT = 3.0

T = TypeVar("T")

_INSECURE_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")


def is_secure_backend(backend: Any) -> bool:
    """A backend that keeps secrets encrypted by the system, not in a plain file."""
    module = type(backend).__module__
    name = type(backend).__name__
    if module.startswith(_INSECURE_MODULES):
        return False
    if "plaintext" in name.lower() or "encryptedkeyring" in name.lower():
        return False
    try:
        priority = float(backend.priority)
    except Exception:
        return False
    return priority >= 1


def pick_secure_backend() -> Any | None:
    """The keyring backend to use, or None when no secure one is available."""
    import keyring
    from keyring.backends import chainer

    backend = keyring.get_keyring()
    if isinstance(backend, chainer.ChainerBackend):
        candidates = [b for b in backend.backends if is_secure_backend(b)]
        return candidates[0] if candidates else None
    return backend if is_secure_backend(backend) else None


async def run_off_loop(fn: Callable[[], T], timeout: float) -> T:
    """Run a blocking call in a daemon thread, so a hung keyring cannot hold up exit."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def deliver(result: T | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def target() -> None:
        try:
            outcome: tuple[T | None, BaseException | None] = (fn(), None)
        except BaseException as exc:  # handed to the awaiting side
            outcome = (None, exc)
        # A keyring that answered after the timeout may find the app already gone.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(deliver, *outcome)

    threading.Thread(target=target, name="sampro-keyring", daemon=True).start()
    return await asyncio.wait_for(future, timeout)


class TokenStore:
    """The session token per (server, username): keyring if secure, else memory only."""

    def __init__(
        self,
        enabled: bool = True,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        backend_factory: Callable[[], Any | None] = pick_secure_backend,
    ) -> None:
        self.enabled = enabled
        self.timeout = timeout
        self._backend_factory = backend_factory
        self._backend: Any | None = None
        self._checked = False
        self._memory: dict[str, str] = {}
        self.memory_only = not enabled
        self._notice_pending = False

    def take_notice(self) -> bool:
        """True once, after the keyring was found unusable: time to tell the user."""
        pending, self._notice_pending = self._notice_pending, False
        return pending

    @staticmethod
    def account(server_url: str, username: str) -> str:
        return f"{server_url.rstrip('/')}|{username}"

    async def _ready(self) -> Any | None:
        if not self.enabled:
            return None
        if not self._checked:
            self._checked = True
            try:
                self._backend = await run_off_loop(self._backend_factory, self.timeout)
            except Exception:
                self._backend = None
            if self._backend is None:
                self._fall_back()
        return self._backend

    def _fall_back(self) -> None:
        self._backend = None
        if not self.memory_only:
            self.memory_only = True
            self._notice_pending = True

    async def load(self, account: str) -> str | None:
        if account in self._memory:
            return self._memory[account]
        backend = await self._ready()
        if backend is None:
            return None
        try:
            value = await run_off_loop(lambda: backend.get_password(SERVICE, account), self.timeout)
        except Exception:
            self._fall_back()
            return None
        return value if isinstance(value, str) and value else None

    async def save(self, account: str, token: str) -> None:
        self._memory[account] = token
        backend = await self._ready()
        if backend is None:
            return
        try:
            await run_off_loop(lambda: backend.set_password(SERVICE, account, token), self.timeout)
        except Exception:
            self._fall_back()

    async def delete(self, account: str) -> None:
        self._memory.pop(account, None)
        backend = await self._ready()
        if backend is None:
            return

        def remove() -> None:
            with contextlib.suppress(Exception):  # nothing stored is fine
                backend.delete_password(SERVICE, account)

        try:
            await run_off_loop(remove, self.timeout)
        except Exception:
            self._fall_back()

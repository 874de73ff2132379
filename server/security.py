"""Passwords (argon2id and the password rules), tokens, one-time codes and masking."""

from __future__ import annotations

import gzip
import hashlib
import hmac
import secrets
import string
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.config import Settings


class Passwords:
    """Hashes and checks passwords with argon2id at the configured cost."""

    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
        )
        self.min_length = settings.password_min_length
        # Verified against when the username is unknown, so both take the same time.
        self._dummy = self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._dummy, password) and bool(
                password_hash
            )
        except (VerificationError, InvalidHashError):
            return False

    def problems(self, password: str, *, username: str = "") -> list[str]:
        """What is wrong with a new password, as codes the client can translate."""
        found: list[str] = []
        if len(password) < self.min_length:
            found.append("too_short")
        if not any(c.islower() for c in password):
            found.append("no_lower")
        if not any(c.isupper() for c in password):
            found.append("no_upper")
        if not any(c.isdigit() for c in password):
            found.append("no_digit")
        if password.lower() in common_passwords():
            found.append("common")
        if username and username.lower() in password.lower():
            found.append("contains_username")
        return found


PROBLEM_TEXT = {
    "too_short": "shorter than the minimum length",
    "no_lower": "needs a lower-case letter",
    "no_upper": "needs an upper-case letter",
    "no_digit": "needs a digit",
    "common": "is a commonly used password",
    "contains_username": "contains the username",
    "same_as_current": "is the same as the current password",
}


@cache
def common_passwords() -> frozenset[str]:
    data = resources.files("server").joinpath("data/common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode().lower().split())


def new_token() -> str:
    """A session token: 256 random bits."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_code() -> str:
    """A one-time code: six random digits from the CSPRNG."""
    return f"{secrets.randbelow(1_000_000):06d}"


def code_hash(challenge_id: str, code: str) -> str:
    # Keyed by the challenge so equal codes in two challenges hash differently.
    return hmac.new(challenge_id.encode(), code.encode(), hashlib.sha256).hexdigest()


def codes_equal(a: str, b: str) -> bool:
    """Constant-time comparison of two codes, whatever characters they hold.

    `hmac.compare_digest` refuses `str` with non-ASCII characters (TypeError), so a code
    typed as "ææææææ" or in Arabic-Indic digits would be a 500; as UTF-8 bytes it is
    simply a wrong code.
    """
    return hmac.compare_digest(
        a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass")
    )


def temporary_password() -> str:
    """A temporary password that meets the rules: 14 chars, mixed case and digits."""
    alphabet = string.ascii_letters + string.digits
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(14))
        if (
            any(c.islower() for c in pw)
            and any(c.isupper() for c in pw)
            and any(c.isdigit() for c in pw)
        ):
            return pw


def mask_phone(number: str) -> str:
    digits = number.strip()
    return "*" * max(0, len(digits) - 2) + digits[-2:] if digits else ""


def mask_email(address: str) -> str:
    if "@" not in address:
        return mask_phone(address)
    local, domain = address.split("@", 1)
    return f"{local[:1]}***@{domain}"

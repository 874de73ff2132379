"""Server settings, read from SAMPRO_* environment variables (the fixed names in DESIGN.md)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from server.files import private_folder


def default_data_dir() -> Path:
    return Path(user_data_dir("sampro", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAMPRO_", extra="ignore")

    database_url: str = ""
    session_idle_seconds: int = Field(default=3600, ge=1)
    session_warning_seconds: int = Field(default=300, ge=0)
    session_max_seconds: int = Field(default=43200, ge=1)
    otp_ttl_seconds: int = Field(default=600, ge=1)
    otp_max_attempts: int = Field(default=5, ge=1)
    lockout_threshold: int = Field(default=3, ge=1)
    lockout_seconds: int = Field(default=600, ge=1)
    password_min_length: int = Field(default=8, ge=6)
    # "Forgot password" sends at most one temporary password per account this often
    # (the request is still answered 202, so nothing is revealed).
    forgot_interval_seconds: int = Field(default=300, ge=0)
    sms: str = ""
    email: str = ""
    email_from: str = "SamPro <noreply@sampro.invalid>"
    smtp_timeout_seconds: float = 10.0
    sms_timeout_seconds: float = 10.0
    # argon2id cost: production defaults are strong; tests set cheap ones here.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=4, ge=1)
    data_dir: Path = Field(default_factory=default_data_dir)
    # Notifications (varslinger): how often the background worker looks (0: never; a
    # test or another process runs it), how long a notification waits for more events to
    # fold in, the least time between two to one person about one plan, retries.
    notify_interval_seconds: float = Field(default=15.0, ge=0)
    notify_fold_seconds: int = Field(default=60, ge=0)
    notify_quiet_seconds: int = Field(default=900, ge=0)
    notify_max_attempts: int = Field(default=8, ge=1)
    # Demo mode: the client may read codes from the file sink; never set in production.
    demo: bool = False
    # The interactive API docs (Swagger UI at /api/v1/docs) answer without a token, so
    # they are off unless a developer turns them on (SAMPRO_API_DOCS=1).
    api_docs: bool = False
    # Pages of the plan list kept in memory per worker, checked against the database's
    # change stamp before each use (server/plans/cache.py); 0 turns the cache off.
    plan_list_cache_mb: float = Field(default=32, ge=0)
    # The largest request body (server/limits.py): JSON calls, and the calls that take a
    # file (a goal's picture, base64 in JSON: 2 MB of picture is about 2.7 MB sent, and
    # a picture somewhat over its limit should still hear the route's own sentence).
    max_request_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_upload_bytes: int = Field(default=12 * 1024 * 1024, ge=1024)

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        private_folder(self.data_dir)
        return f"sqlite:///{self.data_dir / 'sampro.db'}"

    @cached_property
    def sms_target(self) -> str:
        return self.sms or f"file:{self.data_dir / 'sms.jsonl'}"

    @cached_property
    def email_target(self) -> str:
        return self.email or f"file:{self.data_dir / 'email.jsonl'}"

    @property
    def activity_touch_seconds(self) -> float:
        """How stale last-activity may get before a request writes it again.

        Writing on every request would serialise all readers on SQLite's write lock; a
        hundredth of the idle window (at most a minute) keeps the timeout honest.
        """
        return min(60.0, self.session_idle_seconds / 100)

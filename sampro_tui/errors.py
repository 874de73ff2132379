"""Turn API and network failures into a sentence a person can act on."""

from __future__ import annotations

from sampro_tui.api import ApiError, ServerUnreachable
from sampro_tui.formatting import minutes_rounded_up
from sampro_tui.i18n import t

_BY_CODE = {
    "forbidden": "error.forbidden",
    "not_found": "error.not_found",
    "consent_expired": "error.consent_expired",
    "plan_closed": "error.plan_closed",
    "version_conflict": "error.version_conflict",
    "password_change_required": "error.password_change_required",
    "rate_limited": "error.rate_limited",
    "too_many_codes": "error.too_many_codes",
    "invalid_credentials": "login.wrong",
    "invalid_code": "code.wrong",
    "code_expired": "code.expired_error",
    "session_expired": "login.expired",
    "not_authenticated": "login.session_lost",
}


def describe(error: BaseException) -> str:
    if isinstance(error, ServerUnreachable):
        if error.timed_out:
            return t("error.timeout")
        return t("error.unreachable", url=error.url)
    if isinstance(error, ApiError):
        if error.code == "account_locked":
            if error.retry_after is None:
                return t("login.locked_unknown")
            return t("login.locked", minutes=minutes_rounded_up(error.retry_after))
        if error.code == "invalid_code" and isinstance(error.details, dict):
            left = error.details.get("attempts_left")
            if isinstance(left, int):
                return t("code.wrong_left", left=left)
        if error.code == "validation_error":
            return t("error.validation_error", message=error.message)
        if error.code in _BY_CODE:
            return t(_BY_CODE[error.code])
        if error.status >= 500:
            return t("error.server", code=error.code)
        return t("error.generic", message=error.message)
    return t("error.generic", message=str(error) or type(error).__name__)

"""Turn API and network failures into a sentence a person can act on.

Validation errors (422 `validation_error`) name fields; the server sends, beside its
English `details.fields` {field: message}, `details.types` {field: pydantic's error
type} and `details.limits` {field: N}. `field_error` says one of them in the user's
language, `field_errors(error)` does so for every field of an error (what a form shows
beside its fields), and `validation_summary(error)` is the whole-form sentence with
each field's label (`field_label`, from `FIELD_LABELS`).
"""

from __future__ import annotations

from pydantic import ValidationError

from sampro_tui.api import ApiError, ServerUnreachable
from sampro_tui.formatting import minutes_rounded_up
from sampro_tui.i18n import has_text, t

# Pydantic's error types and the server's own (its route checks, "invalid") -> the
# sentence's i18n key.
# Types not here fall back to the server's message.
_FIELD_TYPES = {
    "missing": "field.missing",
    "string_too_short": "field.too_short",
    "string_too_long": "field.too_long",
    "too_short": "field.too_few",
    "too_long": "field.too_many",
    "date_parsing": "field.bad_date",
    "date_from_datetime_parsing": "field.bad_date",
    "date_from_datetime_inexact": "field.bad_date",
    "date_type": "field.bad_date",
    "datetime_parsing": "field.bad_datetime",
    "datetime_from_date_parsing": "field.bad_datetime",
    "datetime_type": "field.bad_datetime",
    "time_parsing": "field.bad_time",
    "time_type": "field.bad_time",
    "int_parsing": "field.not_a_number",
    "int_type": "field.not_a_number",
    "int_from_float": "field.not_a_whole_number",
    "float_parsing": "field.not_a_number",
    "float_type": "field.not_a_number",
    "bool_parsing": "field.not_yes_no",
    "bool_type": "field.not_yes_no",
    "greater_than_equal": "field.at_least",
    "greater_than": "field.more_than",
    "less_than_equal": "field.at_most",
    "less_than": "field.less_than",
    "literal_error": "field.not_a_choice",
    "enum": "field.not_a_choice",
    "string_pattern_mismatch": "field.pattern",
    "string_type": "field.not_text",
    "value_error": "field.invalid",
    "invalid": "field.invalid",
    # The server's route-level checks (server.errors.validation(..., type=...)).
    "required": "field.missing",
    "blank": "field.blank",
    "has_account": "field.has_account",
    "needs_mobile": "field.needs_mobile",
    "needs_email": "field.needs_email",
    "sms_or_email": "field.sms_or_email",
    "username_taken": "field.username_taken",
    "no_such_unit": "field.no_such_unit",
    "end_before_start": "field.end_before_start",
    "start_after_end": "field.start_after_end",
    "end_time_before_start": "field.end_time_before_start",
    "longer_than_a_year": "field.longer_than_a_year",
    "no_such_goal": "field.no_such_goal",
    "no_such_activity": "field.no_such_activity",
    "not_a_participant": "field.not_a_participant",
    "participant_removed": "field.participant_removed",
    "consent_expired": "field.consent_expired",
    "picture_too_large": "field.picture_too_large",
    "bad_base64": "field.bad_base64",
    "damaged_picture": "field.damaged_picture",
    "not_a_picture": "field.not_a_picture",
    "one_of_two": "field.one_of_two",
    "bad_cursor": "field.bad_cursor",
    "not_a_recipient": "field.not_a_recipient",
    "recipients_gone": "field.recipients_gone",
    "no_recipients": "field.no_recipients",
    "reply_to_draft": "field.reply_to_draft",
    "relative_or_provider": "field.relative_or_provider",
    "no_such_person": "field.no_such_person",
    "owner_role_fixed": "field.owner_role_fixed",
    "coordinator_role_fixed": "field.coordinator_role_fixed",
    "owner_not_removable": "field.owner_not_removable",
    "cannot_remove_self": "field.cannot_remove_self",
    "not_a_unit_user": "field.not_a_unit_user",
    "activities_need_goals": "field.activities_need_goals",
}

# Field names as the API spells them -> the label a person knows (i18n keys).
FIELD_LABELS = {
    "presentation": "plan.about",
    "status_text": "plan.status",
    "start_date": "plan.start_date",
    "end_date": "plan.end_date",
    "version": "field.label.version",
    "title": "field.label.title",
    "name": "field.label.name",
    "description": "field.label.description",
    "text": "field.label.text",
    "subject": "field.label.subject",
    "body": "field.label.body",
    "recipient_ids": "field.label.recipients",
    "responsibility": "field.label.responsibility",
    "consent_expires_at": "field.label.consent",
    "consent_until": "field.label.consent",
    "role": "field.label.role",
    "first_name": "plans.first_name",
    "last_name": "plans.last_name",
    "username": "login.username",
    "password": "login.password",
    "current_password": "password.current",
    "new_password": "password.new",
    "code": "code.label",
    "data_base64": "field.label.picture",
    "date": "field.label.date",
    "start_time": "field.label.start_time",
    "end_time": "field.label.end_time",
    "location": "field.label.location",
    "q": "plans.search",
}


def field_label(field: str) -> str:
    """The label of an API field ("status_text" -> "Status fra planeier"); an unknown
    name is made readable ("goal_id" -> "Goal id") rather than shown raw."""
    name = field.rsplit(".", 1)[-1]
    key = FIELD_LABELS.get(name)
    if key and has_text(key):
        return t(key)
    readable = name.replace("_", " ").strip()
    return readable[:1].upper() + readable[1:] if readable else t("field.label.unknown")


# Types whose sentence names things the error's details list: type -> the details key.
_NAMED_IN_DETAILS = {"recipients_gone": "not_allowed_names"}


def field_error(
    error_type: str | None,
    server_message: str,
    limit: int | float | None = None,
    names: list[str] | None = None,
) -> str:
    """One field's problem as a sentence in the user's language, from the error type
    (the server's own words only for a type this client does not know). `names` fills a
    sentence that lists people or things; without them a general sentence is used."""
    key = _FIELD_TYPES.get(error_type or "")
    if key is None:
        return server_message or t("field.invalid")
    if key == "field.too_short" and limit is not None and limit <= 1:
        key = "field.empty"
    if "{names}" in t(key):
        return t(key, names=", ".join(names)) if names else t(key + "_nolimit")
    if "{n}" in t(key):
        if limit is None:
            key += "_nolimit"
        else:
            n = int(limit) if float(limit).is_integer() else limit
            return t(key, n=n)
    return t(key)


def field_errors(error: ApiError) -> dict[str, str]:
    """{field: sentence} for a validation error: what a form shows beside each field."""
    details = error.details if isinstance(error.details, dict) else {}

    def mapping(name: str) -> dict[str, object]:
        value = details.get(name)
        return value if isinstance(value, dict) else {}

    fields = {str(k): str(v) for k, v in mapping("fields").items()}
    types = {str(k): str(v) for k, v in mapping("types").items()}
    limits = {str(k): v for k, v in mapping("limits").items()}
    out: dict[str, str] = {}
    for name, message in fields.items():
        limit = limits.get(name)
        number = limit if isinstance(limit, int | float) and not isinstance(limit, bool) else None
        # A code that is itself a field type (409 username_taken) stands for its fields.
        kind = types.get(name) or (error.code if error.code in _FIELD_TYPES else None)
        listed = details.get(_NAMED_IN_DETAILS.get(kind or "", ""))
        names = [str(n) for n in listed] if isinstance(listed, list) else None
        out[name] = field_error(kind, message, number, names)
    return out


def local_validation_error(exc: ValidationError) -> ApiError:
    """A contract model refused a value before it was sent: the same 422 the server would
    give (fields, types, limits), so forms show it with the same sentences."""
    fields: dict[str, str] = {}
    types: dict[str, str] = {}
    limits: dict[str, int | float] = {}
    for err in exc.errors():
        name = ".".join(str(p) for p in err.get("loc", ()) if isinstance(p, str)) or "body"
        if name in fields:
            continue
        fields[name] = str(err.get("msg", "invalid"))
        types[name] = str(err.get("type", "invalid"))
        ctx = err.get("ctx")
        if isinstance(ctx, dict):
            for key in ("max_length", "min_length", "le", "ge", "lt", "gt"):
                value = ctx.get(key)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    limits[name] = value
                    break
    details = {"fields": fields, "types": types, "limits": limits}
    return ApiError(422, "validation_error", "; ".join(fields.values()), details)


def validation_summary(error: ApiError) -> str:
    """The whole form's problems in one line: "Sluttdato: Ikke en gyldig dato. …"."""
    sentences = [f"{field_label(name)}: {text}" for name, text in field_errors(error).items()]
    return " ".join(sentences) if sentences else t("field.invalid_input")


_BY_CODE = {
    "database_unavailable": "error.database_unavailable",
    "forbidden": "error.forbidden",
    "not_found": "error.not_found",
    "consent_expired": "error.consent_expired",
    "plan_closed": "error.plan_closed",
    "version_conflict": "error.version_conflict",
    "password_change_required": "error.password_change_required",
    "rate_limited": "error.rate_limited",
    "too_many_codes": "error.too_many_codes",
    "username_taken": "field.username_taken",
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
            return t("error.validation_error", message=validation_summary(error))
        if error.code in _BY_CODE:
            return t(_BY_CODE[error.code])
        if error.status >= 500:
            return t("error.server", code=error.code)
        return t("error.generic", message=error.message)
    return t("error.generic", message=str(error) or type(error).__name__)

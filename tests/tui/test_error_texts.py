"""Validation errors in the user's language, from the server's error types."""

from __future__ import annotations

import pytest

from sampro_tui.api import ApiError
from sampro_tui.errors import describe, field_error, field_errors, field_label, validation_summary
from sampro_tui.i18n import set_language


@pytest.fixture
def english() -> object:
    set_language("en")
    yield
    set_language("nb")


def error(fields: dict[str, str], types: dict[str, str], limits: dict[str, int]) -> ApiError:
    details = {"fields": fields, "types": types, "limits": limits}
    return ApiError(422, "validation_error", "; ".join(fields.values()), details)


def test_each_type_is_a_norwegian_sentence_with_the_limit() -> None:
    assert field_error("missing", "Field required") == "Må fylles ut."
    assert field_error("string_too_long", "String should have at most 2000 characters", 2000) == (
        "Kan ha høyst 2000 tegn."
    )
    assert field_error("string_too_short", "String should have at least 1 character", 1) == (
        "Kan ikke være tomt."
    )
    assert field_error("string_too_short", "…", 8) == "Må ha minst 8 tegn."
    assert field_error("too_long", "List should have at most 500 items", 500) == (
        "Kan ha høyst 500 valg."
    )
    assert field_error("date_from_datetime_parsing", "Input should be a valid date") == (
        "Ikke en gyldig dato. Skriv den som dd.mm.åååå."
    )
    assert field_error("date_parsing", "…") == field_error("date_from_datetime_parsing", "…")
    assert field_error("int_parsing", "Input should be a valid integer") == "Må være et tall."
    assert field_error("greater_than_equal", "…", 0) == "Må være minst 0."
    assert field_error("less_than_equal", "…", 100) == "Kan være høyst 100."
    assert field_error("literal_error", "Input should be 'a' or 'b'") == (
        "Er ikke et av valgene som finnes."
    )
    assert field_error("enum", "…") == "Er ikke et av valgene som finnes."
    assert field_error("string_pattern_mismatch", "…") == "Inneholder tegn som ikke er tillatt."
    assert field_error("value_error", "Value error, end before start") == "Er ikke gyldig."
    assert field_error("invalid", "must be positive") == "Er ikke gyldig."
    assert field_error("string_too_long", "…") == "Er for langt."  # no limit sent


def test_an_unknown_type_or_none_falls_back_to_the_servers_words() -> None:
    assert field_error("uuid_parsing", "Input should be a valid UUID") == (
        "Input should be a valid UUID"
    )
    assert field_error(None, "path: no such file") == "path: no such file"  # made by the client


def test_english_too(english: object) -> None:
    assert field_error("missing", "Field required") == "Is required."
    assert field_error("string_too_long", "…", 300) == "Can have at most 300 characters."
    assert field_label("end_date") == "End date"


def test_labels_and_the_whole_form_sentence() -> None:
    assert field_label("status_text") == "Status fra planeier"
    assert field_label("end_date") == "Sluttdato"
    assert field_label("body.end_date") == "Sluttdato"
    assert field_label("goal_id") == "Goal id"  # unknown: readable, never "goal_id"
    e = error(
        {"end_date": "Input should be a valid date", "status_text": "String should have …"},
        {"end_date": "date_from_datetime_parsing", "status_text": "string_too_long"},
        {"status_text": 2000},
    )
    assert field_errors(e) == {
        "end_date": "Ikke en gyldig dato. Skriv den som dd.mm.åååå.",
        "status_text": "Kan ha høyst 2000 tegn.",
    }
    assert validation_summary(e) == (
        "Sluttdato: Ikke en gyldig dato. Skriv den som dd.mm.åååå. "
        "Status fra planeier: Kan ha høyst 2000 tegn."
    )
    assert describe(e) == "Noe av det du skrev er ikke gyldig. " + validation_summary(e)
    assert "Input should" not in describe(e)


def test_an_old_server_without_types_still_shows_its_messages() -> None:
    e = ApiError(422, "validation_error", "x", {"fields": {"q": "too long"}})
    assert field_errors(e) == {"q": "too long"}
    assert validation_summary(e) == "Søk: too long"
    empty = ApiError(422, "validation_error", "x", {"fields": {}})
    assert validation_summary(empty) == "Sjekk det du skrev og prøv igjen."


def test_a_value_the_contract_refuses_before_sending_reads_the_same() -> None:
    from pydantic import ValidationError

    from sampro_contract import PlanUpdate
    from sampro_tui.errors import local_validation_error

    with pytest.raises(ValidationError) as caught:
        PlanUpdate(version=1, status_text="x" * 2001)
    e = local_validation_error(caught.value)
    assert e.code == "validation_error"
    assert validation_summary(e) == "Status fra planeier: Kan ha høyst 2000 tegn."

"""People (personer): a person as shown, and a new person with checked names and contacts."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, Field

from sampro_contract.common import Model, Request


class Person(Model):
    id: int
    first_name: str
    last_name: str
    birth_date: date | None = None
    email: str | None = None
    mobile: str | None = None
    workplace: str | None = None
    position: str | None = None


def _not_blank(value: str) -> str:
    """Stripped, and refused when nothing is left (checked after stripping)."""
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


# One address: no spaces or line breaks anywhere (so no header can be smuggled in), one @,
# a dot in the domain.
_EMAIL = re.compile(r"[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f.]+")
_PHONE = re.compile(r"\+?[0-9][0-9 -]*[0-9]")


def _email(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not _EMAIL.fullmatch(value):
        raise ValueError("not an e-mail address (like navn@eksempel.no)")
    return value


def _phone(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not _PHONE.fullmatch(value) or sum(c.isdigit() for c in value) < 3:
        raise ValueError("not a phone number: digits, spaces, + and - only (like +47 912 34 567)")
    return value


Name = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_not_blank)]
Email = Annotated[str | None, Field(max_length=200), AfterValidator(_email)]
Phone = Annotated[str | None, Field(max_length=40), AfterValidator(_phone)]


class PersonCreate(Request):
    first_name: Name
    last_name: Name
    birth_date: date | None = None
    email: Email = None
    mobile: Phone = None
    phone: Phone = None
    address: str | None = Field(default=None, max_length=300)
    workplace: str | None = Field(default=None, max_length=200)
    position: str | None = Field(default=None, max_length=200)

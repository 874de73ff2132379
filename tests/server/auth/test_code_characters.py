"""Codes with characters other than ASCII digits are wrong codes, never a 500."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pyotp
import pytest

from tests.conftest import Harness
from tests.server.conftest import Org
from tests.server.support import API, bearer, error, login, start_login

# Letters, Arabic-Indic and full-width digits (str.isdigit() is true for the last two).
ODD_CODES = ["ææææææ", "١٢٣٤٥٦", "１２３４５６", "12345\u00e6"]


def post(h: Harness, path: str, body: dict[str, Any], token: str = "") -> httpx.Response:
    """JSON with \\u escapes (json.dumps' default), so lone surrogates can travel."""
    headers = {"Content-Type": "application/json", **(bearer(token) if token else {})}
    return h.client.post(f"{API}{path}", content=json.dumps(body), headers=headers)


def verify(h: Harness, challenge_id: str, code: str) -> httpx.Response:
    return post(h, "/auth/verify", {"challenge_id": challenge_id, "code": code})


def _enrol(org: Org) -> str:
    h = org.h
    token = login(h, "kari")
    secret = h.client.post(f"{API}/me/totp", headers=bearer(token)).json()["secret"]
    code = pyotp.TOTP(secret).at(h.clock.now())
    r = h.client.post(f"{API}/me/totp/confirm", json={"code": code}, headers=bearer(token))
    assert r.status_code == 204, r.text
    return secret


@pytest.mark.parametrize("code", ODD_CODES)
def test_an_odd_code_at_authenticator_login_is_just_a_wrong_code(org: Org, code: str) -> None:
    h = org.h
    _enrol(org)
    challenge = start_login(h, "kari").json()
    assert challenge["channel"] == "totp"
    r = verify(h, challenge["challenge_id"], code)
    assert error(r) == (401, "invalid_code"), r.text


@pytest.mark.parametrize("code", ODD_CODES)
def test_an_odd_code_at_sms_login_is_just_a_wrong_code(org: Org, code: str) -> None:
    h = org.h
    challenge = start_login(h, "kari").json()
    assert error(verify(h, challenge["challenge_id"], code)) == (401, "invalid_code")


@pytest.mark.parametrize("code", ODD_CODES)
def test_an_odd_code_when_confirming_an_authenticator_is_refused(org: Org, code: str) -> None:
    h = org.h
    token = login(h, "kari")
    assert h.client.post(f"{API}/me/totp", headers=bearer(token)).status_code == 200
    r = post(h, "/me/totp/confirm", {"code": code}, token)
    assert error(r) == (422, "invalid_code"), r.text


def test_a_code_of_lone_surrogates_is_bad_input_on_every_code_route(org: Org) -> None:
    h = org.h
    code = "\ud800\udfff\ud800x\udc00y"[::-1]  # lone surrogates, valid as JSON escapes
    challenge = start_login(h, "kari").json()
    assert error(verify(h, challenge["challenge_id"], code)) == (422, "validation_error")
    token = login(h, "kari")
    assert h.client.post(f"{API}/me/totp", headers=bearer(token)).status_code == 200
    r = post(h, "/me/totp/confirm", {"code": code}, token)
    assert error(r) == (422, "validation_error"), r.text

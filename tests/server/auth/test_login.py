"""The two-step login through HTTP: passwords, lockout, one-time codes, the authenticator."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pyotp
from sqlalchemy import select

from server.accounts.models import UserAccount
from server.auth.models import LoginChallenge
from server.clock import aware
from server.notifications.models import Delivery
from tests.server.conftest import Org
from tests.server.support import (
    API,
    PASSWORD,
    add_user,
    bearer,
    error,
    get_row,
    login,
    start_login,
    user_row,
    verify,
)

WRONG = "Feil-Passord9"


def test_unknown_user_and_wrong_password_get_the_same_answer(org: Org) -> None:
    unknown = start_login(org.h, "finnesikke", PASSWORD)
    wrong = start_login(org.h, "kari", WRONG)
    assert error(unknown) == error(wrong) == (401, "invalid_credentials")
    assert unknown.json() == wrong.json()
    assert org.h.sent("sms") == []


def test_right_password_sends_a_six_digit_code_to_the_masked_number(org: Org) -> None:
    r = start_login(org.h, "kari")
    assert r.status_code == 200
    body = r.json()
    mobile = user_row(org.h, "kari").person.mobile
    assert body["channel"] == "sms"
    assert body["destination_hint"].endswith(mobile[-2:])
    assert mobile not in body["destination_hint"]
    [sms] = org.h.sent("sms")
    assert sms["to"] == mobile
    assert len(re.findall(r"\b\d{6}\b", sms["body"])) == 1


def test_username_is_not_case_sensitive(org: Org) -> None:
    assert start_login(org.h, "  KARI ").status_code == 200


def test_locked_out_after_three_wrong_passwords(org: Org) -> None:
    h = org.h
    for _ in range(3):
        assert error(start_login(h, "kari", WRONG)) == (401, "invalid_credentials")
    r = start_login(h, "kari")  # even the right password
    assert error(r) == (423, "account_locked")
    assert r.headers["Retry-After"] == "600"
    assert r.json()["error"]["details"]["retry_after_seconds"] == 600
    assert h.sent("sms") == []
    h.clock.advance(599)
    r = start_login(h, "kari")
    assert error(r) == (423, "account_locked")
    assert r.headers["Retry-After"] == "1"
    h.clock.advance(1)
    assert start_login(h, "kari").status_code == 200


def test_lockout_follows_the_configured_threshold_and_length(make_org: Callable[..., Org]) -> None:
    org = make_org(lockout_threshold=5, lockout_seconds=120)
    h = org.h
    for _ in range(4):
        start_login(h, "kari", WRONG)
    assert start_login(h, "kari").status_code == 200  # four in a row: not yet
    assert error(start_login(h, "kari", WRONG)) == (401, "invalid_credentials")
    r = start_login(h, "kari")
    assert error(r) == (423, "account_locked")
    assert r.headers["Retry-After"] == "120"
    h.clock.advance(120)
    assert start_login(h, "kari").status_code == 200


def test_a_completed_login_resets_the_failure_count(org: Org) -> None:
    h = org.h
    start_login(h, "kari", WRONG)
    start_login(h, "kari", WRONG)
    login(h, "kari")
    start_login(h, "kari", WRONG)
    start_login(h, "kari", WRONG)
    assert start_login(h, "kari").status_code == 200


def test_a_right_password_alone_does_not_reset_the_failure_count(org: Org) -> None:
    h = org.h
    start_login(h, "kari", WRONG)
    start_login(h, "kari", WRONG)
    assert start_login(h, "kari").status_code == 200  # code never entered
    start_login(h, "kari", WRONG)
    assert error(start_login(h, "kari")) == (423, "account_locked")


def test_the_lock_is_per_account(org: Org) -> None:
    add_user(org.h, "ola", org.unit_id)
    for _ in range(3):
        start_login(org.h, "kari", WRONG)
    assert start_login(org.h, "ola").status_code == 200


def test_asking_for_a_new_code_never_resets_the_failure_count(org: Org) -> None:
    h = org.h
    start_login(h, "kari", WRONG)
    start_login(h, "kari", WRONG)
    challenge = start_login(h, "kari").json()["challenge_id"]
    r = h.client.post(f"{API}/auth/resend", json={"challenge_id": challenge})
    assert r.status_code == 200
    assert len(h.sent("sms")) == 2
    start_login(h, "kari", WRONG)
    assert error(start_login(h, "kari")) == (423, "account_locked")


def test_asking_for_a_new_code_keeps_the_wrong_tries(org: Org) -> None:
    h = org.h
    challenge = start_login(h, "kari").json()["challenge_id"]
    wrong = "000000" if h.last_code() != "000000" else "111111"
    for _ in range(3):
        assert error(verify(h, challenge, wrong)) == (401, "invalid_code")
    r = h.client.post(f"{API}/auth/resend", json={"challenge_id": challenge})
    assert r.status_code == 200
    new_code = h.last_code()
    wrong = "000000" if new_code != "000000" else "111111"
    r = verify(h, challenge, wrong)
    assert error(r) == (401, "invalid_code")
    assert r.json()["error"]["details"]["attempts_left"] == 1
    assert error(verify(h, challenge, wrong)) == (401, "code_expired")
    assert error(verify(h, challenge, new_code)) == (401, "code_expired")


def test_a_new_code_replaces_the_old_one(org: Org) -> None:
    h = org.h
    challenge = start_login(h, "kari").json()["challenge_id"]
    old = h.last_code()
    h.client.post(f"{API}/auth/resend", json={"challenge_id": challenge})
    new = h.last_code()
    if old != new:
        assert error(verify(h, challenge, old)) == (401, "invalid_code")
    assert verify(h, challenge, new).status_code == 200


def test_a_code_works_only_once(org: Org) -> None:
    h = org.h
    challenge = start_login(h, "kari").json()["challenge_id"]
    code = h.last_code()
    assert verify(h, challenge, code).status_code == 200
    assert error(verify(h, challenge, code)) == (401, "code_expired")


def test_a_code_from_another_login_does_not_work(org: Org) -> None:
    h = org.h
    first = start_login(h, "kari").json()["challenge_id"]
    first_code = h.last_code()
    second = start_login(h, "kari").json()["challenge_id"]
    if first_code != h.last_code():
        assert error(verify(h, second, first_code)) == (401, "invalid_code")
    assert verify(h, first, first_code).status_code == 200


def test_a_code_expires_after_the_configured_time(make_org: Callable[..., Org]) -> None:
    h = make_org(otp_ttl_seconds=120).h
    challenge = start_login(h, "kari").json()
    code = h.last_code()
    h.clock.advance(119)
    good = start_login(h, "kari").json()
    good_code = h.last_code()
    h.clock.advance(1)  # the first is now 120 s old, the second 1 s
    assert error(verify(h, challenge["challenge_id"], code)) == (401, "code_expired")
    assert verify(h, good["challenge_id"], good_code).status_code == 200


def test_the_challenge_says_when_the_code_expires(make_org: Callable[..., Org]) -> None:
    h = make_org(otp_ttl_seconds=300).h
    body = start_login(h, "kari").json()
    expires = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    assert abs((aware(expires) - h.clock.now()).total_seconds() - 300) < 1
    row = get_row(h, LoginChallenge, body["challenge_id"])
    assert (row.expires_at - h.clock.now()).total_seconds() == 300


def test_five_wrong_codes_end_the_challenge(org: Org) -> None:
    h = org.h
    challenge = start_login(h, "kari").json()["challenge_id"]
    code = h.last_code()
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        r = verify(h, challenge, wrong)
        assert error(r) == (401, "invalid_code")
        assert r.json()["error"]["details"]["attempts_left"] == left
    assert error(verify(h, challenge, wrong)) == (401, "code_expired")
    assert error(verify(h, challenge, code)) == (401, "code_expired")
    # ...and the ended challenge counts as one failed login.
    assert user_row(h, "kari").failed_logins == 1


def test_the_code_is_stored_only_as_a_hash(org: Org) -> None:
    h = org.h
    challenge = start_login(h, "kari").json()["challenge_id"]
    row = get_row(h, LoginChallenge, challenge)
    assert row.code_hash and h.last_code() not in row.code_hash


def test_unknown_challenge_is_refused(org: Org) -> None:
    assert error(verify(org.h, "no-such-challenge", "123456")) == (401, "code_expired")


# --- the authenticator app (TOTP) ---------------------------------------------------------


def _enrol(org: Org) -> tuple[str, str]:
    h = org.h
    token = login(h, "kari")
    r = h.client.post(f"{API}/me/totp", headers=bearer(token))
    assert r.status_code == 200, r.text
    body = r.json()
    secret = body["secret"]
    code = pyotp.TOTP(secret).at(h.clock.now())
    r = h.client.post(f"{API}/me/totp/confirm", json={"code": code}, headers=bearer(token))
    assert r.status_code == 204, r.text
    return secret, token


def test_enrolling_an_authenticator_gives_the_secret_and_an_otpauth_uri(org: Org) -> None:
    h = org.h
    token = login(h, "kari")
    r = h.client.post(f"{API}/me/totp", headers=bearer(token))
    body = r.json()
    uri = urlsplit(body["otpauth_uri"])
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    assert parse_qs(uri.query)["secret"] == [body["secret"]]
    assert "kari" in uri.path
    # Not yet in use until confirmed: a wrong code is refused and codes still go by SMS.
    bad = h.client.post(f"{API}/me/totp/confirm", json={"code": "000000"}, headers=bearer(token))
    right = pyotp.TOTP(body["secret"]).at(h.clock.now())
    if right != "000000":
        assert error(bad) == (422, "invalid_code")
    assert start_login(h, "kari").json()["channel"] == "sms"


def test_login_with_the_authenticator_after_confirming(org: Org) -> None:
    h = org.h
    secret, _ = _enrol(org)
    sms_before = len(h.sent("sms"))
    assert user_row(h, "kari").channel == "totp"
    h.clock.advance(30)
    challenge = start_login(h, "kari").json()
    assert challenge["channel"] == "totp"
    assert len(h.sent("sms")) == sms_before  # nothing sent
    r = verify(h, challenge["challenge_id"], pyotp.TOTP(secret).at(h.clock.now()))
    assert r.status_code == 200, r.text
    assert r.json()["user"]["channel"] == "totp"


def test_each_authenticator_time_step_is_accepted_once(org: Org) -> None:
    h = org.h
    secret, _ = _enrol(org)
    totp = pyotp.TOTP(secret)
    # The code used to confirm cannot log in within the same time step.
    challenge = start_login(h, "kari").json()["challenge_id"]
    assert error(verify(h, challenge, totp.at(h.clock.now()))) == (401, "invalid_code")
    h.clock.advance(30)
    code = totp.at(h.clock.now())
    assert verify(h, challenge, code).status_code == 200
    replay = start_login(h, "kari").json()["challenge_id"]
    assert error(verify(h, replay, code)) == (401, "invalid_code")
    # An older step is refused too, once a newer one was used.
    older = totp.at(h.clock.now().timestamp() - 30)
    if older != code:
        assert error(verify(h, replay, older)) == (401, "invalid_code")
    h.clock.advance(30)
    assert verify(h, replay, totp.at(h.clock.now())).status_code == 200


def test_a_wrong_authenticator_code_counts_toward_ending_the_challenge(org: Org) -> None:
    h = org.h
    secret, _ = _enrol(org)
    h.clock.advance(30)
    challenge = start_login(h, "kari").json()["challenge_id"]
    right = pyotp.TOTP(secret).at(h.clock.now())
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        verify(h, challenge, wrong)
    assert error(verify(h, challenge, right)) == (401, "code_expired")


def test_a_user_with_no_mobile_gets_503_and_the_failed_delivery_is_recorded(org: Org) -> None:
    h = org.h
    add_user(h, "utennummer", org.unit_id, mobile="")
    r = start_login(h, "utennummer")
    assert error(r) == (503, "delivery_failed")
    with h.ctx.db.read_session() as db:
        user = db.scalars(select(UserAccount).where(UserAccount.username == "utennummer")).one()
        [delivery] = db.scalars(select(Delivery).where(Delivery.user_id == user.id)).all()
    assert delivery.status == "failed"


def test_new_codes_are_limited_per_login(org: Org) -> None:
    h = org.h
    challenge = start_login(h, "kari").json()["challenge_id"]
    for _ in range(3):
        assert (
            h.client.post(f"{API}/auth/resend", json={"challenge_id": challenge}).status_code == 200
        )
    r = h.client.post(f"{API}/auth/resend", json={"challenge_id": challenge})
    assert error(r) == (429, "too_many_codes")
    assert len(h.sent("sms")) == 4
    assert verify(h, challenge, h.last_code()).status_code == 200


def test_a_new_code_is_refused_while_the_account_is_locked(org: Org) -> None:
    h = org.h
    challenge = start_login(h, "kari").json()["challenge_id"]
    for _ in range(3):
        start_login(h, "kari", WRONG)
    r = h.client.post(f"{API}/auth/resend", json={"challenge_id": challenge})
    assert error(r) == (423, "account_locked")
    assert error(verify(h, challenge, h.last_code())) == (423, "account_locked")

"""Token lifetimes: logging out revokes the refresh token at once, the access token within minutes."""
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import jwt
import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt import tokens as simplejwt_tokens
from rest_framework_simplejwt.utils import aware_utcnow

from tests.user.test_api import LOGIN, MY_COURSES, REFRESH, assert_error_envelope
from tests.user.test_hostile_input import LOGOUT

pytestmark = pytest.mark.django_db

# The lifetimes the README documents ("Sessions and tokens").
ACCESS_LIFETIME = timedelta(minutes=5)
REFRESH_LIFETIME = timedelta(days=7)


@contextmanager
def minted_ago(age):
    """Tokens minted inside carry `iat`/`exp` as if minted `age` ago (simplejwt's clock)."""
    then = aware_utcnow() - age
    with mock.patch.object(simplejwt_tokens, "aware_utcnow", return_value=then):
        yield


def log_in(api):
    response = api.post(LOGIN, {"username": "alice", "password": "pass-word-123"}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def claims(token):
    return jwt.decode(token, options={"verify_signature": False})


def test_access_tokens_live_five_minutes_and_refresh_tokens_seven_days(api, student):
    session = log_in(api)

    access, refresh = claims(session["token"]), claims(session["refresh"])

    assert access["exp"] - access["iat"] == ACCESS_LIFETIME.total_seconds()
    assert refresh["exp"] - refresh["iat"] == REFRESH_LIFETIME.total_seconds()


@pytest.mark.parametrize("age, still_works", [
    (ACCESS_LIFETIME - timedelta(seconds=30), True),   # logout does not revoke it...
    (ACCESS_LIFETIME + timedelta(seconds=1), False),   # ...its lifetime ends it
], ids=["within-its-lifetime", "lifetime-over"])
def test_a_logged_out_access_token_is_refused_once_its_lifetime_is_over(api, student, age,
                                                                        still_works):
    with minted_ago(age):
        session = log_in(api)

    response = api.post(LOGOUT, {"refresh": session["refresh"]}, format="json")

    assert response.status_code == 200 and response.json()["status"] == 0
    assert_error_envelope(api.post(REFRESH, {"refresh": session["refresh"]}, format="json"), 401)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"JWT {session['token']}")
    answer = client.get(MY_COURSES)
    if still_works:
        assert answer.status_code == 200, answer.content
    else:
        assert_error_envelope(answer, 401)


def test_a_refreshed_access_token_gets_a_full_lifetime_again(api, student):
    with minted_ago(ACCESS_LIFETIME + timedelta(seconds=1)):
        session = log_in(api)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"JWT {session['token']}")
    assert_error_envelope(client.get(MY_COURSES), 401)  # what the SPA sees: it refreshes

    renewed = api.post(REFRESH, {"refresh": session["refresh"]}, format="json").json()

    client.credentials(HTTP_AUTHORIZATION=f"JWT {renewed['token']}")
    assert client.get(MY_COURSES).status_code == 200
    access = claims(renewed["token"])
    assert access["exp"] - access["iat"] == ACCESS_LIFETIME.total_seconds()

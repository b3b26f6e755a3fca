"""No 500 from bad or racing input; refresh rotation and logout; one account per folded name."""
import json
import threading
import urllib.error
import urllib.request

import pytest
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from apps.user.models import User
from tests.factories import UserFactory
from tests.user.test_api import LOGIN, MY_COURSES, REFRESH, REGISTER, STRONG, assert_error_envelope

LOGOUT = "/api/user/logout/"


def tokens(api, username="alice"):
    response = api.post(LOGIN, {"username": username, "password": "pass-word-123"}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def refresh(api, token):
    return api.post(REFRESH, {"refresh": token}, format="json")


# --- refresh tokens -------------------------------------------------------------------------

@pytest.mark.django_db
def test_refresh_token_of_a_deleted_user_is_401(api, student):
    token = tokens(api)["refresh"]
    student.delete()
    assert_error_envelope(refresh(api, token), 401)


@pytest.mark.django_db
def test_refresh_token_of_an_inactive_user_is_401(api, student):
    token = tokens(api)["refresh"]
    User.objects.filter(pk=student.pk).update(is_active=False)
    assert_error_envelope(refresh(api, token), 401)


@pytest.mark.django_db
def test_refresh_rotates_and_the_old_refresh_token_stops_working(api, student):
    first = tokens(api)["refresh"]

    answer = refresh(api, first)

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["status"] == 0 and body["token"] and body["refresh"] != first
    assert_error_envelope(refresh(api, first), 401)  # used once: revoked
    assert refresh(api, body["refresh"]).status_code == 200  # the new one works, once
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"JWT {body['token']}")
    assert client.get(MY_COURSES).status_code == 200


@pytest.mark.django_db
def test_logout_revokes_the_refresh_token(api, student):
    session = tokens(api)

    response = api.post(LOGOUT, {"refresh": session["refresh"]}, format="json")

    assert response.status_code == 200 and response.json()["status"] == 0
    assert_error_envelope(refresh(api, session["refresh"]), 401)
    assert_error_envelope(api.post(LOGOUT, {"refresh": "garbage"}, format="json"), 401)
    assert_error_envelope(api.post(LOGOUT, {}, format="json"), 400, "refresh")


# --- names ----------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("name", ["ｓｔｕｄｅｎｔ", "STUDENT", "Student", "ＳＴＵＤＥＮＴ"])
def test_a_case_or_width_variant_of_a_taken_name_is_400(api, name):
    UserFactory(username="student")
    body = assert_error_envelope(api.post(REGISTER, {"username": name, "password": STRONG},
                                          format="json"), 400, "username")
    assert "已被注册" in body["msg"]
    assert User.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["ѕtudent", "stυdent", "pаypal"], ids=["cyrillic-s", "greek-u",
                                                                        "cyrillic-a"])
def test_a_name_mixing_alphabets_is_400(api, name):
    UserFactory(username="student")
    body = assert_error_envelope(api.post(REGISTER, {"username": name, "password": STRONG},
                                          format="json"), 400, "username")
    assert "混用" in body["msg"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["张三", "张san", "Zhang_3", "иван"])
def test_single_script_names_and_han_beside_latin_are_fine(api, name):
    assert api.post(REGISTER, {"username": name, "password": STRONG},
                    format="json").status_code == 201


@pytest.mark.django_db
def test_the_database_refuses_a_folded_duplicate_too():
    UserFactory(username="student")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(username="STUDENT", password=STRONG)


@pytest.mark.django_db
def test_a_student_can_log_in_with_any_case_of_their_name(api, student):
    assert tokens(api, "ALICE")["username"] == "alice"


# --- races against the live server ----------------------------------------------------------

def _post_together(url, bodies):
    """POST every body at once from its own thread; the (status, json) answers."""
    start = threading.Barrier(len(bodies))
    answers = []

    def post(body):
        request = urllib.request.Request(url, json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        start.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                answers.append((response.status, json.load(response)))
        except urllib.error.HTTPError as error:
            answers.append((error.code, json.load(error)))

    threads = [threading.Thread(target=post, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("vary, field", [
    (lambda i: {"username": "racer", "telephone": f"1390000{i:04d}"}, "username"),
    (lambda i: {"username": ["racer", "RACER", "ｒａｃｅｒ"][i % 3], "telephone": None}, "username"),
    (lambda i: {"username": f"racer{i}", "telephone": "13900001111"}, "telephone"),
], ids=["same-username", "folded-variants", "same-telephone"])
def test_ten_parallel_registrations_give_one_account_and_clear_400s(live_server, vary, field):
    bodies = [{"password": STRONG, **vary(i)} for i in range(10)]

    answers = _post_together(f"{live_server.url}{REGISTER}", bodies)

    codes = sorted(code for code, _ in answers)
    assert codes == [201] + [400] * 9, answers
    for code, body in answers:
        if code == 400:
            assert body["status"] != 0 and field in body["errors"] and "已" in body["msg"], body
    assert User.objects.count() == 1

"""User API over HTTP: register, log in, JWT in both header styles, refresh, my courses."""
import pytest
from rest_framework.test import APIClient

from apps.user.models import User
from tests.alipay_fake import signed_notify
from tests.conftest import post_notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REGISTER = "/api/user/register/"
LOGIN = "/api/user/login/"
REFRESH = "/api/user/token/refresh/"
MY_COURSES = "/api/user/courses/"
STRONG = "Tr1cky-horse-77"

LEAKS = ("Traceback", "Exception", "Error:", "ValidationError", "IntegrityError", "TokenError",
         "InvalidToken", "AuthenticationFailed", 'File "')


def assert_error_envelope(response, http_status, field=None):
    """A non-zero `status`, a human message, the field in `errors`, and nothing leaked."""
    assert response.status_code == http_status, response.content
    body = response.json()
    assert body["status"] != 0
    assert isinstance(body["msg"], str) and body["msg"].strip()
    if field is not None:
        assert field in body["errors"], body
        assert body["errors"][field] and all(isinstance(m, str) for m in body["errors"][field])
    text = response.content.decode()
    for leak in LEAKS:
        assert leak not in text, f"{leak!r} leaked in {text}"
    return body


def register(api, **data):
    return api.post(REGISTER, data, format="json")


# --- register -------------------------------------------------------------------------------

def test_register_creates_a_student_and_answers_the_envelope(api):
    response = register(api, username="bob", password=STRONG, telephone="13912345678")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == 0 and body["msg"]
    user = User.objects.get(username="bob")
    assert body["user"] == {"id": user.pk, "username": "bob", "telephone": "13912345678"}
    assert "password" not in body["user"] and STRONG not in response.content.decode()
    # Stored hashed, never as given; the password works.
    assert user.password != STRONG and STRONG not in user.password
    assert user.check_password(STRONG)
    assert not user.is_staff and not user.is_superuser


@pytest.mark.parametrize("telephone", [None, "", "omitted"], ids=["null", "blank", "omitted"])
def test_telephone_is_optional_and_several_students_may_skip_it(api, telephone):
    for name in ("nophone1", "nophone2"):
        data = {"username": name, "password": STRONG}
        if telephone != "omitted":
            data["telephone"] = telephone
        response = api.post(REGISTER, data, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["user"]["telephone"] is None
    assert list(User.objects.filter(username__startswith="nophone")
                .values_list("telephone", flat=True)) == [None, None]


@pytest.mark.parametrize("data, field", [
    pytest.param({"username": "alice", "password": STRONG}, "username", id="duplicate-username"),
    pytest.param({"username": "", "password": STRONG}, "username", id="blank-username"),
    pytest.param({"username": "bad name!", "password": STRONG}, "username", id="invalid-username"),
    pytest.param({"password": STRONG}, "username", id="missing-username"),
    pytest.param({"username": "bob"}, "password", id="missing-password"),
    pytest.param({"username": "bob", "password": "Ab1-x"}, "password", id="short-password"),
    pytest.param({"username": "bob", "password": "12345678901"}, "password", id="numeric-password"),
    pytest.param({"username": "bob", "password": "password"}, "password", id="common-password"),
    pytest.param({"username": "bob12345", "password": "bob12345"}, "password",
                 id="password-like-username"),
    pytest.param({"username": "bob", "password": STRONG, "telephone": "12345"}, "telephone",
                 id="telephone-too-short"),
    pytest.param({"username": "bob", "password": STRONG, "telephone": "23812345678"}, "telephone",
                 id="telephone-bad-prefix"),
    pytest.param({"username": "bob", "password": STRONG, "telephone": "1381234567a"}, "telephone",
                 id="telephone-not-digits"),
    pytest.param({"username": "bob", "password": STRONG, "telephone": "138123456789"}, "telephone",
                 id="telephone-too-long"),
    pytest.param({"username": "bob", "password": STRONG, "telephone": "13800000001"}, "telephone",
                 id="telephone-taken"),
])
def test_invalid_registration_is_400_with_the_field_and_writes_nothing(api, student, data, field):
    UserFactory(username="carol", telephone="13800000001")
    before = User.objects.count()

    response = register(api, **data)

    assert_error_envelope(response, 400, field)
    assert User.objects.count() == before
    assert not User.objects.filter(username="bob").exists()


def test_registering_twice_keeps_one_account(api):
    assert register(api, username="dave", password=STRONG).status_code == 201
    assert_error_envelope(register(api, username="dave", password=STRONG + "x"), 400, "username")
    assert User.objects.filter(username="dave").count() == 1
    assert User.objects.get(username="dave").check_password(STRONG)


# --- login and tokens -----------------------------------------------------------------------

def login(api, username="alice", password="pass-word-123"):
    return api.post(LOGIN, {"username": username, "password": password}, format="json")


def test_login_returns_token_refresh_and_username(api, student):
    response = login(api)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == 0 and body["msg"]
    assert body["username"] == "alice"
    assert body["token"].count(".") == 2 and body["refresh"].count(".") == 2
    assert body["token"] != body["refresh"]


def test_a_registered_student_can_log_in(api):
    register(api, username="erin", password=STRONG)
    assert login(api, "erin", STRONG).json()["username"] == "erin"


@pytest.mark.parametrize("username, password", [
    ("alice", "wrong-password"), ("nobody", "pass-word-123"), ("alice", ""),
])
def test_bad_credentials_are_refused_without_tokens(api, student, username, password):
    response = login(api, username, password)
    body = assert_error_envelope(response, 400)
    assert "token" not in body and "refresh" not in body


@pytest.mark.parametrize("data, field", [({"password": "x"}, "username"),
                                         ({"username": "alice"}, "password")])
def test_login_with_a_missing_field_is_400(api, student, data, field):
    assert_error_envelope(api.post(LOGIN, data, format="json"), 400, field)


def test_inactive_student_cannot_log_in(api, student):
    User.objects.filter(pk=student.pk).update(is_active=False)
    assert_error_envelope(login(api), 400)


@pytest.mark.parametrize("scheme", ["JWT", "Bearer"])
def test_token_works_in_both_header_styles(api, student, scheme):
    token = login(api).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {token}")

    response = client.get(MY_COURSES)

    assert response.status_code == 200, response.content
    assert response.json() == {"status": 0, "msg": "ok", "results": []}


@pytest.mark.parametrize("header", [
    "JWT garbage", "Bearer a.b.c", "Token {token}", "JWT {token}x", "JWT {refresh}",
], ids=["garbage", "bad-jwt", "unknown-scheme", "tampered", "refresh-as-access"])
def test_bad_token_is_401_envelope(api, student, header):
    tokens = login(api).json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header.format(**tokens))
    assert_error_envelope(client.get(MY_COURSES), 401)


def test_no_token_is_401_with_a_message(api):
    response = api.get(MY_COURSES)
    body = assert_error_envelope(response, 401)
    assert "results" not in body


def test_token_of_a_deleted_user_is_refused(api, student):
    token = login(api).json()["token"]
    student.delete()
    api.credentials(HTTP_AUTHORIZATION=f"JWT {token}")
    assert_error_envelope(api.get(MY_COURSES), 401)


def test_refresh_returns_a_working_access_token(api, student):
    refresh = login(api).json()["refresh"]

    response = api.post(REFRESH, {"refresh": refresh}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == 0
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert client.get(MY_COURSES).status_code == 200


@pytest.mark.parametrize("value", ["garbage", "a.b.c", "{token}", "{refresh}x"],
                         ids=["garbage", "bad-jwt", "access-token", "tampered"])
def test_bad_refresh_token_is_401(api, student, value):
    tokens = login(api).json()
    response = api.post(REFRESH, {"refresh": value.format(**tokens)}, format="json")
    body = assert_error_envelope(response, 401)
    assert "token" not in body


# --- my courses -----------------------------------------------------------------------------

def test_my_courses_lists_exactly_the_paid_ones(api, student, student_api, make_order, courses,
                                                other_student):
    mine = make_order(student, courses[:2])
    make_order(other_student, [courses[2]])
    assert student_api.get(MY_COURSES).json()["results"] == []  # unpaid grants nothing

    assert post_notify(api, signed_notify(mine)).content == b"success"

    results = student_api.get(MY_COURSES).json()["results"]
    assert sorted(r["id"] for r in results) == sorted(c.pk for c in courses[:2])
    by_id = {r["id"]: r for r in results}
    assert by_id[courses[0].pk]["price"] == "99.00"
    assert all(r["purchased_at"].endswith("+08:00") for r in results)

"""Passwords: Argon2id at OWASP's cost for new hashes; old PBKDF2 hashes upgrade at login."""
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from apps.user.models import User
from luffyapi.settings import base

pytestmark = pytest.mark.django_db

LOGIN = "/api/user/login/"
PASSWORD = "Tr1cky-horse-77"
ARGON2ID_OWASP = "argon2$argon2id$v=19$m=19456,t=2,p=1$"


@pytest.fixture(autouse=True)
def real_hashers(settings):
    """The project's hashers, not the test settings' fast MD5."""
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS


def login(api, username, password=PASSWORD):
    return api.post(LOGIN, {"username": username, "password": password}, format="json")


def test_a_new_password_is_stored_as_argon2id_with_owasp_parameters(api):
    response = api.post("/api/user/register/", {"username": "newbie", "password": PASSWORD},
                        format="json")
    assert response.status_code == 201, response.content
    stored = User.objects.get(username="newbie").password
    assert stored.startswith(ARGON2ID_OWASP), stored
    assert login(api, "newbie").status_code == 200


def test_a_pbkdf2_hash_is_upgraded_to_argon2id_at_the_next_login(api):
    # As written before Argon2id: Django's PBKDF2 (few rounds here, the format is the same).
    old = PBKDF2PasswordHasher().encode(PASSWORD, "oldsalt1234", iterations=1000)
    User.objects.create(username="veteran", password=old)

    assert login(api, "veteran", "wrong-password-1").status_code == 400
    assert User.objects.get(username="veteran").password == old  # a failed login changes nothing

    response = login(api, "veteran")
    assert response.status_code == 200, response.content
    assert response.json()["token"]
    upgraded = User.objects.get(username="veteran").password
    assert upgraded.startswith(ARGON2ID_OWASP), upgraded
    assert login(api, "veteran").status_code == 200  # and the new hash verifies
    assert login(api, "veteran", "wrong-password-1").status_code == 400


def test_an_argon2_hash_with_other_parameters_is_rehashed_at_login(api, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    User.objects.create_user(username="early", password=PASSWORD)  # Django's 100 MiB, 8 lanes
    assert not User.objects.get(username="early").password.startswith(ARGON2ID_OWASP)

    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    assert login(api, "early").status_code == 200
    assert User.objects.get(username="early").password.startswith(ARGON2ID_OWASP)

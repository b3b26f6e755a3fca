"""Writes for users: register and log in."""
from django.contrib.auth import authenticate
from rest_framework_simplejwt.tokens import RefreshToken

from utils.exceptions import LuffyError

from .models import User


def user_register(*, username, password, telephone=None) -> User:
    return User.objects.create_user(username=username, password=password, telephone=telephone or None)


def user_login(*, username, password, request=None) -> dict:
    """Check the password and return a fresh token pair.

    With the request, django-axes counts a failure per username and per client address (and
    refuses while locked out).
    """
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        raise LuffyError("用户名或密码错误", code="bad_credentials")
    refresh = RefreshToken.for_user(user)
    return {"token": str(refresh.access_token), "refresh": str(refresh), "username": user.username}

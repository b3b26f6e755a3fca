"""Writes for users: register, log in, refresh and revoke tokens."""
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from rest_framework import status
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken

from utils.exceptions import LuffyError

from .models import USERNAME_TAKEN, User, username_key


def user_register(*, username, password, telephone=None) -> User:
    """Create a student; a name or telephone taken meanwhile (a race) is a 400, not a 500."""
    try:
        with transaction.atomic():
            return User.objects.create_user(username=username, password=password,
                                            telephone=telephone or None)
    except IntegrityError:
        # The serializer checked, but another request won the race: say which field clashed.
        if User.objects.filter(username_key=username_key(username)).exists():
            raise LuffyError(USERNAME_TAKEN, code="username_taken",
                             errors={"username": [USERNAME_TAKEN]}) from None
        if telephone and User.objects.filter(telephone=telephone).exists():
            raise LuffyError("该手机号已注册", code="telephone_taken",
                             errors={"telephone": ["该手机号已注册"]}) from None
        raise


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


def _session_expired():
    return LuffyError("登录已过期，请重新登录", status_code=status.HTTP_401_UNAUTHORIZED,
                      code="token_not_valid")


def _valid_refresh(refresh) -> RefreshToken:
    """The refresh token if it is signed, unexpired, not revoked and its user still active."""
    try:
        token = RefreshToken(refresh)
    except TokenError:
        raise _session_expired() from None
    user = User.objects.filter(pk=token.get(jwt_settings.USER_ID_CLAIM)).first()
    if user is None or not user.is_active:
        raise _session_expired()
    token.user = user
    return token


def user_token_refresh(*, refresh) -> dict:
    """Rotate: revoke this refresh token and hand out a new pair (each refresh works once)."""
    token = _valid_refresh(refresh)
    _, revoked_now = token.blacklist()
    if not revoked_now:  # two requests raced with the same token: only the first rotates
        raise _session_expired()
    fresh = RefreshToken.for_user(token.user)
    return {"token": str(fresh.access_token), "refresh": str(fresh)}


def user_logout(*, refresh) -> None:
    """Revoke the refresh token, so it can no longer mint access tokens."""
    _valid_refresh(refresh).blacklist()

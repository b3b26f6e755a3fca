"""JWT authentication (simplejwt's), which can leave the user's row to the view's own query.

simplejwt's JWTAuthentication reads the user's row on every request. A view whose query
already reads the row it checks ownership against (an order and its owner) sets
`defer_user_row = True`: `request.user` then knows its id from the token, and the checks
simplejwt makes on the row (it exists, it is active, the password did not change) are made on
the row the view read (`request.user.adopt(row)`), or on the user's own row the moment anything
else is asked of it. The answers stay the same; one query per request goes.
"""
from django.core.exceptions import ValidationError
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt import authentication as simplejwt
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password


class DeferredUser(SimpleLazyObject):
    """The token's user: `pk`/`id` from the token; the row read (and checked) on first need."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, user_id, load, check):
        super().__init__(load)
        self.__dict__.update(pk=user_id, id=user_id, _check=check)

    def __bool__(self):  # `if request.user` must not read the row
        return True

    def adopt(self, user):
        """`user` is this token's row, read along with other data: check it, then use it."""
        if user.pk != self.pk:
            raise ValueError("adopt() takes the token's own user")
        self.__dict__["_check"](user)
        self._wrapped = user


class JWTAuthentication(simplejwt.JWTAuthentication):
    """simplejwt's JWTAuthentication; on views with `defer_user_row`, the row is read on demand."""

    def authenticate(self, request):
        header = self.get_header(request)
        raw_token = None if header is None else self.get_raw_token(header)
        if raw_token is None:
            return None
        validated_token = self.get_validated_token(raw_token)
        view = (getattr(request, "parser_context", None) or {}).get("view")
        if getattr(view, "defer_user_row", False):
            return self.get_deferred_user(validated_token), validated_token
        return self.get_user(validated_token), validated_token

    def get_deferred_user(self, validated_token):
        try:
            # The claim is text ("7"); the view compares it with foreign keys (7).
            user_id = self.user_model._meta.get_field(api_settings.USER_ID_FIELD).to_python(
                validated_token[api_settings.USER_ID_CLAIM])
        except (KeyError, ValidationError) as exc:
            raise InvalidToken(_("Token contained no recognizable user identification")) from exc
        return DeferredUser(user_id, lambda: self.get_user(validated_token),
                            lambda user: self.check_user(user, validated_token))

    @staticmethod
    def check_user(user, validated_token):
        """simplejwt's checks on a user's row (JWTAuthentication.get_user after the lookup)."""
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
                api_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(_("The user's password has been changed."),
                                       code="password_changed")

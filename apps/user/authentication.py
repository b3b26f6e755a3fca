"""JWT authentication for views that read the caller's row together with their own data.

simplejwt's JWTAuthentication reads the user's row on every request. A view whose query
already joins the row it checks ownership against (an order and its owner) can use
DeferredUserJWTAuthentication instead: `request.user` then knows its id from the token, and
the checks simplejwt makes on the row (it exists, it is active, the password did not change)
are made on the row the view read (`adopt`), or on the user's own row the moment anything
else is asked of it. The answers stay the same; the query is saved.
"""
from django.core.exceptions import ValidationError
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.authentication import JWTAuthentication
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


class DeferredUserJWTAuthentication(JWTAuthentication):
    """JWTAuthentication whose user row is read on demand (see the module docstring)."""

    def get_user(self, validated_token):
        try:
            # The claim is text ("7"); the view compares it with foreign keys (7).
            user_id = self.user_model._meta.get_field(api_settings.USER_ID_FIELD).to_python(
                validated_token[api_settings.USER_ID_CLAIM])
        except (KeyError, ValidationError) as exc:
            raise InvalidToken(_("Token contained no recognizable user identification")) from exc
        return DeferredUser(user_id, lambda: super(DeferredUserJWTAuthentication, self)
                            .get_user(validated_token),
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

"""The name django-axes counts failed logins under: the account's key, not the text typed.

Accounts are looked up by `username_key` (NFKC + case folding: `NCLOCK`, `ｎｃｌｏｃｋ` and
`nclock` are one account), so the lock-out counts that same key. Counting the typed text gave
every spelling a fresh five tries at one password.
"""
from django.conf import settings

from .models import username_key


def lockout_username(request, credentials=None) -> str | None:
    """AXES_USERNAME_CALLABLE: the normalised name from the credentials or the login form."""
    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    if credentials:
        typed = credentials.get(field)
    else:
        typed = getattr(request, "data", request.POST).get(field)
    return username_key(typed) if typed else None

"""Who is asking (the client address behind trusted proxies) and the 429 answers for too many tries.

Failed logins are counted by django-axes (API and admin share one counter per username and one
per address); register and buy-now by DRF's scoped throttles. Both count in the default cache:
Redis in production, so every host sees the same numbers.
"""
import ipaddress
import math
from functools import lru_cache

from django.conf import settings
from django.http import HttpResponse
from rest_framework.throttling import ScopedRateThrottle

from .response import envelope_response

# Shown to people as it is (the SPA displays `msg`).
LOCKED_OUT_MSG = "登录失败次数过多，请 {minutes} 分钟后再试"


@lru_cache(maxsize=8)
def _networks(cidrs: tuple) -> tuple:
    return tuple(ipaddress.ip_network(c.strip(), strict=False) for c in cidrs if c.strip())


def address_in(address: str, cidrs) -> bool:
    """True if `address` lies in one of the networks (`10.0.0.0/8`, `127.0.0.1`, ...)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in _networks(tuple(cidrs)))


def client_ip(request) -> str:
    """The client's address: X-Forwarded-For is read only when a trusted proxy sent it.

    Walks the header from the right (the hop our proxy appended) and stops at the first
    address that is not a trusted proxy: whatever the client wrote further left is ignored,
    so a forged header cannot pick someone else's address.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXIES
    if not trusted or not address_in(remote, trusted):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not address_in(hop, trusted):
            return hop if _is_ip(hop) else remote
    return hops[0] if hops and _is_ip(hops[0]) else remote


def _is_ip(value) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login: 429 with Retry-After, the envelope for the API."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    msg = LOCKED_OUT_MSG.format(minutes=max(1, math.ceil(seconds / 60)))
    if request.path.startswith("/api/"):
        response = envelope_response(429, msg, "too_many_login_failures")
    else:  # the admin's login form
        response = HttpResponse(msg, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(seconds)
    return response


class ClientScopedRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle, keyed by the user or by client_ip() for anonymous callers."""

    def get_ident(self, request):
        return client_ip(request)

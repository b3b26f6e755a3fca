"""Production settings: secrets, hosts and Alipay ids have no defaults, so a wrong deploy fails at start.

Everything the laptop defaults to in base.py (the sandbox's app and seller ids, its gateway, the
var/ key paths, the dev SECRET_KEY) is replaced here by a required variable or by Alipay's real
gateway: no sandbox value is reachable from these settings.
"""
import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .env import database_from_url, env_bool, env_int, env_list, env_str

DEBUG = False


def _required(name):
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production")
    return value


def _required_file(name):
    path = _required(name)
    if not Path(path).is_file():
        raise ImproperlyConfigured(f"{name} points at a missing file: {path}")
    return path


SECRET_KEY = _required("SECRET_KEY")
ALLOWED_HOSTS = [h.strip() for h in _required("ALLOWED_HOSTS").split(",") if h.strip()]
DATABASES = {"default": database_from_url(_required("DATABASE_URL"))}
REDIS_URL = _required("REDIS_URL")

ALIPAY_APP_ID = _required("ALIPAY_APP_ID")
ALIPAY_SELLER_ID = _required("ALIPAY_SELLER_ID")  # notifies for another merchant are refused
ALIPAY_APP_PRIVATE_KEY_FILE = _required_file("ALIPAY_APP_PRIVATE_KEY_FILE")
ALIPAY_PUBLIC_KEY_FILE = _required_file("ALIPAY_PUBLIC_KEY_FILE")
ALIPAY_APP_PUBLIC_KEY_FILE = ""  # only the local sandbox reads our public key
ALIPAY_GATEWAY = env_str("ALIPAY_GATEWAY", "") or "https://openapi.alipay.com/gateway.do"
ALIPAY_RETURN_URL = _required("ALIPAY_RETURN_URL")
ALIPAY_NOTIFY_URL = _required("ALIPAY_NOTIFY_URL")

# Redis is the cache every host shares: throttles, lock-outs, the reconcile lock.
_KEY_PREFIX = env_str("REDIS_KEY_PREFIX", "luffy")
CACHES = {"default": {
    "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
    "KEY_PREFIX": _KEY_PREFIX,
    # Fail fast: a health check or a login must not hang on a dead Redis.
    "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2}}}
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "") or REDIS_URL
# Several shops (or test runs) can share one Redis: every broker key gets the prefix.
CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": f"{_KEY_PREFIX}:celery:"}

# A logged-out access token stays valid for its lifetime: never hours in production.
_MAX_ACCESS_MINUTES = 15
if os.environ.get("JWT_ACCESS_HOURS"):
    raise ImproperlyConfigured("JWT_ACCESS_HOURS is no longer read: set JWT_ACCESS_MINUTES")
if not timedelta(0) < SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"] <= timedelta(  # noqa: F405
        minutes=_MAX_ACCESS_MINUTES):
    raise ImproperlyConfigured(
        f"JWT_ACCESS_MINUTES must be between 1 and {_MAX_ACCESS_MINUTES} in production")

CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# TLS ends at the load balancer, which says so in X-Forwarded-Proto (it must overwrite that
# header; SECURE_PROXY_SSL_HEADER= empty turns this off when TLS ends at gunicorn itself).
_ssl_header = env_str("SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO")
SECURE_PROXY_SSL_HEADER = (_ssl_header, "https") if _ssl_header else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Load balancers and Prometheus talk to each instance directly, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^api/health/$", r"^metrics$"]
# cookiecutter-django's start: a minute of HSTS; raise it once HTTPS is known to work.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOGGING = build_logging(level=env_str("LOG_LEVEL", "INFO"),  # noqa: F405
                        json=env_str("LOG_FORMAT", "json") == "json")

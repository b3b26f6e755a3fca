"""Production settings: secrets and keys have no defaults, so a wrong deploy fails at start."""
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .env import env_bool, env_int, env_list

DEBUG = False


def _required(name):
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production")
    return value


SECRET_KEY = _required("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
ALIPAY_APP_ID = _required("ALIPAY_APP_ID")
ALIPAY_APP_PRIVATE_KEY_FILE = _required("ALIPAY_APP_PRIVATE_KEY_FILE")
ALIPAY_PUBLIC_KEY_FILE = _required("ALIPAY_PUBLIC_KEY_FILE")
ALIPAY_GATEWAY = os.environ.get("ALIPAY_GATEWAY", "https://openapi.alipay.com/gateway.do")
ALIPAY_RETURN_URL = _required("ALIPAY_RETURN_URL")
ALIPAY_NOTIFY_URL = _required("ALIPAY_NOTIFY_URL")
for _name in ("ALIPAY_APP_PRIVATE_KEY_FILE", "ALIPAY_PUBLIC_KEY_FILE"):
    if not Path(os.environ[_name]).is_file():
        raise ImproperlyConfigured(f"{_name} points at a missing file: {os.environ[_name]}")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)

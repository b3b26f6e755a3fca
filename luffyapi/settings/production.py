"""Production settings: secrets, hosts and provider ids have no defaults, so a wrong deploy fails
at start.

Everything the laptop defaults to in base.py (the sandboxes' merchant ids, their gateways, the
var/ key paths, the dev SECRET_KEY) is replaced here by a required variable, by the provider's
real gateway, or (for a provider not in PAYMENT_PROVIDERS) by nothing: no sandbox value is
reachable from these settings.
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

# The payment methods offered; each one enabled needs every one of its variables below.
PAYMENT_PROVIDERS = env_list("PAYMENT_PROVIDERS", ["alipay"])
_unknown = set(PAYMENT_PROVIDERS) - {"alipay", "wechat"}
if not PAYMENT_PROVIDERS or _unknown:
    raise ImproperlyConfigured("PAYMENT_PROVIDERS must name alipay and/or wechat"
                               + (f", not {', '.join(sorted(_unknown))}" if _unknown else ""))

ALIPAY_APP_PUBLIC_KEY_FILE = ""  # only the local sandbox reads our public key
if "alipay" in PAYMENT_PROVIDERS:
    ALIPAY_APP_ID = _required("ALIPAY_APP_ID")
    ALIPAY_SELLER_ID = _required("ALIPAY_SELLER_ID")  # notifies for another merchant are refused
    ALIPAY_APP_PRIVATE_KEY_FILE = _required_file("ALIPAY_APP_PRIVATE_KEY_FILE")
    ALIPAY_PUBLIC_KEY_FILE = _required_file("ALIPAY_PUBLIC_KEY_FILE")
    ALIPAY_GATEWAY = env_str("ALIPAY_GATEWAY", "") or "https://openapi.alipay.com/gateway.do"
    ALIPAY_RETURN_URL = _required("ALIPAY_RETURN_URL")
    ALIPAY_NOTIFY_URL = _required("ALIPAY_NOTIFY_URL")
else:
    ALIPAY_APP_ID = ALIPAY_SELLER_ID = ALIPAY_APP_PRIVATE_KEY_FILE = ALIPAY_PUBLIC_KEY_FILE = ""
    ALIPAY_GATEWAY = ALIPAY_RETURN_URL = ALIPAY_NOTIFY_URL = ""

# WeChat Pay: public-key mode (WECHATPAY_PUBLIC_KEY_FILE + _ID), or certificate mode
# (WECHATPAY_CERT_DIR holding the platform certificates).
WECHATPAY_PUBLIC_MERCHANT_KEY_FILE = WECHATPAY_APIV3_KEY_FILE = ""  # the local sandbox's only
WECHATPAY_SANDBOX_DIR = None
if "wechat" in PAYMENT_PROVIDERS:
    WECHATPAY_MCHID = _required("WECHATPAY_MCHID")
    WECHATPAY_APPID = _required("WECHATPAY_APPID")
    WECHATPAY_PRIVATE_KEY_FILE = _required_file("WECHATPAY_PRIVATE_KEY_FILE")
    WECHATPAY_CERT_SERIAL_NO = _required("WECHATPAY_CERT_SERIAL_NO")
    WECHATPAY_APIV3_KEY = _required("WECHATPAY_APIV3_KEY")
    if len(WECHATPAY_APIV3_KEY.encode()) != 32:
        raise ImproperlyConfigured("WECHATPAY_APIV3_KEY must be the 32-character APIv3 key")
    WECHATPAY_CERT_DIR = env_str("WECHATPAY_CERT_DIR", "").strip()
    if WECHATPAY_CERT_DIR:
        if not Path(WECHATPAY_CERT_DIR).is_dir():
            raise ImproperlyConfigured(f"WECHATPAY_CERT_DIR is not a directory: {WECHATPAY_CERT_DIR}")
        WECHATPAY_PUBLIC_KEY_FILE = WECHATPAY_PUBLIC_KEY_ID = ""
    else:
        WECHATPAY_PUBLIC_KEY_FILE = _required_file("WECHATPAY_PUBLIC_KEY_FILE")
        WECHATPAY_PUBLIC_KEY_ID = _required("WECHATPAY_PUBLIC_KEY_ID")
    WECHATPAY_NOTIFY_URL = _required("WECHATPAY_NOTIFY_URL")
    WECHATPAY_GATEWAY = env_str("WECHATPAY_GATEWAY", "") or "https://api.mch.weixin.qq.com"
    # The H5 cashier returns the phone's browser to the result page: Alipay's return page
    # when Alipay is on too, else this one must be given.
    WECHATPAY_REDIRECT_URL = (env_str("WECHATPAY_REDIRECT_URL", "").strip() or ALIPAY_RETURN_URL
                              or _required("WECHATPAY_REDIRECT_URL"))
else:
    WECHATPAY_MCHID = WECHATPAY_APPID = WECHATPAY_PRIVATE_KEY_FILE = ""
    WECHATPAY_CERT_SERIAL_NO = WECHATPAY_APIV3_KEY = WECHATPAY_CERT_DIR = ""
    WECHATPAY_PUBLIC_KEY_FILE = WECHATPAY_PUBLIC_KEY_ID = ""
    WECHATPAY_NOTIFY_URL = WECHATPAY_GATEWAY = WECHATPAY_REDIRECT_URL = ""

# Redis is the cache every host shares: throttles, lock-outs, the reconcile lock.
_KEY_PREFIX = env_str("REDIS_KEY_PREFIX", "luffy")
CACHES = {"default": {
    "BACKEND": "utils.cache.RedisCache", "LOCATION": REDIS_URL,
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

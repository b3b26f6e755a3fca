"""Settings shared by every environment; each value can be overridden from the environment."""
from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF

from utils.logging import build_logging

from .env import database_from_url, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

# No default: local.py generates one per checkout into var/, test.py one per run.
SECRET_KEY = env_str("SECRET_KEY")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",  # refresh tokens revoked on rotation and logout
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served locally: the docs work offline
    "axes",  # failed-login lock-out (API and admin), counted in the shared cache
    "django_prometheus",
    "apps.user",
    "apps.course",
    "apps.order",
    "apps.finance",
    "apps.dashboard",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so the files it answers itself (/index.html) get these headers too.
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "utils.middleware.ApiTrailingSlashMiddleware",  # before CommonMiddleware's redirect
    "utils.middleware.ApiBodyLimitMiddleware",  # 413 before any parser reads the body
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "axes.middleware.AxesMiddleware",  # turns a locked-out login into the 429 answer
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "luffyapi.urls"
WSGI_APPLICATION = "luffyapi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "user.User"

# Argon2id first; the PBKDF2 hashers stay so existing hashes still verify, and Django re-hashes
# them with Argon2id at the next successful login.
PASSWORD_HASHERS = [
    "apps.user.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Stored aware (UTC in the database), shown in Beijing time.
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# The built SPA (luffycity/dist) is served from the site root by WhiteNoise.
SPA_DIST_DIR = BASE_DIR / "luffycity" / "dist"
WHITENOISE_ROOT = SPA_DIST_DIR if SPA_DIST_DIR.is_dir() else None
# Browser libraries the admin uses (Chart.js for the sales dashboard), copied out of the SPA's
# pinned node_modules by `npm run build` (make spa): served as /static/vendor/..., no CDN.
ADMIN_VENDOR_DIR = SPA_DIST_DIR / "admin-vendor"
STATICFILES_DIRS = [("vendor", ADMIN_VENDOR_DIR)] if ADMIN_VENDOR_DIR.is_dir() else []
# Vite puts a content hash in every asset name (assets/index-B1x2y3z4.js): cache them forever.
WHITENOISE_IMMUTABLE_FILE_TEST = r"^.+[.-][0-9a-zA-Z_-]{8,12}\.(js|css|woff2?|svg|png)$"
# The SPA's files are ours alone: no `Access-Control-Allow-Origin: *` on them (the API has CORS).
WHITENOISE_ALLOW_ALL_ORIGINS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Request bodies on /api/: one limit for every JSON endpoint, a smaller one for the notifies.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 64 * 1024)
API_BODY_LIMITS = {"/api/order/success/": env_int("NOTIFY_MAX_BODY_BYTES", 16 * 1024),
                   "/api/order/notify/wechat/": env_int("NOTIFY_MAX_BODY_BYTES", 16 * 1024)}
# Unverified payment events (forgeries, garbage) older than this are purged by
# `manage.py purge_unverified_events`; verified ones are kept for good.
UNVERIFIED_EVENT_MAX_AGE_DAYS = env_int("UNVERIFIED_EVENT_MAX_AGE_DAYS", 30)

# Every answer refuses framing (X-Frame-Options and frame-ancestors), and pages run only our
# own scripts: the SPA keeps its tokens in localStorage, so injected script must not run.
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
CORS_URLS_REGEX = r"^/api/.*$"

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "utils.cache.RedisCache",
                          "LOCATION": REDIS_URL}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.user.authentication.JWTAuthentication",  # simplejwt's; see its defer_user_row
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only; the Alipay notify view takes its form itself.
    "DEFAULT_PARSER_CLASSES": ["utils.parsers.SafeJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "utils.pagination.EnvelopePagination",
    "PAGE_SIZE": 10,
    "EXCEPTION_HANDLER": "utils.exception_handler.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "utils.schema.EnvelopeAutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
    # Scoped per view (throttle_scope); counted in the default cache, shared by every host.
    "DEFAULT_THROTTLE_RATES": {"register": env_str("THROTTLE_REGISTER", "20/hour"),
                               "buy": env_str("THROTTLE_BUY", "30/min")},
}

# Ops: client addresses, failed-login lock-out, /metrics access (see utils/throttling.py).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])  # X-Forwarded-For is believed only from these
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend",
                           "django.contrib.auth.backends.ModelBackend"]
# With Redis (production) the counters live in the shared cache; on a laptop in the database,
# which the local gunicorn workers share (their in-process cache would not be).
AXES_HANDLER = ("axes.handlers.cache.AxesCacheHandler" if REDIS_URL
                else "axes.handlers.database.AxesDatabaseHandler")
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(seconds=env_int("LOGIN_LOCKOUT_SECONDS", 900))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each counted on its own
# Counted per account, not per spelling (NFKC + case folding, as the login looks it up).
AXES_USERNAME_CALLABLE = "apps.user.lockout.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no start-up banner in every process's log
AXES_CLIENT_IP_CALLABLE = "utils.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "utils.throttling.lockout_response"
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", [])
METRICS_TOKEN = env_str("METRICS_TOKEN", "")

SIMPLE_JWT = {
    # The seed's front end sends "jwt <token>"; "Bearer" is what everything else sends.
    "AUTH_HEADER_TYPES": ("JWT", "Bearer", "jwt", "bearer"),
    # Logging out revokes the refresh token, not the access token (revoking those would cost a
    # lookup on every request): it stays valid until it expires, so it lives minutes. The SPA
    # renews it silently with the refresh token on its first 401 (src/api/http.js).
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 5)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    "UPDATE_LAST_LOGIN": True,
    # Each refresh token works once: refreshing hands out a new one and revokes the old.
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Luffy course shop API",
    "DESCRIPTION": "Buy courses with Alipay or WeChat Pay. Every JSON answer is "
                   "{status, msg, ...data}.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Alipay. Keys live in files, never in settings or the repository.
ALIPAY_APP_ID = env_str("ALIPAY_APP_ID", "2021000000000001")
ALIPAY_SELLER_ID = env_str("ALIPAY_SELLER_ID", "2088000000000001")
ALIPAY_APP_PRIVATE_KEY_FILE = env_str(
    "ALIPAY_APP_PRIVATE_KEY_FILE", str(VAR_DIR / "keys" / "app_private_key.pem"))
ALIPAY_APP_PUBLIC_KEY_FILE = env_str(
    "ALIPAY_APP_PUBLIC_KEY_FILE", str(VAR_DIR / "keys" / "app_public_key.pem"))
ALIPAY_PUBLIC_KEY_FILE = env_str(
    "ALIPAY_PUBLIC_KEY_FILE", str(VAR_DIR / "sandbox" / "alipay_public_key.pem"))
# Defaults: the local sandbox (`make run` starts it on SANDBOX_PORT) and the site on PORT.
_SITE = f"http://127.0.0.1:{env_int('PORT', 8000)}"
ALIPAY_GATEWAY = env_str("ALIPAY_GATEWAY",
                         f"http://127.0.0.1:{env_int('SANDBOX_PORT', 8001)}/gateway.do")
ALIPAY_RETURN_URL = env_str("ALIPAY_RETURN_URL", f"{_SITE}/course/paysuccess")
ALIPAY_NOTIFY_URL = env_str("ALIPAY_NOTIFY_URL", f"{_SITE}/api/order/success/")
ALIPAY_TIMEOUT_SECONDS = env_int("ALIPAY_TIMEOUT_SECONDS", 10)
# The success-page poll asks Alipay at most once per this many seconds per order.
ALIPAY_QUERY_INTERVAL_SECONDS = env_int("ALIPAY_QUERY_INTERVAL_SECONDS", 3)
ORDER_TIMEOUT_MINUTES = env_int("ORDER_TIMEOUT_MINUTES", 30)

# The payment methods buy-now offers (apps/order/providers: one provider per pay_type).
PAYMENT_PROVIDERS = env_list("PAYMENT_PROVIDERS", ["alipay", "wechat"])

# WeChat Pay API v3. Defaults: a laptop merchant talking to the local WeChat sandbox
# (`make run` starts it on WECHATPAY_SANDBOX_PORT; `make keys` writes the files under var/).
WECHATPAY_MCHID = env_str("WECHATPAY_MCHID", "1900000001")
WECHATPAY_APPID = env_str("WECHATPAY_APPID", "wx0000000000000001")
WECHATPAY_PRIVATE_KEY_FILE = env_str(
    "WECHATPAY_PRIVATE_KEY_FILE", str(VAR_DIR / "keys" / "wechat_merchant_private_key.pem"))
# Only the local sandbox reads it (it checks our requests' signatures).
WECHATPAY_PUBLIC_MERCHANT_KEY_FILE = str(VAR_DIR / "keys" / "wechat_merchant_public_key.pem")
WECHATPAY_CERT_SERIAL_NO = env_str("WECHATPAY_CERT_SERIAL_NO",
                                   "5157F09EFDC096DE15EBE81A47057A7200000001")
# The 32-character APIv3 key; on the laptop read from WECHATPAY_APIV3_KEY_FILE (local.py).
WECHATPAY_APIV3_KEY = env_str("WECHATPAY_APIV3_KEY", "")
WECHATPAY_APIV3_KEY_FILE = str(VAR_DIR / "keys" / "wechat_apiv3_key.txt")
WECHATPAY_SANDBOX_DIR = VAR_DIR / "wechat-sandbox"
# Public-key mode (微信支付公钥 and its PUB_KEY_ID_…), or certificate mode with WECHATPAY_CERT_DIR.
WECHATPAY_PUBLIC_KEY_FILE = env_str(
    "WECHATPAY_PUBLIC_KEY_FILE", str(WECHATPAY_SANDBOX_DIR / "wechatpay_public_key.pem"))
WECHATPAY_PUBLIC_KEY_ID = env_str("WECHATPAY_PUBLIC_KEY_ID", "")
WECHATPAY_CERT_DIR = env_str("WECHATPAY_CERT_DIR", "")
WECHATPAY_GATEWAY = env_str("WECHATPAY_GATEWAY",
                            f"http://127.0.0.1:{env_int('WECHATPAY_SANDBOX_PORT', 8002)}")
WECHATPAY_NOTIFY_URL = env_str("WECHATPAY_NOTIFY_URL", f"{_SITE}/api/order/notify/wechat/")
# Where WeChat's H5 cashier sends the phone's browser back (the SPA's result page).
WECHATPAY_REDIRECT_URL = env_str("WECHATPAY_REDIRECT_URL", f"{_SITE}/course/paysuccess")
WECHATPAY_TIMEOUT_SECONDS = env_int("WECHATPAY_TIMEOUT_SECONDS", 10)

# Celery runs the periodic jobs in production; `make run` runs them with run_periodic_jobs.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "redis://127.0.0.1:6379/0")
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # our LOGGING (JSON lines in production) applies
ORDER_RECONCILE_EVERY_SECONDS = env_int("ORDER_RECONCILE_EVERY_SECONDS", 60)
# The periodic pass leaves orders younger than this to their notify; at most BATCH per pass.
ORDER_RECONCILE_MIN_AGE_SECONDS = env_int("ORDER_RECONCILE_MIN_AGE_SECONDS", 60)
ORDER_RECONCILE_BATCH_SIZE = env_int("ORDER_RECONCILE_BATCH_SIZE", 200)
# Alipay's statement of a day exists from the next day; fetch it after this hour (Beijing).
STATEMENT_RECONCILE_HOUR = env_int("STATEMENT_RECONCILE_HOUR", 10)

LOGGING = build_logging(level=env_str("LOG_LEVEL", "INFO"))

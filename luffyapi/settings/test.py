"""Test settings: fast hashing, keys generated at run time, SQLite or TEST_DATABASE_URL."""
import os
import secrets
import tempfile
from pathlib import Path

from lib.al_pay.keys import ensure_key_pair
from lib.wx_pay.keys import ensure_apiv3_key

from .base import *  # noqa: F401,F403
from .base import VAR_DIR
from .env import database_from_url

DEBUG = False
SECRET_KEY = secrets.token_urlsafe(50)  # one per run: no token outlives it
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Lock-outs counted in the cache, as in production; one process, so its local memory will do.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
SILENCED_SYSTEM_CHECKS = ["axes.W001"]

_test_db_url = os.environ.get("TEST_DATABASE_URL")
if _test_db_url:
    DATABASES = {"default": database_from_url(_test_db_url)}
    # One test database per run, so two runs on one server never drop each other's tables.
    DATABASES["default"]["TEST"]["NAME"] = f"test_luffy_{os.getpid()}"
else:
    # A file, not :memory:, so the concurrency tests see real SQLite locking across threads.
    DATABASES = {"default": database_from_url(f"sqlite:///{VAR_DIR / 'test.sqlite3'}")}
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}

# Two key pairs made for this run: ours (the merchant) and one that plays Alipay.
TEST_KEY_DIR = Path(os.environ.get("LUFFY_TEST_KEY_DIR") or tempfile.mkdtemp(prefix="luffy-keys-"))
ALIPAY_APP_PRIVATE_KEY_FILE = str(TEST_KEY_DIR / "app_private_key.pem")
ALIPAY_APP_PUBLIC_KEY_FILE = str(TEST_KEY_DIR / "app_public_key.pem")
ensure_key_pair(ALIPAY_APP_PRIVATE_KEY_FILE, ALIPAY_APP_PUBLIC_KEY_FILE)
ALIPAY_TEST_PRIVATE_KEY_FILE = str(TEST_KEY_DIR / "alipay_private_key.pem")
ALIPAY_PUBLIC_KEY_FILE = str(TEST_KEY_DIR / "alipay_public_key.pem")
ensure_key_pair(ALIPAY_TEST_PRIVATE_KEY_FILE, ALIPAY_PUBLIC_KEY_FILE)
ALIPAY_APP_ID = "2021000000000042"
ALIPAY_SELLER_ID = "2088000000000042"
ALIPAY_GATEWAY = "http://127.0.0.1:9/gateway.do"  # nothing listens: tests that call Alipay start a sandbox
ALIPAY_TIMEOUT_SECONDS = 5
ALIPAY_QUERY_INTERVAL_SECONDS = 3

# WeChat Pay: off unless a test turns it on (PAYMENT_PROVIDERS), since its checkout needs the
# gateway (a sandbox the test starts); the published schema then offers Alipay alone.
PAYMENT_PROVIDERS = ["alipay"]
# Our merchant key pair, the APIv3 key, and a pair that plays WeChat's platform key (tests sign
# notifies with its private half; a sandbox test swaps in the sandbox's public key and id).
WECHATPAY_MCHID = "1900000042"
WECHATPAY_APPID = "wx00000000000042"
WECHATPAY_PRIVATE_KEY_FILE = str(TEST_KEY_DIR / "wechat_merchant_private_key.pem")
WECHATPAY_PUBLIC_MERCHANT_KEY_FILE = str(TEST_KEY_DIR / "wechat_merchant_public_key.pem")
ensure_key_pair(WECHATPAY_PRIVATE_KEY_FILE, WECHATPAY_PUBLIC_MERCHANT_KEY_FILE)
WECHATPAY_APIV3_KEY_FILE = str(TEST_KEY_DIR / "wechat_apiv3_key.txt")
ensure_apiv3_key(WECHATPAY_APIV3_KEY_FILE)
WECHATPAY_APIV3_KEY = Path(WECHATPAY_APIV3_KEY_FILE).read_text().strip()
WECHATPAY_TEST_PLATFORM_PRIVATE_KEY_FILE = str(TEST_KEY_DIR / "wechatpay_private_key.pem")
WECHATPAY_PUBLIC_KEY_FILE = str(TEST_KEY_DIR / "wechatpay_public_key.pem")
ensure_key_pair(WECHATPAY_TEST_PLATFORM_PRIVATE_KEY_FILE, WECHATPAY_PUBLIC_KEY_FILE)
WECHATPAY_PUBLIC_KEY_ID = "PUB_KEY_ID_0119000000422026TEST0001"
WECHATPAY_CERT_DIR = ""
WECHATPAY_GATEWAY = "http://127.0.0.1:9"  # nothing listens: tests that call WeChat start a sandbox
WECHATPAY_TIMEOUT_SECONDS = 5

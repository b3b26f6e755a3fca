"""Settings for one laptop: `make run`, SQLite in var/, the local Alipay sandbox."""
from .base import *  # noqa: F401,F403
from .base import VAR_DIR, WECHATPAY_APIV3_KEY_FILE, WECHATPAY_SANDBOX_DIR
from .env import env_bool, env_list, env_str, file_text, secret_key_file

# Off by default even here: `make run` is what newcomers (and attackers) poke at. DEBUG=1 to debug.
DEBUG = env_bool("DEBUG", False)
# Prometheus on the laptop itself may read /metrics.
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])

# Generated once into the git-ignored var/ (like the dev RSA keys); SECRET_KEY=... overrides it.
SECRET_KEY = env_str("SECRET_KEY") or secret_key_file(VAR_DIR / "secret_key")

# The local WeChat sandbox's merchant files, written by `make keys` (lib.wx_pay.keys): the APIv3
# key, and the platform public key id the sandbox made for itself. WECHATPAY_*=... overrides them.
WECHATPAY_APIV3_KEY = env_str("WECHATPAY_APIV3_KEY") or file_text(WECHATPAY_APIV3_KEY_FILE)
WECHATPAY_PUBLIC_KEY_ID = (env_str("WECHATPAY_PUBLIC_KEY_ID")
                           or file_text(WECHATPAY_SANDBOX_DIR / "wechatpay_public_key_id.txt"))

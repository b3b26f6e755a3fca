"""Settings for one laptop: `make run`, SQLite in var/, the local Alipay sandbox."""
from .base import *  # noqa: F401,F403
from .base import VAR_DIR
from .env import env_bool, env_list, env_str, secret_key_file

# Off by default even here: `make run` is what newcomers (and attackers) poke at. DEBUG=1 to debug.
DEBUG = env_bool("DEBUG", False)
# Prometheus on the laptop itself may read /metrics.
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])

# Generated once into the git-ignored var/ (like the dev RSA keys); SECRET_KEY=... overrides it.
SECRET_KEY = env_str("SECRET_KEY") or secret_key_file(VAR_DIR / "secret_key")

"""Settings for one laptop: `make run`, SQLite in var/, the local Alipay sandbox."""
from .base import *  # noqa: F401,F403
from .env import env_bool

# Off by default even here: `make run` is what newcomers (and attackers) poke at. DEBUG=1 to debug.
DEBUG = env_bool("DEBUG", False)

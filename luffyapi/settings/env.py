"""Typed readers for settings that come from environment variables."""
import os
import secrets
from pathlib import Path

import dj_database_url


def env_str(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def database_from_url(url):
    """Parse DATABASE_URL and add the per-engine options our behaviour relies on."""
    config = dj_database_url.parse(url, conn_max_age=600, conn_health_checks=True)
    engine = config["ENGINE"]
    if engine.endswith("sqlite3"):
        # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so
        # two writers queue on the busy timeout instead of failing with "database is locked"
        # half-way through a transaction (which SQLite cannot retry for us).
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    elif engine.endswith("mysql"):
        config["OPTIONS"] = {
            "charset": "utf8mb4",
            "isolation_level": "read committed",
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
            # An unreachable server fails in seconds (health checks, requests), not minutes.
            "connect_timeout": 5,
        }
        config["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
    return config


def secret_key_file(path) -> str:
    """The key in `path`, generated there (readable by its owner only) the first time.

    One key per checkout, never in the repository: a token signed elsewhere is worthless here.
    """
    path = Path(path)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def file_text(path) -> str:
    """The stripped text of a local file, or "" when there is none (yet)."""
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""

"""Production settings fail loudly without secrets; every setting comes from the environment."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _django_check(env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIPAY_", "SECRET_KEY"))}
    env.update({"DJANGO_SETTINGS_MODULE": "luffyapi.settings.production", **env_overrides})
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def production_env(tmp_path):
    from lib.al_pay.keys import ensure_key_pair
    ensure_key_pair(tmp_path / "app.pem", tmp_path / "app.pub")
    ensure_key_pair(tmp_path / "alipay.pem", tmp_path / "alipay.pub")
    return {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "shop.example.com",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "ALIPAY_APP_ID": "2021000000000001",
            "ALIPAY_APP_PRIVATE_KEY_FILE": str(tmp_path / "app.pem"),
            "ALIPAY_PUBLIC_KEY_FILE": str(tmp_path / "alipay.pub"),
            "ALIPAY_RETURN_URL": "https://shop.example.com/course/paysuccess",
            "ALIPAY_NOTIFY_URL": "https://shop.example.com/api/order/success/"}


def test_production_starts_with_everything_set(production_env):
    result = _django_check(production_env)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALIPAY_APP_PRIVATE_KEY_FILE",
                                     "ALIPAY_PUBLIC_KEY_FILE", "ALIPAY_NOTIFY_URL"])
def test_production_refuses_to_start_without(production_env, missing):
    del production_env[missing]
    result = _django_check(production_env)
    assert result.returncode != 0
    assert f"{missing} must be set in production" in result.stderr


def test_production_refuses_a_key_file_that_does_not_exist(production_env, tmp_path):
    production_env["ALIPAY_PUBLIC_KEY_FILE"] = str(tmp_path / "nope.pem")
    result = _django_check(production_env)
    assert result.returncode != 0 and "missing file" in result.stderr


def test_database_url_selects_mysql_with_row_lock_friendly_options():
    from luffyapi.settings.env import database_from_url
    config = database_from_url("mysql://u:p@db.example.com:3306/luffy")
    assert config["ENGINE"] == "django.db.backends.mysql" and config["NAME"] == "luffy"
    assert config["OPTIONS"]["isolation_level"] == "read committed"
    assert config["CONN_MAX_AGE"] > 0 and config["CONN_HEALTH_CHECKS"]
    sqlite = database_from_url("sqlite:////tmp/x.sqlite3")
    assert sqlite["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]


def test_the_local_secret_key_is_generated_once_per_checkout(tmp_path):
    from luffyapi.settings.env import secret_key_file
    first = secret_key_file(tmp_path / "a" / "secret_key")
    assert len(first) >= 50 and secret_key_file(tmp_path / "a" / "secret_key") == first
    assert (tmp_path / "a" / "secret_key").stat().st_mode & 0o077 == 0  # owner only
    assert secret_key_file(tmp_path / "b" / "secret_key") != first


def test_local_settings_sign_with_a_key_that_is_not_in_the_repository():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["DJANGO_SETTINGS_MODULE"] = "luffyapi.settings.local"
    result = subprocess.run([sys.executable, "-c", "import django; django.setup(); "
                             "from django.conf import settings; print(settings.SECRET_KEY)"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    key = result.stdout.strip()
    assert result.returncode == 0 and len(key) >= 50, result.stderr
    assert key == (ROOT / "var" / "secret_key").read_text().strip()
    tracked = subprocess.run(["git", "grep", "-F", key], cwd=ROOT, capture_output=True)
    assert tracked.returncode == 1  # nowhere in the tracked files


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore:The HMAC key")  # the old key was short, too
def test_a_token_signed_with_the_old_committed_key_is_refused(client):
    import jwt
    forged = jwt.encode({"token_type": "access", "user_id": "1", "jti": "x", "exp": 4102444800},
                        "dev-only-insecure-key-change-me", algorithm="HS256")
    response = client.get("/api/user/courses/", HTTP_AUTHORIZATION=f"JWT {forged}")
    assert response.status_code == 401

"""Production settings fail loudly without their variables and hold no sandbox value."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REQUIRED = ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "ALIPAY_APP_ID",
            "ALIPAY_SELLER_ID", "ALIPAY_APP_PRIVATE_KEY_FILE", "ALIPAY_PUBLIC_KEY_FILE",
            "ALIPAY_NOTIFY_URL", "ALIPAY_RETURN_URL"]
# What the laptop setup defaults to (base.py): none of it may appear in production settings.
SANDBOX_MARKERS = ["2088000000000001", "2021000000000001", "127.0.0.1:8001", "alipaydev",
                   "/var/keys/", "/var/sandbox/", "dev-only-insecure",
                   "1900000001", "wx0000000000000001", "127.0.0.1:8002", "/var/wechat-sandbox/",
                   "5157F09EFDC096DE15EBE81A47057A72"]
WECHAT_REQUIRED = ["WECHATPAY_MCHID", "WECHATPAY_APPID", "WECHATPAY_PRIVATE_KEY_FILE",
                   "WECHATPAY_CERT_SERIAL_NO", "WECHATPAY_APIV3_KEY", "WECHATPAY_PUBLIC_KEY_FILE",
                   "WECHATPAY_PUBLIC_KEY_ID", "WECHATPAY_NOTIFY_URL"]


def _run(argv, env_overrides, timeout=60):
    """Run argv from the repo root with only the given production variables (and no DSM)."""
    env = {k: v for k, v in os.environ.items()
           if k not in REQUIRED and k != "PAYMENT_PROVIDERS"
           and not k.startswith(("ALIPAY_", "WECHATPAY_", "DJANGO_", "PROMETHEUS_"))}
    env.update(env_overrides)
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)


def _manage(*args, env):
    return _run([sys.executable, "manage.py", *args],
                {"DJANGO_SETTINGS_MODULE": "luffyapi.settings.production", **env})


@pytest.fixture
def production_env(tmp_path):
    from lib.al_pay.keys import ensure_key_pair
    ensure_key_pair(tmp_path / "app.pem", tmp_path / "app.pub")
    ensure_key_pair(tmp_path / "alipay.pem", tmp_path / "alipay.pub")
    return {"SECRET_KEY": "k3y-" + os.urandom(32).hex(), "ALLOWED_HOSTS": "shop.example.com",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "ALIPAY_APP_ID": "2021004100000000", "ALIPAY_SELLER_ID": "2088104100000000",
            "ALIPAY_APP_PRIVATE_KEY_FILE": str(tmp_path / "app.pem"),
            "ALIPAY_PUBLIC_KEY_FILE": str(tmp_path / "alipay.pub"),
            "ALIPAY_RETURN_URL": "https://shop.example.com/course/paysuccess",
            "ALIPAY_NOTIFY_URL": "https://shop.example.com/api/order/success/"}


def test_check_deploy_is_clean_with_a_production_environment(production_env):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=production_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", REQUIRED)
def test_check_refuses_to_start_without(production_env, missing):
    del production_env[missing]
    result = _manage("check", env=production_env)
    assert result.returncode != 0
    assert f"{missing} must be set in production" in result.stderr


def test_an_empty_value_counts_as_missing(production_env):
    production_env["ALIPAY_SELLER_ID"] = "  "
    result = _manage("check", env=production_env)
    assert result.returncode != 0 and "ALIPAY_SELLER_ID must be set" in result.stderr


def test_a_key_file_that_does_not_exist_is_refused(production_env, tmp_path):
    production_env["ALIPAY_PUBLIC_KEY_FILE"] = str(tmp_path / "nope.pem")
    result = _manage("check", env=production_env)
    assert result.returncode != 0 and "ALIPAY_PUBLIC_KEY_FILE points at a missing file" in result.stderr


def test_web_refuses_to_start_without_a_variable_and_never_falls_back_to_local(production_env):
    # No DJANGO_SETTINGS_MODULE at all: the WSGI entry point means production.
    del production_env["ALIPAY_SELLER_ID"]
    result = _run([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "luffyapi.wsgi"],
                  {**production_env, "HOST": "127.0.0.1", "PORT": "0", "WEB_CONCURRENCY": "1"})
    assert result.returncode != 0
    assert "ALIPAY_SELLER_ID must be set in production" in result.stderr


def test_worker_refuses_to_start_without_a_variable(production_env):
    del production_env["REDIS_URL"]
    result = _run([str(BIN / "celery"), "-A", "luffyapi", "worker", "--loglevel", "INFO"],
                  production_env)
    assert result.returncode != 0
    assert "REDIS_URL must be set in production" in result.stdout + result.stderr


def test_production_settings_hold_no_sandbox_value(production_env):
    text, values = _settings_dump(production_env)
    for marker in SANDBOX_MARKERS:
        assert marker not in text, marker
    assert values["ALIPAY_GATEWAY"] == "'https://openapi.alipay.com/gateway.do'"  # the real one
    assert "RedisCache" in values["CACHES"] and values["DEBUG"] == "False"


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
    key = result.stdout.strip().splitlines()[-1]  # logs go to stdout too
    assert result.returncode == 0 and len(key) >= 50, result.stderr
    assert key == (ROOT / "var" / "secret_key").read_text().strip()
    # -e: a key may start with "-" (token_urlsafe), which git would read as an option.
    tracked = subprocess.run(["git", "grep", "-F", "-e", key], cwd=ROOT, capture_output=True)
    assert tracked.returncode == 1  # nowhere in the tracked files


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore:The HMAC key")  # the old key was short, too
def test_a_token_signed_with_the_old_committed_key_is_refused(client):
    import jwt
    forged = jwt.encode({"token_type": "access", "user_id": "1", "jti": "x", "exp": 4102444800},
                        "dev-only-insecure-key-change-me", algorithm="HS256")
    response = client.get("/api/user/courses/", HTTP_AUTHORIZATION=f"JWT {forged}")
    assert response.status_code == 401


@pytest.mark.parametrize("variable, value, message", [
    ("JWT_ACCESS_MINUTES", "60", "JWT_ACCESS_MINUTES must be between 1 and 15 in production"),
    ("JWT_ACCESS_MINUTES", "0", "JWT_ACCESS_MINUTES must be between 1 and 15 in production"),
    ("JWT_ACCESS_HOURS", "12", "JWT_ACCESS_HOURS is no longer read"),
], ids=["an-hour", "zero", "the-old-hours-variable"])
def test_production_refuses_long_lived_access_tokens(production_env, variable, value, message):
    # A logged-out access token stays valid until it expires: minutes, never hours.
    result = _manage("check", env={**production_env, variable: value})
    assert result.returncode != 0 and message in result.stderr


@pytest.fixture
def wechat_env(production_env, tmp_path):
    from lib.al_pay.keys import ensure_key_pair
    ensure_key_pair(tmp_path / "wx_merchant.pem", tmp_path / "wx_merchant.pub")
    ensure_key_pair(tmp_path / "wx_platform.pem", tmp_path / "wx_platform.pub")
    return {**production_env, "PAYMENT_PROVIDERS": "alipay,wechat",
            "WECHATPAY_MCHID": "1230000109", "WECHATPAY_APPID": "wxd678efh567hg6787",
            "WECHATPAY_PRIVATE_KEY_FILE": str(tmp_path / "wx_merchant.pem"),
            "WECHATPAY_CERT_SERIAL_NO": "444F4864EA9B34415D3D9E5E0B9CEB5F18B8A1C5",
            "WECHATPAY_APIV3_KEY": "a" * 16 + "B" * 16,
            "WECHATPAY_PUBLIC_KEY_FILE": str(tmp_path / "wx_platform.pub"),
            "WECHATPAY_PUBLIC_KEY_ID": "PUB_KEY_ID_0112300001092026120400000000000001",
            "WECHATPAY_NOTIFY_URL": "https://shop.example.com/api/order/notify/wechat/"}


def _settings_dump(env):
    dump = ("import django, json; django.setup(); from django.conf import settings as s; "
            "print(json.dumps({k: repr(getattr(s, k)) for k in dir(s) if k.isupper()}))")
    result = _run([sys.executable, "-c", dump],
                  {"DJANGO_SETTINGS_MODULE": "luffyapi.settings.production", **env})
    assert result.returncode == 0, result.stderr
    return result.stdout, json.loads(result.stdout.strip().splitlines()[-1])


def test_wechat_pay_in_production_is_clean_and_holds_no_sandbox_value(wechat_env):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=wechat_env)
    assert result.returncode == 0, result.stdout + result.stderr
    text, values = _settings_dump(wechat_env)
    for marker in SANDBOX_MARKERS:
        assert marker not in text, marker
    assert values["WECHATPAY_GATEWAY"] == "'https://api.mch.weixin.qq.com'"  # the real one
    assert values["PAYMENT_PROVIDERS"] == "['alipay', 'wechat']"


@pytest.mark.parametrize("missing", WECHAT_REQUIRED)
def test_an_enabled_wechat_pay_refuses_to_start_without(wechat_env, missing):
    del wechat_env[missing]
    result = _manage("check", env=wechat_env)
    assert result.returncode != 0
    assert f"{missing} must be set in production" in result.stderr


def test_certificate_mode_needs_the_certificate_folder_instead_of_the_public_key(wechat_env,
                                                                              tmp_path):
    del wechat_env["WECHATPAY_PUBLIC_KEY_FILE"], wechat_env["WECHATPAY_PUBLIC_KEY_ID"]
    wechat_env["WECHATPAY_CERT_DIR"] = str(tmp_path / "nowhere")
    result = _manage("check", env=wechat_env)
    assert result.returncode != 0 and "WECHATPAY_CERT_DIR is not a directory" in result.stderr
    (tmp_path / "certs").mkdir()
    wechat_env["WECHATPAY_CERT_DIR"] = str(tmp_path / "certs")
    assert _manage("check", env=wechat_env).returncode == 0


def test_a_short_apiv3_key_is_refused(wechat_env):
    wechat_env["WECHATPAY_APIV3_KEY"] = "too-short"
    result = _manage("check", env=wechat_env)
    assert result.returncode != 0 and "WECHATPAY_APIV3_KEY must be" in result.stderr


def test_a_disabled_provider_needs_none_of_its_variables(wechat_env):
    for name in [n for n in wechat_env if n.startswith("ALIPAY_")]:
        del wechat_env[name]
    wechat_env["PAYMENT_PROVIDERS"] = "wechat"
    result = _manage("check", env=wechat_env)  # the H5 result page is then its own variable
    assert result.returncode != 0 and "WECHATPAY_REDIRECT_URL must be set" in result.stderr
    wechat_env["WECHATPAY_REDIRECT_URL"] = "https://shop.example.com/course/paysuccess"
    _, values = _settings_dump(wechat_env)
    assert values["ALIPAY_APP_ID"] == "''" and values["ALIPAY_GATEWAY"] == "''"
    wechat_env["PAYMENT_PROVIDERS"] = "wechat,paypal"
    result = _manage("check", env=wechat_env)
    assert result.returncode != 0 and "not paypal" in result.stderr


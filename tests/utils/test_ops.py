"""What operators rely on: /api/health/, /metrics and its counters, JSON log lines, the periodic task."""
import io
import json
import logging
import shutil
import socket
import subprocess
import time

import pytest
from django.db import OperationalError
from prometheus_client import REGISTRY
from pythonjsonlogger.json import JsonFormatter

from apps.order import tasks
from apps.order.services.payments import payment_sync
from tests.alipay_fake import signed_notify
from tests.conftest import post_notify
from utils.logging import OutTradeNoFilter, build_logging

pytestmark = pytest.mark.django_db


def test_health_answers_ok_when_database_and_cache_answer(api):
    response = api.get("/api/health/")
    assert response.status_code == 200
    assert response.json() == {"status": 0, "msg": "ok", "database": "ok", "cache": "ok",
                               "payment_alipay": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_health_names_each_enabled_payment_provider_and_one_that_cannot_start(api, settings,
                                                                              tmp_path):
    settings.PAYMENT_PROVIDERS = ["alipay", "wechat"]
    body = api.get("/api/health/").json()
    assert body["payment_alipay"] == body["payment_wechat"] == "ok"
    settings.WECHATPAY_PRIVATE_KEY_FILE = str(tmp_path / "missing.pem")
    response = api.get("/api/health/")
    assert response.status_code == 503 and response.json()["payment_wechat"] == "down"
    assert "payment_wechat" in response.json()["msg"]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_redis(port):
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                                "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("redis-server did not start")


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_health_is_503_naming_the_cache_while_redis_is_down_and_200_when_back(api, settings):
    port = _free_port()
    settings.CACHES = {"default": {"BACKEND": "utils.cache.RedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{port}/0",
                                   "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
    redis = _start_redis(port)  # our own throwaway server, never the shared one
    try:
        assert api.get("/api/health/").status_code == 200
        redis.terminate()
        redis.wait(10)
        started = time.monotonic()
        response = api.get("/api/health/")
        assert response.status_code == 503
        assert response.json()["cache"] == "down" and response.json()["database"] == "ok"
        assert "cache" in response.json()["msg"] and time.monotonic() - started < 3
        redis = _start_redis(port)
        assert api.get("/api/health/").status_code == 200
    finally:
        redis.kill()
        redis.wait(10)


def _sample(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0


def test_metrics_are_for_the_operator_only(api, settings):
    settings.METRICS_ALLOWED_IPS = ["192.0.2.0/24"]
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    assert api.get("/metrics", REMOTE_ADDR="203.0.113.5").status_code == 403
    # A forged X-Forwarded-For from an untrusted peer does not help.
    assert api.get("/metrics", REMOTE_ADDR="203.0.113.5",
                   HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 403
    assert api.get("/metrics", REMOTE_ADDR="203.0.113.5",
                   HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert api.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 200
    response = api.get("/metrics", REMOTE_ADDR="203.0.113.5",
                       HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")
    assert response.status_code == 200
    assert b"django_http_requests_total_by_method_total" in response.content


def _counters():
    alipay = {"provider": "alipay"}
    return (_sample("luffy_payment_events_total", **alipay, kind="notify", outcome="paid"),
            _sample("luffy_payment_events_total", **alipay, kind="notify", outcome="bad_signature"),
            _sample("luffy_order_transitions_total", to_status="1"),
            _sample("luffy_payment_call_seconds_count", **alipay, api="alipay_trade_query"))


def test_payment_counters_count_notifies_transitions_and_alipay_calls(api, order, settings):
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1"]
    before = _counters()
    assert post_notify(api, signed_notify(order)).content == b"success"
    assert post_notify(api, {**signed_notify(order), "total_amount": "1.00"}).content == b"failure"
    payment_sync(order=order)  # the test gateway does not answer: an error, timed
    after = _counters()
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 1, 1]
    assert _sample("luffy_payment_call_errors_total", provider="alipay", api="alipay_trade_query",
                   code="transport") >= 1
    text = api.get("/metrics").content.decode()
    assert 'luffy_payment_events_total{kind="notify",outcome="paid",provider="alipay"}' in text


def test_every_pay_log_line_is_json_with_the_order_number(api, order):
    config = build_logging(json=True)
    formatter = JsonFormatter(**{k: v for k, v in config["formatters"]["pay"].items() if k != "()"})
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(OutTradeNoFilter())
    logger = logging.getLogger("pay")
    logger.addHandler(handler)
    try:
        post_notify(api, signed_notify(order))  # paid: the transition is logged
        post_notify(api, {**signed_notify(order), "sign": "forged"})  # rejected: logged too
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) >= 2
    for line in lines:
        assert line["out_trade_no"] == order.out_trade_no, line
        assert line["logger"] == "pay" and line["level"] and line["message"]


def test_reconcile_task_retries_with_backoff_on_database_errors(monkeypatch, settings):
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server has gone away")
        return {"checked": 2, "paid": 1, "timed_out": 0}

    monkeypatch.setattr(tasks, "orders_reconcile", flaky)
    paid_before = _sample("luffy_reconcile_results_total", result="paid")
    result = tasks.reconcile_orders.apply()
    assert len(calls) == 2 and result.successful(), result.traceback
    assert _sample("luffy_reconcile_results_total", result="paid") - paid_before == 1
    assert tasks.reconcile_orders.retry_backoff and tasks.reconcile_orders.max_retries >= 3


def test_two_reconcile_runs_at_once_do_the_work_once(monkeypatch):
    from django.core.cache import cache
    cache.add(tasks.LOCK_KEY, "another-worker", timeout=30)  # a run already in progress
    monkeypatch.setattr(tasks, "orders_reconcile", lambda **kw: pytest.fail("ran twice"))
    assert tasks.reconcile_orders.apply().result == {"skipped": 1}

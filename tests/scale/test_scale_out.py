"""Two web instances, one Celery worker and one beat, sharing MariaDB and Redis, behind a balancer.

Students buy and pay across both instances, every third one by WeChat Pay, while both sandboxes
drop notifies; one instance and the worker are killed with SIGKILL half-way (the worker is
restarted). Afterwards every order paid at a sandbox is paid exactly once, its courses granted
once, and the surviving instance never answered 5xx. Run by `make test-scale` (MariaDB and Redis
on 127.0.0.1).
"""
import os
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest

from lib.al_pay.keys import ensure_key_pair
from lib.al_pay.sandbox.testing import run_sandbox
from lib.wx_pay.keys import ensure_dev_keys
from lib.wx_pay.sandbox.testing import run_sandbox as run_wechat_sandbox

from .cluster import (
    ROOT,
    Process,
    RoundRobinProxy,
    free_port,
    request,
    run_procfile,
    wait_http,
)

pytestmark = pytest.mark.scale

MYSQL = dict(host="127.0.0.1", port=3306, user="root")
APP_ID, SELLER_ID = "2021009900000007", "2088009900000007"
MCHID, WX_APPID = "1900009907", "wx00000000009907"
STUDENTS, PARALLEL, LATE_STUDENTS = 16, 4, 3
PASSWORD = "Scale-out-pass-7"
METRICS_TOKEN = "scale-test-metrics-token"


def _mysql():
    import MySQLdb
    return MySQLdb.connect(**MYSQL, charset="utf8mb4", autocommit=True)


@pytest.fixture(scope="module")
def shared_services():
    """A database of our own on the shared MariaDB, and a key prefix of our own on the shared Redis."""
    import redis
    name = f"luffy_scale_{os.getpid()}_{secrets.token_hex(3)}"
    prefix = f"luffy-scale-{os.getpid()}-{secrets.token_hex(3)}"
    db = _mysql()
    db.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 "
                        "COLLATE utf8mb4_unicode_ci")
    try:
        yield {"database": name, "prefix": prefix}
    finally:
        db.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
        db.close()
        client = redis.Redis(host="127.0.0.1", port=6379)
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))  # ours only, never FLUSHDB
        if keys:
            client.delete(*keys)


@pytest.fixture(scope="module")
def cluster(shared_services):
    work = Path(tempfile.mkdtemp(prefix="luffy-scale-"))
    keys = work / "keys"
    ensure_key_pair(keys / "app_private_key.pem", keys / "app_public_key.pem")
    wx_keys = ensure_dev_keys(keys)
    processes = []
    balancer = None
    with run_sandbox(data_dir=work / "sandbox", app_id=APP_ID, seller_id=SELLER_ID,
                     app_public_key_file=keys / "app_public_key.pem",
                     time_scale=0.01) as sandbox, run_wechat_sandbox(
            data_dir=work / "wechat-sandbox", mchid=MCHID, appid=WX_APPID,
            merchant_public_key_file=wx_keys["merchant_public_key"],
            apiv3_key_file=wx_keys["apiv3_key"], time_scale=0.01) as wechat:
        try:
            ports = [free_port(), free_port()]
            balancer = RoundRobinProxy([("127.0.0.1", p) for p in ports]).start()
            site = f"http://127.0.0.1:{balancer.port}"
            env = {k: v for k, v in os.environ.items()
                   if not k.startswith(("DJANGO_", "ALIPAY_", "WECHATPAY_", "PROMETHEUS_",
                                        "LUFFY_", "PAYMENT_"))}
            env.update({
                "DJANGO_SETTINGS_MODULE": "luffyapi.settings.production",
                "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "DATABASE_URL": f"mysql://root@127.0.0.1:3306/{shared_services['database']}",
                "REDIS_URL": "redis://127.0.0.1:6379/0",
                "REDIS_KEY_PREFIX": shared_services["prefix"],
                "ALIPAY_APP_ID": APP_ID, "ALIPAY_SELLER_ID": SELLER_ID,
                "ALIPAY_APP_PRIVATE_KEY_FILE": str(keys / "app_private_key.pem"),
                "ALIPAY_PUBLIC_KEY_FILE": str(sandbox.public_key_file),
                "ALIPAY_GATEWAY": sandbox.gateway,
                "ALIPAY_NOTIFY_URL": f"{site}/api/order/success/",
                "ALIPAY_RETURN_URL": f"{site}/course/paysuccess",
                "ALIPAY_QUERY_INTERVAL_SECONDS": "1",
                "PAYMENT_PROVIDERS": "alipay,wechat",
                "WECHATPAY_MCHID": MCHID, "WECHATPAY_APPID": WX_APPID,
                "WECHATPAY_PRIVATE_KEY_FILE": str(wx_keys["merchant_private_key"]),
                "WECHATPAY_CERT_SERIAL_NO": "5157F09EFDC096DE15EBE81A47057A7200009907",
                "WECHATPAY_APIV3_KEY": wx_keys["apiv3_key"].read_text().strip(),
                "WECHATPAY_PUBLIC_KEY_FILE": str(wechat.data_dir / "wechatpay_public_key.pem"),
                "WECHATPAY_PUBLIC_KEY_ID": wechat.public_key_id,
                "WECHATPAY_GATEWAY": wechat.gateway,
                "WECHATPAY_NOTIFY_URL": f"{site}/api/order/notify/wechat/",
                "ORDER_RECONCILE_EVERY_SECONDS": "2", "ORDER_RECONCILE_MIN_AGE_SECONDS": "5",
                "SECURE_SSL_REDIRECT": "0",  # TLS and its redirect belong to the balancer here
                "TRUSTED_PROXIES": "127.0.0.1",  # the students' addresses arrive in X-Forwarded-For
                "WEB_CONCURRENCY": "2", "CELERY_CONCURRENCY": "2", "HOST": "127.0.0.1",
                "CELERY_BEAT_SCHEDULE": str(work / "celerybeat-schedule"),
                "CELERY_METRICS_PORT": str(free_port()), "METRICS_TOKEN": METRICS_TOKEN,
                "PYTHONUNBUFFERED": "1"})
            release = run_procfile("release", env)
            assert release.returncode == 0, release.stdout + release.stderr
            subprocess.run([sys.executable, "manage.py", "seed_demo"], cwd=ROOT, env=env,
                           check=True, capture_output=True, timeout=120)
            webs = [Process(f"web-{i}", {**env, "PORT": str(p)}, work).start()
                    for i, p in enumerate(ports)]
            worker = Process("worker", env, work).start()
            beat = Process("beat", env, work).start()
            processes += [*webs, worker, beat]
            for web, port in zip(webs, ports, strict=True):
                wait_http(f"http://127.0.0.1:{port}/api/health/", process=web)
            yield {"sandbox": sandbox, "wechat": wechat, "webs": webs, "worker": worker, "beat": beat, "env": env,
                   "urls": [f"http://127.0.0.1:{p}" for p in ports], "balancer": balancer,
                   "work": work, "database": shared_services["database"]}
        finally:
            for process in processes:
                process.kill()
            if balancer:
                balancer.stop()


class Load:
    """Students behind the balancer: each request goes to the next live instance."""

    def __init__(self, urls, survivor):
        self.urls, self.survivor = urls, survivor
        self.answers = []  # (url, status) of every answer
        self.paid_at_sandbox = {}  # out_trade_no -> username
        self.by_wechat = set()  # the out_trade_no paid by WeChat Pay
        self.failovers = 0  # requests an instance did not answer, sent to the next one
        self._next = 0
        self._lock = threading.Lock()

    def call(self, method, path, payload=None, token=None, ip="198.51.100.1"):
        headers = {"X-Forwarded-For": ip}
        if token:
            headers["Authorization"] = f"JWT {token}"
        for _ in range(4):
            with self._lock:
                url = self.urls[self._next % len(self.urls)]
                self._next += 1
            try:
                status, body = request(method, url + path, payload, headers)
            except OSError:  # that host is gone (or died mid-request): retried elsewhere
                with self._lock:
                    self.failovers += 1
                continue
            with self._lock:
                self.answers.append((url, status))
            return status, body
        raise AssertionError(f"{method} {path}: no instance answered")

    def student(self, index, courses, sandboxes, ip):
        sandbox, wechat = sandboxes
        by_wechat = index % 3 == 2
        username = f"scale{index}_{secrets.token_hex(2)}"
        status, _ = self.call("POST", "/api/user/register/",
                              {"username": username, "password": PASSWORD}, ip=ip)
        assert status in (201, 400), status  # 400: a retried register that had gone through
        status, body = self.call("POST", "/api/user/login/",
                                 {"username": username, "password": PASSWORD}, ip=ip)
        assert status == 200, body
        chosen = random.sample(courses, random.choice((1, 2)))
        total = sum((Decimal(c["price"]) for c in chosen), Decimal("0.00"))
        status, body = self.call("POST", "/api/order/pay/", token=body["token"], ip=ip, payload={
            "subject": "scale", "total_amount": f"{total:.2f}", "pay_type": 2 if by_wechat else 1,
            "courses": [c["id"] for c in chosen]})
        assert status in (200, 201), body
        out_trade_no = body["out_trade_no"]
        if by_wechat:  # the QR code scanned and paid (raises unless WeChat took the money)
            assert body["code_url"] == body["pay_url"]
            wechat.pay(out_trade_no)
        else:
            assert sandbox.open(body["pay_url"])[0] == 200
            sandbox.pay(out_trade_no)  # raises unless the sandbox took the money
        with self._lock:
            self.paid_at_sandbox[out_trade_no] = username
            if by_wechat:
                self.by_wechat.add(out_trade_no)


def _rows(database, sql, *args):
    db = _mysql()
    try:
        cursor = db.cursor()
        cursor.execute(f"USE `{database}`")
        cursor.execute(sql, args)
        return cursor.fetchall()
    finally:
        db.close()


def test_two_hosts_pay_every_order_exactly_once_through_kills_and_lost_notifies(cluster):
    started = time.monotonic()
    sandbox, web_b, urls = cluster["sandbox"], cluster["webs"][1], cluster["urls"]
    wechat = cluster["wechat"]
    sandboxes = (sandbox, wechat)
    load = Load(urls, survivor=urls[0])
    status, body = load.call("GET", "/api/course/?page_size=50")
    courses = body["results"]
    assert status == 200 and len(courses) >= 3

    # The login lock-out is counted in Redis: failures on both instances add up.
    load.call("POST", "/api/user/register/", {"username": "victim", "password": PASSWORD})
    limit = 5
    for i in range(limit - 1):
        status, _ = request("POST", urls[i % 2] + "/api/user/login/",
                            {"username": "victim", "password": "wrong"},
                            {"X-Forwarded-For": f"203.0.113.{i + 1}"})
        assert status == 400
    status, body = request("POST", urls[1] + "/api/user/login/",
                           {"username": "victim", "password": "wrong"},
                           {"X-Forwarded-For": "203.0.113.50"})
    assert status == 429 and body["status"] != 0
    status, body = request("POST", urls[0] + "/api/user/login/",
                           {"username": "victim", "password": PASSWORD},
                           {"X-Forwarded-For": "203.0.113.51"})
    assert status == 429, body  # locked on the other instance too, even with the right password

    sandbox.set_faults(notify_drop=8)  # the first notify attempts are lost on the way
    wechat.set_faults(wechat_notify_drop=4)
    killed = threading.Event()

    def student(i):
        if i == STUDENTS // 2 and not killed.is_set():
            killed.set()
            web_b.kill()  # SIGKILL: a host dies with requests and notifies in flight
            cluster["worker"].kill()
            time.sleep(0.5)
            cluster["worker"].start()
        load.student(i, courses, sandboxes, ip=f"198.51.100.{i + 10}")

    with ThreadPoolExecutor(PARALLEL) as pool:
        list(pool.map(student, range(STUDENTS)))
    assert killed.is_set() and web_b.popen.poll() is not None
    assert load.failovers >= 1  # the dead host was seen dead by its clients

    # The last students' notifies never arrive: only the beat's reconcile can settle them.
    sandbox.set_faults(notify_drop=1_000_000)
    wechat.set_faults(wechat_notify_drop=1_000_000)
    for i in range(STUDENTS, STUDENTS + LATE_STUDENTS):
        load.student(i, courses, sandboxes, ip=f"198.51.100.{i + 10}")
    late = list(load.paid_at_sandbox)[-LATE_STUDENTS:]

    paid = set(load.paid_at_sandbox)
    database = cluster["database"]
    deadline = time.monotonic() + 110
    while True:
        settled = {row[0] for row in _rows(database,
                   "SELECT out_trade_no FROM luffy_order WHERE order_status = 1")}
        if paid <= settled or time.monotonic() > deadline:
            break
        time.sleep(1)
    sandbox.reset_faults()
    wechat.reset_faults()
    assert load.by_wechat and load.by_wechat < paid  # both providers took part
    assert paid - settled == set(), f"never settled: {paid - settled}\n{cluster['worker'].tail()}"
    assert settled == paid  # nothing paid that a provider did not take

    # Exactly once: one 0 -> 1 transition per order, the provider's own trade number stored.
    transitions = dict(_rows(database, "SELECT out_trade_no, COUNT(*) FROM luffy_payment_event "
                                       "WHERE kind = 'transition' AND to_status = 1 "
                                       "GROUP BY out_trade_no"))
    assert transitions == {no: 1 for no in paid}
    for no, trade_no, pay_type in _rows(database, "SELECT out_trade_no, trade_no, pay_type "
                                                  "FROM luffy_order WHERE order_status = 1"):
        if no in load.by_wechat:
            assert pay_type == 2 and wechat.trade(no)["transaction_id"] == trade_no
        else:
            assert pay_type == 1 and sandbox.trade(no)["trade_no"] == trade_no
    # Courses granted once: each paid order's lines, nobody owning a course twice.
    lines = dict(_rows(database, "SELECT o.out_trade_no, COUNT(*) FROM luffy_order o JOIN "
                                 "luffy_order_detail d ON d.order_id = o.id "
                                 "WHERE o.order_status = 1 GROUP BY o.out_trade_no"))
    granted = dict(_rows(database, "SELECT o.out_trade_no, COUNT(*) FROM luffy_user_course u "
                                   "JOIN luffy_order o ON u.order_id = o.id GROUP BY o.out_trade_no"))
    assert granted == lines
    assert not _rows(database, "SELECT user_id, course_id FROM luffy_user_course "
                               "GROUP BY user_id, course_id HAVING COUNT(*) > 1")
    # The late orders were settled by a query (the beat's reconcile), not by a notify.
    by_query = {row[0] for row in _rows(database, "SELECT out_trade_no FROM luffy_payment_event "
                                                  "WHERE kind = 'query' AND outcome = 'paid'")}
    assert set(late) <= by_query

    # The worker (restarted) says so on its own metrics port.
    metrics_url = f"http://127.0.0.1:{cluster['env']['CELERY_METRICS_PORT']}/metrics"
    with urllib.request.urlopen(metrics_url, timeout=10) as response:  # noqa: S310
        text = response.read().decode()
    reconciled = sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                     if line.startswith('luffy_reconcile_results_total{result="paid"}'))
    assert reconciled >= LATE_STUDENTS, text[-2000:]

    # The surviving web instance's workers are forks of one preloaded master: their payment
    # counters still add up in /metrics (prometheus_client's multiprocess files).
    web_metrics = urllib.request.Request(f"{urls[0]}/metrics",
                                         headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    with urllib.request.urlopen(web_metrics, timeout=10) as response:  # noqa: S310
        text = response.read().decode()
    events = sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                 if line.startswith("luffy_payment_events_total{"))
    assert events > 0, text[-2000:]

    survivor_5xx = [s for url, s in load.answers if url == load.survivor and s >= 500]
    assert survivor_5xx == []
    assert cluster["beat"].popen.poll() is None and cluster["webs"][0].popen.poll() is None
    print(f"\nscale-out: {len(paid)} orders paid at the sandbox, all settled once "
          f"({len(by_query & paid)} by reconcile) in {time.monotonic() - started:.0f}s; "
          f"{len(load.answers)} answers, none 5xx from the survivor, {load.failovers} failovers")


def test_health_is_503_while_mariadb_or_redis_is_away_and_200_when_back(cluster):
    """An instance whose MariaDB sits behind a link we cut, and whose Redis is our own throwaway."""
    from tests.utils.test_ops import _start_redis
    db_link = RoundRobinProxy([("127.0.0.1", 3306)]).start()  # never stop the shared MariaDB itself
    redis_port, web_port = free_port(), free_port()
    redis = _start_redis(redis_port)
    env = {**cluster["env"], "PORT": str(web_port), "WEB_CONCURRENCY": "1",
           "DATABASE_URL": f"mysql://root@127.0.0.1:{db_link.port}/{cluster['database']}",
           "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0"}
    web = Process("web-health", env, cluster["work"]).start()
    health = f"http://127.0.0.1:{web_port}/api/health/"
    try:
        wait_http(health, process=web)
        db_link.stop()
        status, body = request("GET", health)
        assert status == 503 and body["database"] == "down" and body["cache"] == "ok", body
        assert "database" in body["msg"]
        db_link.start()
        assert request("GET", health) == (200, {"status": 0, "msg": "ok", "database": "ok",
                                                "cache": "ok", "payment_alipay": "ok",
                                                "payment_wechat": "ok"})
        redis.kill()
        redis.wait(10)
        status, body = request("GET", health)
        assert status == 503 and body["cache"] == "down" and body["database"] == "ok", body
        redis = _start_redis(redis_port)
        assert request("GET", health)[0] == 200
    finally:
        web.kill()
        redis.kill()
        redis.wait(10)
        db_link.stop()

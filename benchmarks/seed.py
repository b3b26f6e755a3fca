"""Seed data and request pools for benchmarks/http_bench.py (runs with settings.bench).

Each endpoint gets a pool: request lines for wrk (METHOD, PATH, AUTHORIZATION, CONTENT-TYPE,
BODY, tab-separated), a few lines for the warm-up, and for the writing endpoints a check that
the database saw exactly what the answers said (one order per buy, one payment per notify).
Students and orders are bulk-inserted here; what is measured goes through the HTTP API only.
"""
import base64
import json
import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from apps.course.models import Course, UserCourse
from apps.order.constants import OrderStatus, PayType
from apps.order.models import Order, OrderDetail
from apps.user.models import User, username_key
from lib.al_pay.times import format_amount, to_alipay_time

COURSES = 40
WARM_UP = 8  # requests per endpoint before measuring (both workers import and build caches)
# Distinct requests per second of run for the endpoints that may not repeat one; generous
# (about twice the fastest rate seen here) since a pool that runs dry is reported as an error.
BUYS_PER_SECOND, NOTIFIES_PER_SECOND = 1000, 1200
BUYS_PER_STUDENT = 20
LOGIN_PASSWORD = "bench-password-2026"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded; charset=utf-8"


@dataclass
class Pool:
    lines: list
    warm_up: list
    cycle: bool
    db_state: Callable = lambda: None
    db_check: Callable = lambda before, after, answered, in_flight: []
    notes: dict = field(default_factory=dict)


def line(method, path, token="", content_type="", body=""):
    return "\t".join([method, path, f"JWT {token}" if token else "", content_type, body])


def build_pools(*, endpoints, alipay_private_key_file, seconds):
    courses = [Course(name=f"基准课程 {i:02d}", price=Decimal(99 + i), brief="benchmark",
                      lessons=10) for i in range(COURSES)]
    Course.objects.bulk_create(courses)
    courses = list(Course.objects.order_by("id"))
    listers = students("list", 100)
    builders = {
        "reference": lambda: Pool(
            [line("GET", "/api/bench/reference/", token(u)) for u in listers], [], cycle=True),
        "buy_now": lambda: buy_pool(courses, BUYS_PER_SECOND * seconds),
        "notify": lambda: notify_pool(courses, NOTIFIES_PER_SECOND * seconds,
                                      alipay_private_key_file),
        "poll": lambda: poll_pool(courses),
        "my_orders": lambda: my_orders_pool(courses, listers),
        "login": login_pool,
    }
    return {endpoint: builders[endpoint]() for endpoint in endpoints}


def students(kind, count, password="!unusable"):
    names = [f"bench-{kind}-{i:05d}" for i in range(count)]
    User.objects.bulk_create([User(username=name, username_key=username_key(name),
                                   password=password) for name in names])
    by_name = User.objects.in_bulk(names, field_name="username")
    return [by_name[name] for name in names]


def token(user):
    return str(AccessToken.for_user(user))


def reserve_warm_up(pool_lines):
    return Pool(pool_lines[WARM_UP:], pool_lines[:WARM_UP], cycle=False)


def counting(*querysets):
    return lambda: [qs.count() for qs in querysets]


def matches_answers(what):
    """The rows written must match the right answers (plus those still in flight at the end)."""
    def check(before, after, answered, in_flight):
        written = [a - b for a, b in zip(after, before, strict=True)]
        problems = []
        if not answered <= written[0] <= answered + in_flight:
            problems.append(f"{answered} right answers but {written[0]} {what[0]} written")
        for count, name in zip(written[1:], what[1:], strict=True):
            if count != written[0]:
                problems.append(f"{written[0]} {what[0]} but {count} {name}")
        return problems
    return check


def buy_pool(courses, count):
    """A distinct (student, course) per request: every buy must write a new order."""
    count += WARM_UP
    # At most BUYS_PER_STUDENT each: production's buy-now throttle (30 a minute) stays clear.
    buyers = students("buy", -(-count // BUYS_PER_STUDENT))
    tokens = [token(u) for u in buyers]
    lines = []
    for i in range(count):
        course = courses[i // len(buyers)]
        body = json.dumps({"subject": course.name, "total_amount": f"{course.price:.2f}",
                           "pay_type": 1, "courses": [course.pk]})
        lines.append(line("POST", "/api/order/pay/", tokens[i % len(buyers)], JSON, body))
    pool = reserve_warm_up(lines)
    pool.db_state = counting(Order.objects.all(), OrderDetail.objects.all())
    pool.db_check = matches_answers(["orders", "order lines"])
    return pool


def orders_for(owners_courses, *, kind, status=OrderStatus.UNPAID):
    """Bulk-insert one order per (user, [courses]) with its lines; returns them in order."""
    now = timezone.now()
    orders = []
    for i, (user, chosen) in enumerate(owners_courses):
        paid = status == OrderStatus.PAID
        orders.append(Order(
            user=user, subject=chosen[0].name, total_amount=sum(c.price for c in chosen),
            out_trade_no=f"2026{kind}{i:023d}", course_key=",".join(str(c.pk) for c in chosen),
            order_status=status, pay_type=PayType.ALIPAY, expire_time=now + timedelta(days=1),
            trade_no=f"2025{kind}{i:023d}" if paid else None, pay_time=now if paid else None))
    Order.objects.bulk_create(orders, batch_size=500)
    by_no = Order.objects.in_bulk([o.out_trade_no for o in orders], field_name="out_trade_no")
    orders = [by_no[o.out_trade_no] for o in orders]
    OrderDetail.objects.bulk_create(
        [OrderDetail(order=order, course=c, price=c.price, real_price=c.price)
         for order, (_, chosen) in zip(orders, owners_courses, strict=True) for c in chosen], batch_size=500)
    if status == OrderStatus.PAID:
        UserCourse.objects.bulk_create(
            [UserCourse(user=order.user, course=c, order=order)
             for order, (_, chosen) in zip(orders, owners_courses, strict=True) for c in chosen],
            batch_size=500)
    return orders


def notify_pool(courses, count, private_key_file):
    """Unpaid orders, one per (student, course), each with Alipay's signed notify paying it."""
    count += WARM_UP
    payers = students("pay", -(-count // len(courses)))
    pairs = [(payers[i % len(payers)], [courses[i // len(payers)]]) for i in range(count)]
    orders = orders_for(pairs, kind=1)
    moment = to_alipay_time(timezone.now())
    unsigned = [notify_params(order, f"2026{i:024d}", moment) for i, order in enumerate(orders)]
    with multiprocessing.get_context("fork").Pool(2, _load_signer, (private_key_file,)) as workers:
        bodies = workers.map(_signed_body, unsigned, chunksize=200)
    pool = reserve_warm_up([line("POST", "/api/order/success/", "", FORM, b) for b in bodies])
    paid = Order.objects.filter(order_status=OrderStatus.PAID)
    pool.db_state = counting(paid, UserCourse.objects.all())
    pool.db_check = matches_answers(["orders paid", "courses granted"])
    return pool


def notify_params(order, trade_no, moment):
    amount = format_amount(order.total_amount)
    return {
        "notify_time": moment, "notify_type": "trade_status_sync", "notify_id": f"nid-{trade_no}",
        "app_id": settings.ALIPAY_APP_ID, "auth_app_id": settings.ALIPAY_APP_ID,
        "charset": "utf-8", "version": "1.0", "trade_no": trade_no,
        "out_trade_no": order.out_trade_no, "total_amount": amount, "receipt_amount": amount,
        "buyer_pay_amount": amount, "seller_id": settings.ALIPAY_SELLER_ID,
        "buyer_id": "2088102000000001", "trade_status": "TRADE_SUCCESS", "gmt_create": moment,
        "gmt_payment": moment, "subject": order.subject,
    }


_signing_key = None


def _load_signer(private_key_file):
    global _signing_key
    with open(private_key_file, "rb") as fh:
        _signing_key = serialization.load_pem_private_key(fh.read(), None)


def _signed_body(params):
    """Alipay's RSA2: every field but sign/sign_type, sorted, k=v joined by &."""
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    signature = _signing_key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())
    return urlencode({**params, "sign_type": "RSA2", "sign": base64.b64encode(signature).decode()})


def poll_pool(courses):
    """Paid orders, each polled by its owner (the success page after paying)."""
    pollers = students("poll", 200)
    orders = orders_for([(u, [courses[0]]) for u in pollers], kind=2, status=OrderStatus.PAID)
    lines = [line("GET", f"/api/order/success/?out_trade_no={o.out_trade_no}", token(u))
             for u, o in zip(pollers, orders, strict=True)]
    return Pool(lines, lines[:WARM_UP], cycle=True)


def my_orders_pool(courses, listers):
    """Twelve orders each (paid, unpaid and cancelled; one to three lines): page 1 shows 10."""
    statuses = [OrderStatus.PAID, OrderStatus.UNPAID, OrderStatus.CANCELLED]
    for status in statuses:
        chosen = [(u, courses[1 + 4 * k + statuses.index(status):][:1 + k % 3])
                  for u in listers for k in range(4)]
        orders_for(chosen, kind=3 + statuses.index(status), status=status)
    lines = [line("GET", "/api/order/", token(u)) for u in listers]
    return Pool(lines, lines[:WARM_UP], cycle=True)


def login_pool():
    """Students with a real password, hashed by the configured (first) password hasher."""
    names = [f"bench-login-{i:02d}" for i in range(16)]
    User.objects.bulk_create([User(username=n, username_key=username_key(n),
                                   password=make_password(LOGIN_PASSWORD)) for n in names])
    lines = [line("POST", "/api/user/login/", "", JSON,
                  json.dumps({"username": n, "password": LOGIN_PASSWORD})) for n in names]
    return Pool(lines, lines[:WARM_UP], cycle=True)

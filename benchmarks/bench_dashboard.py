"""The sales dashboard on a million generated orders: how long its queries and its page take.

A database of its own (the test runner's: var/test-<pid>.sqlite3, or TEST_DATABASE_URL=mysql://...
for a throw-away MariaDB/MySQL database) is filled in batches with BENCH_ORDERS orders (default
1,000,000) spread over the last 30 Beijing days — all of them inside the 30-day view, its worst
case — with one line each and the payment events a real shop writes: the event that settled each
paid order (notify ~85 %, query ~12 %, statement ~3 %), its transition, duplicate notifies, and a
refunded line now and then. Then the dashboard's selector and its admin page are timed for both
ranges: the first view (which aggregates every closed hour once into SalesHour rows), then the
median of BENCH_REPEAT views (closed hours read back, the open hour aggregated live), with the
query plans of the aggregates.

    make bench                                   # part of it
    .venv/bin/python benchmarks/bench_dashboard.py
    BENCH_ORDERS=100000 .venv/bin/python benchmarks/bench_dashboard.py

Results go to the terminal and var/bench/dashboard.json.
"""
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luffyapi.settings.test")

ORDERS = int(os.environ.get("BENCH_ORDERS", 1_000_000))
REPEAT = int(os.environ.get("BENCH_REPEAT", 5))
BATCH = 20_000
PRICES = [Decimal(p) for p in ("99.00", "149.50", "199.00", "299.00", "39.90")]


def insert(cursor, table, columns, rows):
    placeholders = ", ".join(["%s"] * len(columns))
    cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", rows)


# Orders by Beijing hour of the day: quiet at night, busiest in the evening (weights, max 1).
DAY_SHAPE = [0.12, 0.07, 0.05, 0.04, 0.04, 0.05, 0.1, 0.2, 0.35, 0.5, 0.6, 0.62, 0.66, 0.6,
             0.58, 0.6, 0.62, 0.6, 0.62, 0.75, 0.9, 1.0, 0.8, 0.35]


def generate(now, orders=ORDERS, progress=True):
    """Fill the tables with `orders` orders over the last 30 Beijing days, up to `now`; returns
    how many rows of each were written. Rows go in with executemany, BATCH at a time."""
    from django.db import connection, transaction

    from apps.course.models import Course
    from apps.order.constants import EventKind, OrderStatus, Outcome, RefundStatus
    from apps.order.models import Order, OrderDetail, PaymentEvent
    from lib.al_pay.times import BEIJING
    from tests.factories import CourseFactory, UserFactory

    ops = connection.ops
    when = ops.adapt_datetimefield_value
    money = lambda value: ops.adapt_decimalfield_value(value, 10, 2)  # noqa: E731
    users = [UserFactory().pk for _ in range(200)]
    courses = [CourseFactory(price=price).pk for price in PRICES]
    assert Course.objects.count() == len(PRICES)
    rng = random.Random(17)
    local = now.astimezone(BEIJING)
    start = local - timedelta(days=29, hours=local.hour, minutes=local.minute,
                              seconds=local.second, microseconds=local.microsecond)
    span = (now - start).total_seconds()

    def moment():
        while True:  # rejection sampling: the day's shape, spread over the 30 days
            created = start + timedelta(seconds=rng.random() * span)
            if rng.random() < DAY_SHAPE[created.hour]:
                return created
    counts = {"orders": 0, "lines": 0, "events": 0}
    order_columns = ["id", "subject", "total_amount", "out_trade_no", "trade_no", "order_status",
                     "pay_type", "pay_time", "channel", "user_id", "course_key", "expire_time",
                     "refund_amount", "refund_time", "last_query_time", "created_time",
                     "updated_time"]
    line_columns = ["id", "order_id", "course_id", "price", "real_price", "refund_time",
                    "refund_request_no", "refund_status"]
    event_columns = ["order_id", "out_trade_no", "kind", "params", "verified", "outcome",
                     "detail", "from_status", "to_status", "notify_id", "flagged", "actor_id",
                     "created_time", "provider"]
    statuses = ([OrderStatus.PAID] * 70 + [OrderStatus.TIMED_OUT] * 18
                + [OrderStatus.CANCELLED] * 9 + [OrderStatus.UNPAID] * 3)
    settled_by = [EventKind.NOTIFY] * 85 + [EventKind.QUERY] * 12 + [EventKind.STATEMENT] * 3
    with connection.cursor() as cursor:
        for first in range(1, orders + 1, BATCH):
            rows, lines, events = [], [], []
            for pk in range(first, min(first + BATCH, orders + 1)):
                created = moment()
                status = rng.choice(statuses)
                course = rng.randrange(len(PRICES))
                price = PRICES[course]
                no = f"{created:%Y%m%d%H%M%S}{pk:014d}"
                paid = status == OrderStatus.PAID
                paid_at = (min(now, created + timedelta(seconds=rng.randint(20, 900)))
                           if paid else None)
                refunded_at = (paid_at + timedelta(hours=rng.randint(1, 30))
                               if paid and rng.random() < 0.02 else None)
                if refunded_at and refunded_at > now:
                    refunded_at = None
                rows.append((
                    pk, "课程", money(price), no, f"2026{pk:024d}" if paid else None, status, 1,
                    when(paid_at), "page", rng.choice(users), str(courses[course]),
                    when(created + timedelta(minutes=30)), money(price if refunded_at else 0),
                    when(refunded_at), None, when(created), when(refunded_at or paid_at or created)))
                lines.append((pk, pk, courses[course], money(price), money(price), when(refunded_at),
                              f"{no}-{pk}" if refunded_at else "",
                              RefundStatus.REFUNDED if refunded_at else RefundStatus.NONE))
                if paid:
                    kind = rng.choice(settled_by)
                    at = when(paid_at)
                    events.append((pk, no, kind, "{}", True, Outcome.PAID, "", None, None, "",
                                   False, None, at, "alipay"))
                    events.append((pk, no, EventKind.TRANSITION, "{}", True, Outcome.TRANSITION,
                                   "", OrderStatus.UNPAID, OrderStatus.PAID, "", False, None, at,
                                   "alipay"))
                    if kind == EventKind.NOTIFY and rng.random() < 0.15:
                        events.append((pk, no, EventKind.NOTIFY, "{}", True, Outcome.DUPLICATE,
                                       "", None, None, "", False, None, at, "alipay"))
                elif status != OrderStatus.UNPAID:
                    events.append((pk, no, EventKind.TRANSITION, "{}", True, Outcome.TRANSITION,
                                   "", OrderStatus.UNPAID, status, "", False, None,
                                   when(min(now, created + timedelta(minutes=30))), "alipay"))
            with transaction.atomic():
                insert(cursor, Order._meta.db_table, order_columns, rows)
                insert(cursor, OrderDetail._meta.db_table, line_columns, lines)
                insert(cursor, PaymentEvent._meta.db_table, event_columns, events)
            counts["orders"] += len(rows)
            counts["lines"] += len(lines)
            counts["events"] += len(events)
            if progress and counts["orders"] % 200_000 == 0:
                print(f"  {counts['orders']:,} orders, {counts['events']:,} events", flush=True)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return counts


def timed(fn):
    fn()  # warm-up: caches, compiled templates
    samples = []
    for _ in range(REPEAT):
        began = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - began)
    return round(statistics.median(samples) * 1000, 1), round(max(samples) * 1000, 1)


def query_plans(captured):
    from django.db import connection
    plans = []
    with connection.cursor() as cursor:
        for query in captured:
            if not query["sql"].lstrip().upper().startswith("SELECT"):
                continue
            prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
            cursor.execute(prefix + query["sql"])
            plans.append([" ".join(str(cell) for cell in row) for row in cursor.fetchall()])
    return plans


def main():
    import django
    django.setup()
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.runner import DiscoverRunner
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import timezone

    from apps.dashboard.selectors import sales_dashboard
    from tests.factories import UserFactory

    setup_test_environment()
    runner = DiscoverRunner(verbosity=0)
    old_config = runner.setup_databases()
    try:
        now = timezone.now()
        print(f"dashboard benchmark on {connection.vendor}: generating {ORDERS:,} orders ...")
        began = time.perf_counter()
        counts = generate(now)
        generate_seconds = round(time.perf_counter() - began, 1)
        admin = UserFactory(username="bench-admin", is_staff=True, is_superuser=True)
        client = Client()
        client.force_login(admin)
        results = {"database": connection.vendor, **counts, "generate_seconds": generate_seconds,
                   "repeat": REPEAT, "ranges": {}}
        for key in ("today", "30d"):
            reset_queries()
            began = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                data = sales_dashboard(range_key=key)  # cold: aggregates the closed hours once
            cold_ms = round((time.perf_counter() - began) * 1000, 1)
            cold_queries = len(captured)
            plans = query_plans(captured.captured_queries)
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                sales_dashboard(range_key=key)
            warm_queries = len(captured)
            selector_ms = timed(lambda key=key: sales_dashboard(range_key=key))
            page_ms = timed(lambda key=key: client.get(f"/admin/dashboard/?range={key}"))
            assert client.get(f"/admin/dashboard/?range={key}").status_code == 200
            results["ranges"][key] = {
                "orders_in_range": data["totals"]["created"], "cold_ms": cold_ms,
                "cold_queries": cold_queries, "queries": warm_queries,
                "selector_ms_median": selector_ms[0], "selector_ms_max": selector_ms[1],
                "page_ms_median": page_ms[0], "page_ms_max": page_ms[1], "plans": plans}
            print(f"  {key:>5}: {data['totals']['created']:>9,} orders in range; first view "
                  f"(aggregates the closed hours once) {cold_ms} ms, {cold_queries} queries; "
                  f"then {warm_queries} queries, selector {selector_ms[0]} ms "
                  f"(max {selector_ms[1]}), page {page_ms[0]} ms (max {page_ms[1]})")
            for plan in plans:
                print("         plan:", " | ".join(plan))
        out = ROOT / "var" / "bench" / "dashboard.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, ensure_ascii=False, indent=1))
        print(f"  written to {out.relative_to(ROOT)} (generated in {generate_seconds} s)")
    finally:
        runner.teardown_databases(old_config)


if __name__ == "__main__":
    main()

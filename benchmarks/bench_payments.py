"""Measures the payment path's hot spots and prints ratios measured in one run.

- RSA2 sign / verify: our OpenSSL-backed client vs the SDK's pycryptodomex code path.
- Buy now with 1 vs 10 courses (the query count must not grow; time should barely).
- Notify handling: a fresh payment vs a duplicate.

Run with `make bench` (SQLite; TEST_DATABASE_URL=mysql://... for MySQL).
"""
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luffyapi.settings.test")


def timed(fn, repeat):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main():
    import django
    django.setup()
    from alipay import AliPay
    from django.db import connection
    from django.test.runner import DiscoverRunner
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from apps.order import providers
    from apps.order.constants import PayType
    from apps.order.providers.alipay import alipay_config
    from apps.order.providers.base import NotifyRequest
    from apps.order.services import notifies, orders
    from lib.al_pay import client as alipay
    from tests.alipay_fake import signed_notify
    from tests.factories import CourseFactory, UserFactory

    setup_test_environment()
    runner = DiscoverRunner(verbosity=0)
    old_config = runner.setup_databases()
    try:
        client = alipay.get_client(alipay_config())
        message = "&".join(f"k{i}=value-{i}" for i in range(20))
        signature = client._sign(message)
        rows = []
        ours_sign = timed(lambda: client._sign(message), 300)
        sdk_sign = timed(lambda: AliPay._sign(client, message), 300)
        rows.append(("RSA2 sign: SDK / ours", sdk_sign, ours_sign))
        ours_verify = timed(lambda: client._verify(message, signature), 300)
        sdk_verify = timed(lambda: AliPay._verify(client, message, signature), 300)
        rows.append(("RSA2 verify: SDK / ours", sdk_verify, ours_verify))

        courses = [CourseFactory(price=Decimal("10.00")) for _ in range(10)]
        users = iter([UserFactory() for _ in range(400)])

        def buy(n):
            return orders.order_create(user=next(users), course_ids=[c.pk for c in courses[:n]],
                                         subject="bench", total_amount=Decimal("10.00") * n,
                                         pay_type=PayType.ALIPAY)[0]
        one = timed(lambda: buy(1), 60)
        ten = timed(lambda: buy(10), 60)
        rows.append(("buy now: 10 courses / 1 course", ten, one))
        with CaptureQueriesContext(connection) as q1:
            buy(1)
        with CaptureQueriesContext(connection) as q10:
            buy(10)

        orders = [buy(1) for _ in range(60)]
        signed = [signed_notify(o, trade_no=f"2026{i:024d}") for i, o in enumerate(orders)]
        pending = iter(signed)
        alipay_provider = providers.for_pay_type(PayType.ALIPAY)

        def notify(params):
            return notifies.payment_notify_handle(
                provider=alipay_provider, request=NotifyRequest(body=b"", headers={}, form=params))
        first = timed(lambda: notify(next(pending)), 60)
        dup = timed(lambda: notify(signed[0]), 60)
        rows.append(("notify: new payment / duplicate", first, dup))

        print(f"database: {connection.vendor}")
        print(f"{'measure':34} {'a (ms)':>9} {'b (ms)':>9} {'a/b':>7}")
        for name, a, b in rows:
            print(f"{name:34} {a * 1000:9.3f} {b * 1000:9.3f} {a / b:7.2f}")
        print(f"buy now queries: 1 course {len(q1)}, 10 courses {len(q10)}")
    finally:
        runner.teardown_databases(old_config)


if __name__ == "__main__":
    main()

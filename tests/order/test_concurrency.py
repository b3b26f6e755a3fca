"""Concurrent duplicates over real HTTP: one transition, one order, no "database is locked"."""
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest

from apps.course.models import UserCourse
from apps.order.constants import OrderStatus
from apps.order.models import Order, OrderDetail, PaymentEvent
from apps.order.services import payments
from tests.alipay_fake import signed_notify
from tests.conftest import client_for

pytestmark = pytest.mark.django_db(transaction=True)

BURST = 12


def _post(url, body, headers):
    request = Request(url, data=body, headers=headers, method="POST")
    with urlopen(request, timeout=60) as response:
        return response.status, response.read()


@pytest.fixture
def slow_settlement(monkeypatch):
    """Widen the race window: every event write inside the critical section takes 30 ms.

    Without it the window is microseconds wide and a missing lock would go unnoticed.
    """
    real = payments.event_record

    def slow(**kwargs):
        time.sleep(0.03)
        return real(**kwargs)
    monkeypatch.setattr(payments, "event_record", slow)  # as payment_settle calls it


def test_concurrent_duplicate_notifies_cause_exactly_one_transition(live_server, order, student,
                                                                   slow_settlement):
    url = f"{live_server.url}/api/order/success/"
    body = urlencode(signed_notify(order)).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    with ThreadPoolExecutor(BURST) as pool:
        answers = list(pool.map(lambda _: _post(url, body, headers), range(BURST)))

    assert answers == [(200, b"success")] * BURST
    order.refresh_from_db()
    assert order.order_status == OrderStatus.PAID
    assert PaymentEvent.objects.filter(order=order, kind="transition").count() == 1
    assert PaymentEvent.objects.filter(order=order, kind="notify", outcome="paid").count() == 1
    assert PaymentEvent.objects.filter(order=order, outcome="duplicate").count() == BURST - 1
    assert UserCourse.objects.filter(user=student).count() == 2


def test_concurrent_buy_now_clicks_open_one_order(live_server, student, courses, monkeypatch):
    real_create = Order.objects.create

    def slow_create(**kwargs):  # widen the race window between "no open order" and the insert
        time.sleep(0.05)
        return real_create(**kwargs)
    monkeypatch.setattr(Order.objects, "create", slow_create)
    token = client_for(student)._credentials["HTTP_AUTHORIZATION"]
    body = (f'{{"subject":"两门课","total_amount":"{courses[0].price + courses[1].price}",'
            f'"pay_type":1,"courses":[{courses[0].pk},{courses[1].pk}]}}').encode()
    headers = {"Content-Type": "application/json", "Authorization": token}
    url = f"{live_server.url}/api/order/pay/"
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: _post(url, body, headers), range(8)))

    assert sorted(status for status, _ in answers) == [200] * 7 + [201]
    assert Order.objects.count() == 1
    assert OrderDetail.objects.count() == 2
    assert Order.objects.get().total_amount == Decimal("298.00")

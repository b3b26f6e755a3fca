"""The app against the local Alipay sandbox process: real HTTP and real signatures both ways."""
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from apps.course.models import UserCourse
from apps.order.constants import OrderStatus
from apps.order.models import Order, OrderDetail, PaymentEvent
from apps.order.services.reconcile import orders_reconcile

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]


def buy(client, courses):
    response = client.post("/api/order/pay/", {
        "subject": "测试购买", "pay_type": 1, "courses": [c.pk for c in courses],
        "total_amount": str(sum((c.price for c in courses), Decimal("0.00")))}, format="json")
    assert response.status_code in (200, 201), response.json()
    return response.json()


def poll(client, out_trade_no, return_url=None):
    params = dict(parse_qsl(urlsplit(return_url).query)) if return_url else {}
    params["out_trade_no"] = out_trade_no
    return client.get("/api/order/success/", params).json()


def order_status(out_trade_no):
    return Order.objects.get(out_trade_no=out_trade_no).order_status


def test_buy_pay_return_and_notify_end_to_end(shop, student_api, courses, student):
    bought = buy(student_api, courses[:2])
    status, cashier = shop.open(bought["pay_url"])
    assert status == 200 and "¥298.00" in cashier and bought["out_trade_no"] in cashier

    return_url = shop.pay(bought["out_trade_no"])
    assert return_url.startswith(django_settings.ALIPAY_RETURN_URL + "?")
    shop.wait_for(lambda: order_status(bought["out_trade_no"]) == OrderStatus.PAID,
                  message="the notify to mark the order paid")

    answer = poll(student_api, bought["out_trade_no"], return_url)
    assert answer["status"] == 0
    trade = shop.trade(bought["out_trade_no"])
    assert answer["order"]["trade_no"] == trade["trade_no"]
    assert UserCourse.objects.filter(user=student).count() == 2
    attempts = trade["notify_attempts"]
    assert attempts[-1]["outcome"] == "success"


def test_the_poll_settles_a_payment_whose_notify_never_arrives(shop, student_api, courses):
    shop.set_faults(notify_drop=100)
    bought = buy(student_api, courses[:1])
    shop.open(bought["pay_url"])
    return_url = shop.pay(bought["out_trade_no"])
    assert order_status(bought["out_trade_no"]) == OrderStatus.UNPAID

    answer = poll(student_api, bought["out_trade_no"], return_url)
    assert answer["status"] == 0 and answer["order"]["order_status"] == OrderStatus.PAID
    event = PaymentEvent.objects.get(out_trade_no=bought["out_trade_no"], kind="query",
                                     outcome="paid")
    assert event.params["trade_status"] == "TRADE_SUCCESS"


def test_an_unknown_query_answer_is_never_read_as_paid_or_unpaid(shop, student_api, courses):
    shop.set_faults(notify_drop=100, query_fail=1)
    bought = buy(student_api, courses[:1])
    shop.open(bought["pay_url"])
    shop.pay(bought["out_trade_no"])

    assert poll(student_api, bought["out_trade_no"])["status"] == 1  # Alipay: SYSTEM_ERROR
    assert order_status(bought["out_trade_no"]) == OrderStatus.UNPAID
    assert PaymentEvent.objects.filter(kind="query", outcome="unknown").exists()
    assert poll(student_api, bought["out_trade_no"])["status"] == 0  # asked again: paid


def test_the_poll_asks_alipay_at_most_once_per_interval(shop, student_api, courses, settings):
    settings.ALIPAY_QUERY_INTERVAL_SECONDS = 60
    bought = buy(student_api, courses[:1])
    for _ in range(5):
        assert poll(student_api, bought["out_trade_no"])["status"] == 1
    assert PaymentEvent.objects.filter(kind="query").count() == 1


def test_duplicated_concurrent_notifies_from_alipay_pay_once(shop, student_api, courses):
    shop.set_faults(notify_duplicate=6)
    bought = buy(student_api, courses[:2])
    shop.open(bought["pay_url"])
    shop.pay(bought["out_trade_no"])
    shop.wait_for(lambda: len(shop.trade(bought["out_trade_no"])["notify_attempts"]) >= 7,
                  message="all duplicate notifies")
    shop.wait_for(lambda: order_status(bought["out_trade_no"]) == OrderStatus.PAID)
    assert PaymentEvent.objects.filter(out_trade_no=bought["out_trade_no"],
                                       kind="transition").count() == 1


def test_a_corrupted_notify_is_refused_and_alipay_retries_until_success(shop, student_api,
                                                                        courses):
    shop.set_faults(notify_corrupt_signature=True)
    bought = buy(student_api, courses[:1])
    shop.open(bought["pay_url"])
    shop.pay(bought["out_trade_no"])
    shop.wait_for(lambda: shop.trade(bought["out_trade_no"])["notify_attempts"],
                  message="a first notify attempt")
    assert order_status(bought["out_trade_no"]) == OrderStatus.UNPAID
    assert PaymentEvent.objects.filter(kind="notify", outcome="bad_signature").exists()

    shop.reset_faults()
    shop.resend_notify(bought["out_trade_no"])
    shop.wait_for(lambda: order_status(bought["out_trade_no"]) == OrderStatus.PAID,
                  message="the retried notify")


def test_cancel_closes_the_trade_at_alipay_so_it_cannot_be_paid(shop, student_api, courses):
    bought = buy(student_api, courses[:1])
    shop.open(bought["pay_url"])
    response = student_api.post(f"/api/order/{bought['out_trade_no']}/cancel/")
    assert response.status_code == 200
    assert shop.trade(bought["out_trade_no"])["status"] == "TRADE_CLOSED"
    status, page = shop.open(bought["pay_url"])
    assert status >= 400


def test_reconcile_settles_paid_orders_and_times_out_overdue_ones(shop, student_api, courses):
    shop.set_faults(notify_drop=100)
    paid = buy(student_api, courses[:1])
    shop.open(paid["pay_url"])
    shop.pay(paid["out_trade_no"])
    abandoned = buy(student_api, courses[1:2])  # never opened at Alipay
    long_ago = timezone.now() - timezone.timedelta(hours=1)
    Order.objects.update(created_time=long_ago)
    Order.objects.filter(out_trade_no=abandoned["out_trade_no"]).update(expire_time=long_ago)

    counts = orders_reconcile()

    assert counts == {"checked": 2, "paid": 1, "timed_out": 1, "unsure": 0, "left": 0}
    assert order_status(paid["out_trade_no"]) == OrderStatus.PAID
    assert order_status(abandoned["out_trade_no"]) == OrderStatus.TIMED_OUT


def _admin_action(admin_client, action, order_no, **extra):
    order = Order.objects.get(out_trade_no=order_no)
    return admin_client.post("/admin/order/order/", {"action": action, "_selected_action": [order.pk],
                                                     **extra}, follow=True)


def _line_ids(order_no, *courses):
    lines = OrderDetail.objects.filter(order__out_trade_no=order_no).order_by("pk")
    if courses:
        lines = lines.filter(course__in=courses)
    return [line.pk for line in lines]


def test_admin_query_action_settles_a_paid_order(shop, student_api, courses, admin_client):
    shop.set_faults(notify_drop=100)
    bought = buy(student_api, courses[:1])
    shop.open(bought["pay_url"])
    shop.pay(bought["out_trade_no"])
    response = _admin_action(admin_client, "query_orders", bought["out_trade_no"])
    assert "已向支付宝查询 (paid)" in response.content.decode()
    assert order_status(bought["out_trade_no"]) == OrderStatus.PAID


def test_admin_refund_action_refunds_once_and_takes_the_courses_back(shop, student_api, courses,
                                                                     admin_client, student):
    bought = buy(student_api, courses[:2])
    shop.open(bought["pay_url"])
    shop.pay(bought["out_trade_no"])
    shop.wait_for(lambda: order_status(bought["out_trade_no"]) == OrderStatus.PAID)

    asked = _admin_action(admin_client, "refund_orders", bought["out_trade_no"])
    assert "退全部 · 共 ¥298.00" in asked.content.decode()  # step 1: choose, nothing ticked
    pk = Order.objects.get(out_trade_no=bought["out_trade_no"]).pk
    review = _admin_action(admin_client, "refund_orders", bought["out_trade_no"], all_of=str(pk))
    assert "确认退款 ¥298.00" in review.content.decode()  # step 2: said before it happens
    assert shop.trade(bought["out_trade_no"])["refunds"] == []
    every_line = _line_ids(bought["out_trade_no"])  # a full refund is every line
    first = _admin_action(admin_client, "refund_orders", bought["out_trade_no"], confirm="yes",
                          lines=every_line)
    second = _admin_action(admin_client, "refund_orders", bought["out_trade_no"], confirm="yes",
                           lines=every_line)

    assert "已退款 (refunded)" in first.content.decode()
    assert "未支付、已退款或正在退款中，跳过" in second.content.decode()  # not even sent to Alipay again
    trade = shop.trade(bought["out_trade_no"])
    assert Decimal(trade["refunded_amount"]) == Decimal("298.00")
    assert not UserCourse.objects.filter(user=student).exists()
    order = student_api.get(f"/api/order/{bought['out_trade_no']}/").json()["order"]
    assert order["refund_amount"] == "298.00" and order["refund_time"]


def test_admin_close_action_closes_unpaid_and_refuses_paid(shop, student_api, courses,
                                                           admin_client):
    unpaid = buy(student_api, courses[:1])
    shop.open(unpaid["pay_url"])
    assert "已关闭" in _admin_action(admin_client, "close_orders", unpaid["out_trade_no"]).content.decode()
    assert order_status(unpaid["out_trade_no"]) == OrderStatus.CANCELLED
    assert shop.trade(unpaid["out_trade_no"])["status"] == "TRADE_CLOSED"

    paid = buy(student_api, courses[1:2])
    shop.open(paid["pay_url"])
    shop.pay(paid["out_trade_no"])
    shop.wait_for(lambda: order_status(paid["out_trade_no"]) == OrderStatus.PAID)
    page = _admin_action(admin_client, "close_orders", paid["out_trade_no"]).content.decode()
    assert "只能取消未支付的订单" in page
    assert order_status(paid["out_trade_no"]) == OrderStatus.PAID


def test_buying_again_after_the_trade_was_closed_at_alipay_opens_a_new_order(shop, student_api,
                                                                            courses):
    first = buy(student_api, courses[:1])
    shop.open(first["pay_url"])
    shop.cancel(first["out_trade_no"])  # the student pressed Cancel on the cashier

    again = buy(student_api, courses[:1])

    assert again["out_trade_no"] != first["out_trade_no"]
    assert order_status(first["out_trade_no"]) == OrderStatus.CANCELLED
    assert shop.open(again["pay_url"])[0] == 200


def test_buying_again_after_paying_at_alipay_is_refused_not_charged_twice(shop, student_api,
                                                                         courses):
    shop.set_faults(notify_drop=100)
    first = buy(student_api, courses[:1])
    shop.open(first["pay_url"])
    shop.pay(first["out_trade_no"])

    response = student_api.post("/api/order/pay/", {
        "subject": "测试购买", "pay_type": 1, "courses": [courses[0].pk],
        "total_amount": str(courses[0].price)}, format="json")

    assert response.status_code == 409 and response.json()["code"] == "already_paid"
    assert order_status(first["out_trade_no"]) == OrderStatus.PAID
    assert Order.objects.count() == 1

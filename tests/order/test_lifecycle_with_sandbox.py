"""Against the sandbox: the one-pass reconcile command, superseding an order, partial refunds."""
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.course.models import UserCourse
from apps.order.constants import EventKind, OrderStatus, Outcome
from apps.order.models import Order, PaymentEvent
from apps.order.providers.alipay import alipay_config
from apps.order.services.refunds import order_refund, refund_request_no
from lib.al_pay import client as alipay
from tests.order.test_with_sandbox import _admin_action, _line_ids, buy, order_status

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]


def reconcile(*args) -> str:
    out = StringIO()
    call_command("reconcile_orders", *args, stdout=out)  # raises (exit 1) on any error
    return out.getvalue()


def age(out_trade_no, *, created_ago=None, expired_ago=None):
    now = timezone.now()
    changes = {}
    if created_ago is not None:
        changes["created_time"] = now - created_ago
    if expired_ago is not None:
        changes["expire_time"] = now - expired_ago
    Order.objects.filter(out_trade_no=out_trade_no).update(**changes)


# --- reconcile_orders -----------------------------------------------------------------------

def test_one_pass_after_a_dropped_notify_pays_the_order(shop, student_api, courses, student):
    shop.set_faults(notify_drop=100)
    bought = buy(student_api, courses[:2])
    shop.open(bought["pay_url"])
    shop.pay(bought["out_trade_no"])
    assert order_status(bought["out_trade_no"]) == OrderStatus.UNPAID

    assert "checked 1, paid 1, timed out 0, unsure 0" in reconcile()
    assert order_status(bought["out_trade_no"]) == OrderStatus.PAID
    assert UserCourse.objects.filter(user=student).count() == 2


def test_one_pass_past_the_deadline_times_out_and_closes_the_trade(shop, student_api, courses,
                                                                  settings):
    bought = buy(student_api, courses[:1])
    shop.open(bought["pay_url"])  # the trade exists at Alipay, waiting for the buyer
    minutes = timezone.timedelta(minutes=settings.ORDER_TIMEOUT_MINUTES)
    age(bought["out_trade_no"], created_ago=minutes + timezone.timedelta(seconds=5),
        expired_ago=timezone.timedelta(seconds=5))

    assert "checked 1, paid 0, timed out 1, unsure 0" in reconcile()
    assert order_status(bought["out_trade_no"]) == OrderStatus.TIMED_OUT
    assert shop.trade(bought["out_trade_no"])["status"] == "TRADE_CLOSED"


def test_alipay_system_error_leaves_the_order_unpaid_and_the_exit_clean(shop, student_api,
                                                                        courses):
    shop.set_faults(notify_drop=100, query_fail=5)
    bought = buy(student_api, courses[:1])
    shop.open(bought["pay_url"])
    shop.pay(bought["out_trade_no"])
    age(bought["out_trade_no"], expired_ago=timezone.timedelta(seconds=5))

    assert "checked 1, paid 0, timed out 0, unsure 1" in reconcile()
    assert order_status(bought["out_trade_no"]) == OrderStatus.UNPAID
    assert PaymentEvent.objects.filter(kind=EventKind.QUERY, outcome=Outcome.UNKNOWN).exists()


def test_min_age_skips_younger_orders(shop, student_api, courses):
    old, young = buy(student_api, courses[:1]), buy(student_api, courses[1:2])
    age(old["out_trade_no"], created_ago=timezone.timedelta(minutes=10))

    assert "checked 1," in reconcile("--min-age", "300")
    assert Order.objects.get(out_trade_no=young["out_trade_no"]).last_query_time is None
    assert Order.objects.get(out_trade_no=old["out_trade_no"]).last_query_time is not None


def test_a_pass_is_bounded_and_the_next_one_takes_the_rest(shop, student_api, courses):
    numbers = [buy(student_api, [course])["out_trade_no"] for course in courses]
    first = reconcile("--limit", "2")
    assert "checked 2," in first and "more unpaid orders left" in first
    assert Order.objects.filter(out_trade_no__in=numbers, last_query_time=None).count() == 1
    reconcile("--limit", "2")  # least recently asked first: the one left out comes first
    assert not Order.objects.filter(out_trade_no__in=numbers, last_query_time=None).exists()


def test_a_second_host_running_at_the_same_time_skips_claimed_orders(shop, student_api, courses,
                                                                     settings):
    settings.ALIPAY_QUERY_INTERVAL_SECONDS = 60
    buy(student_api, courses[:1])
    assert "checked 1," in reconcile()
    assert "checked 0," in reconcile()  # claimed a moment ago by "another host"
    assert PaymentEvent.objects.filter(kind=EventKind.QUERY).count() == 1


# --- superseding an open order whose price changed ------------------------------------------

def _reprice(course, price):
    course.price = Decimal(price)
    course.save(update_fields=["price"])


def test_a_superseded_order_is_closed_at_alipay_before_the_new_one(shop, student_api, courses):
    first = buy(student_api, courses[:1])
    shop.open(first["pay_url"])  # a cashier tab is open on the old price
    _reprice(courses[0], "79.00")

    again = buy(student_api, courses[:1])

    assert again["out_trade_no"] != first["out_trade_no"]
    assert order_status(first["out_trade_no"]) == OrderStatus.CANCELLED
    assert shop.trade(first["out_trade_no"])["status"] == "TRADE_CLOSED"
    assert shop.open(first["pay_url"])[0] >= 400  # the old tab can no longer be paid
    assert Order.objects.get(out_trade_no=again["out_trade_no"]).total_amount == Decimal("79.00")


def test_an_overdue_open_order_is_closed_at_alipay_before_it_is_replaced(shop, student_api,
                                                                         courses):
    first = buy(student_api, courses[:1])
    shop.open(first["pay_url"])
    age(first["out_trade_no"], expired_ago=timezone.timedelta(seconds=1))

    again = buy(student_api, courses[:1])

    assert again["out_trade_no"] != first["out_trade_no"]
    assert order_status(first["out_trade_no"]) == OrderStatus.TIMED_OUT
    assert shop.trade(first["out_trade_no"])["status"] == "TRADE_CLOSED"


def test_a_superseded_order_paid_at_alipay_is_settled_and_answered_as_paid(shop, student_api,
                                                                           courses, student):
    shop.set_faults(notify_drop=100)
    first = buy(student_api, courses[:1])
    shop.open(first["pay_url"])
    shop.pay(first["out_trade_no"])  # paid at the old price; the notify is lost
    _reprice(courses[0], "79.00")

    response = student_api.post("/api/order/pay/", {
        "subject": "测试购买", "pay_type": 1, "courses": [courses[0].pk],
        "total_amount": "79.00"}, format="json")

    assert response.status_code == 409 and response.json()["code"] == "already_paid"
    assert order_status(first["out_trade_no"]) == OrderStatus.PAID
    assert UserCourse.objects.filter(user=student, course=courses[0]).exists()
    assert Order.objects.count() == 1


def test_a_superseded_order_alipay_is_unsure_about_is_not_replaced(student_api, courses):
    # No sandbox: the gateway does not answer, so Alipay cannot confirm the old trade closed.
    first = buy(student_api, courses[:1])
    _reprice(courses[0], "79.00")

    response = student_api.post("/api/order/pay/", {
        "subject": "测试购买", "pay_type": 1, "courses": [courses[0].pk],
        "total_amount": "79.00"}, format="json")

    assert response.status_code == 503 and response.json()["code"] == "provider_unavailable"
    assert order_status(first["out_trade_no"]) == OrderStatus.UNPAID
    assert Order.objects.count() == 1


# --- partial refunds ------------------------------------------------------------------------

def _paid_order(shop, student_api, courses):
    bought = buy(student_api, courses[:2])
    shop.open(bought["pay_url"])
    shop.pay(bought["out_trade_no"])
    shop.wait_for(lambda: order_status(bought["out_trade_no"]) == OrderStatus.PAID)
    return bought["out_trade_no"]


def test_the_admin_refunds_one_course_of_an_order(shop, student_api, courses, admin_client,
                                                  student):
    order_no = _paid_order(shop, student_api, courses)
    page = _admin_action(admin_client, "refund_orders", order_no).content.decode()
    assert courses[0].name in page and courses[1].name in page and 'name="lines"' in page

    first_line = _line_ids(order_no, courses[0])
    done = _admin_action(admin_client, "refund_orders", order_no, confirm="yes", lines=first_line)
    again = _admin_action(admin_client, "refund_orders", order_no, confirm="yes", lines=first_line)

    assert "已退款 (refunded)" in done.content.decode()
    assert "所选课程均已退款" in again.content.decode()
    event = PaymentEvent.objects.get(kind=EventKind.REFUND, outcome=Outcome.REFUNDED)
    assert event.detail.startswith(f"{order_no}-{first_line[0]} by ")  # who refunded it
    trade = shop.trade(order_no)
    assert [r["refund_amount"] for r in trade["refunds"]] == ["99.00"]
    assert trade["status"] == "TRADE_SUCCESS"  # still paid at Alipay: partly refunded
    owned = set(UserCourse.objects.filter(user=student).values_list("course_id", flat=True))
    assert owned == {courses[1].pk}
    order = student_api.get(f"/api/order/{order_no}/").json()["order"]
    assert order["order_status"] == OrderStatus.PAID and order["refund_amount"] == "99.00"
    refunded = {line["course_id"]: line["refunded"] for line in order["lines"]}
    assert refunded == {courses[0].pk: True, courses[1].pk: False}

    rest = _admin_action(admin_client, "refund_orders", order_no, confirm="yes",
                         lines=_line_ids(order_no))
    assert "已退款 (refunded)" in rest.content.decode()
    trade = shop.trade(order_no)
    assert Decimal(trade["refunded_amount"]) == Decimal("298.00")
    assert trade["status"] == "TRADE_CLOSED"  # every line refunded: a full refund
    assert Order.objects.get(out_trade_no=order_no).refund_amount == Decimal("298.00")
    assert not UserCourse.objects.filter(user=student).exists()


def test_a_refund_whose_answer_was_lost_is_not_paid_twice(shop, student_api, courses):
    order_no = _paid_order(shop, student_api, courses)
    order = Order.objects.get(out_trade_no=order_no)
    line = order.lines.get(course=courses[1])
    # The first attempt reached Alipay but its answer never came back.
    alipay.trade_refund(alipay_config(), out_trade_no=order_no, refund_amount=line.real_price,
                        out_request_no=refund_request_no(order=order, line=line))

    assert order_refund(order=order, line_ids=[line.pk]) == Outcome.ALREADY_REFUNDED

    trade = shop.trade(order_no)
    assert Decimal(trade["refunded_amount"]) == Decimal("199.00") and len(trade["refunds"]) == 1
    line.refresh_from_db()
    assert line.is_refunded and order.refund_amount == Decimal("199.00")


def test_lines_of_another_order_cannot_be_refunded(shop, student_api, courses, make_order,
                                                   other_student):
    order_no = _paid_order(shop, student_api, courses)
    foreign = make_order(other_student, courses[2:])
    with pytest.raises(Exception, match="请选择该订单中要退款的课程"):
        order_refund(order=Order.objects.get(out_trade_no=order_no),
                     line_ids=[foreign.lines.get().pk])
    assert shop.trade(order_no)["refunds"] == []


def test_a_refund_alipay_refuses_leaves_the_line_and_the_course(shop, student_api, courses,
                                                               admin_client, student):
    order_no = _paid_order(shop, student_api, courses)
    # 250.00 of the 298.00 was given back outside the shop (Alipay's console, say).
    alipay.trade_refund(alipay_config(), out_trade_no=order_no, refund_amount=Decimal("250.00"),
                        out_request_no="console-1")

    page = _admin_action(admin_client, "refund_orders", order_no, confirm="yes",
                         lines=_line_ids(order_no, courses[0])).content.decode()

    assert "退款失败" in page  # Alipay: ACQ.REFUND_AMT_NOT_EQUAL_TOTAL, more than was paid
    assert PaymentEvent.objects.filter(kind=EventKind.REFUND, outcome=Outcome.ERROR,
                                       params__sub_code="ACQ.REFUND_AMT_NOT_EQUAL_TOTAL").exists()
    order = Order.objects.get(out_trade_no=order_no)
    assert order.refund_amount == 0 and not order.lines.filter(refund_time__isnull=False).exists()
    assert UserCourse.objects.filter(user=student).count() == 2

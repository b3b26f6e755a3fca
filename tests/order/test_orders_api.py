"""My orders, one order, cancel, the success page's poll, and the API schema/docs."""
from datetime import datetime
from decimal import Decimal

import pytest
import yaml
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.order.constants import OrderStatus, PayType
from apps.order.models import PaymentEvent
from apps.order.services.orders import order_create
from lib.al_pay.times import BEIJING, format_amount
from tests.alipay_fake import sign_params, signed_notify
from tests.conftest import client_for, post_notify
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db

ORDERS = "/api/order/"
POLL = "/api/order/success/"
PAID_AT = datetime(2026, 11, 26, 20, 30, 0, tzinfo=BEIJING)


def one(no):
    return f"/api/order/{no}/"


def cancel(no):
    return f"/api/order/{no}/cancel/"


def buy(user, *chosen):
    """An unpaid order for `user`, written by the real service."""
    order, created = order_create(user=user, course_ids=[c.pk for c in chosen], subject="测试订单",
                                  total_amount=sum((c.price for c in chosen), Decimal("0.00")),
                                  pay_type=PayType.ALIPAY)
    assert created
    return order


def orders_of(user, n):
    """n orders for `user`, one fresh course each, oldest first."""
    return [buy(user, CourseFactory(price=Decimal("10.00") + i)) for i in range(n)]


def pay(api, order):
    assert post_notify(api, signed_notify(order, paid_at=PAID_AT)).content == b"success"
    order.refresh_from_db()
    return order


def assert_error(response, http_status):
    assert response.status_code == http_status, response.content
    body = response.json()
    assert body["status"] != 0 and body["msg"].strip()
    assert "order" not in body and "results" not in body
    assert "Traceback" not in response.content.decode()
    return body


# --- my orders ------------------------------------------------------------------------------

def test_my_orders_newest_first_with_lines_and_strings(student, student_api, courses):
    older = buy(student, courses[0], courses[2])
    newer = buy(student, courses[1])

    response = student_api.get(ORDERS)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == 0 and body["count"] == 2
    assert body["next"] is None and body["previous"] is None
    assert [o["out_trade_no"] for o in body["results"]] == [newer.out_trade_no, older.out_trade_no]
    first = body["results"][1]
    assert first["total_amount"] == "248.50"
    assert first["order_status"] == 0 and first["order_status_display"] == "未支付"
    assert first["pay_type"] == 1 and first["pay_type_display"] == "支付宝"
    assert first["trade_no"] is None and first["pay_time"] is None
    assert first["created_time"].endswith("+08:00") and first["expire_time"].endswith("+08:00")
    assert sorted(first["lines"], key=lambda line: line["course_id"]) == [
        {"course_id": courses[0].pk, "course_name": courses[0].name, "price": "99.00",
         "real_price": "99.00", "refunded": False, "refund_status": "",
         "refund_time": None},
        {"course_id": courses[2].pk, "course_name": courses[2].name, "price": "149.50",
         "real_price": "149.50", "refunded": False, "refund_status": "",
         "refund_time": None},
    ]


def test_paid_order_shows_trade_no_and_beijing_pay_time(api, student, student_api, order):
    pay(api, order)
    listed = student_api.get(ORDERS).json()["results"][0]
    assert listed["order_status"] == 1 and listed["order_status_display"] == "已支付"
    assert listed["trade_no"] == "2026112622001400000000000001"
    assert listed["pay_time"] == "2026-11-26T20:30:00+08:00"


def test_my_orders_lists_only_mine(student, student_api, other_student, courses):
    mine = buy(student, courses[0])
    theirs = buy(other_student, courses[0])
    body = student_api.get(ORDERS).json()
    assert [o["out_trade_no"] for o in body["results"]] == [mine.out_trade_no]
    assert theirs.out_trade_no not in str(body)
    assert client_for(other_student).get(ORDERS).json()["count"] == 1


def test_my_orders_are_paginated(student, student_api):
    made = orders_of(student, 12)
    newest_first = [o.out_trade_no for o in reversed(made)]

    first = student_api.get(ORDERS).json()
    second = student_api.get(f"{ORDERS}?page=2").json()
    small = student_api.get(f"{ORDERS}?page_size=5&page=3").json()

    assert first["count"] == 12 and len(first["results"]) == 10 and "page=2" in first["next"]
    assert [o["out_trade_no"] for o in first["results"] + second["results"]] == newest_first
    assert second["next"] is None and second["previous"] is not None
    assert [o["out_trade_no"] for o in small["results"]] == newest_first[10:]
    assert_error(student_api.get(f"{ORDERS}?page=9"), 404)


def test_my_orders_query_count_does_not_grow_with_orders(db):
    few, many = UserFactory(), UserFactory()
    orders_of(few, 1)
    orders_of(many, 5)
    few_api, many_api = client_for(few), client_for(many)

    with CaptureQueriesContext(connection) as one_order:
        assert few_api.get(ORDERS).json()["count"] == 1
    with CaptureQueriesContext(connection) as five_orders:
        assert many_api.get(ORDERS).json()["count"] == 5

    assert len(five_orders) == len(one_order), [q["sql"] for q in five_orders.captured_queries]


def test_my_orders_need_login(api):
    assert_error(api.get(ORDERS), 401)


# --- one order ------------------------------------------------------------------------------

def test_owner_sees_one_order(student_api, order):
    response = student_api.get(one(order.out_trade_no))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == 0
    assert body["order"]["out_trade_no"] == order.out_trade_no
    assert body["order"]["total_amount"] == format_amount(order.total_amount)
    assert len(body["order"]["lines"]) == 2


def test_another_students_order_is_403(order, other_student):
    assert_error(client_for(other_student).get(one(order.out_trade_no)), 403)


def test_unknown_order_is_404(student_api, db):
    assert_error(student_api.get(one("20260101000000000000000000")), 404)


def test_one_order_needs_login(api, order):
    assert_error(api.get(one(order.out_trade_no)), 401)


# --- cancel ---------------------------------------------------------------------------------

def test_cancel_an_unpaid_order(student_api, order):
    response = student_api.post(cancel(order.out_trade_no))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == 0 and body["msg"]
    assert body["order"]["order_status"] == 2 and body["order"]["order_status_display"] == "已取消"
    order.refresh_from_db()
    assert order.order_status == OrderStatus.CANCELLED
    transition = PaymentEvent.objects.get(order=order, kind="transition")
    assert (transition.from_status, transition.to_status) == (0, 2)
    # The close attempt at Alipay is on record too (the gateway is unreachable in tests).
    assert PaymentEvent.objects.filter(order=order, kind="close").exists()


def test_cancel_twice_is_409(student_api, order):
    assert student_api.post(cancel(order.out_trade_no)).status_code == 200
    assert_error(student_api.post(cancel(order.out_trade_no)), 409)
    assert PaymentEvent.objects.filter(order=order, kind="transition").count() == 1


def test_cancel_a_paid_order_is_409_and_it_stays_paid(api, student, student_api, order):
    pay(api, order)
    assert_error(student_api.post(cancel(order.out_trade_no)), 409)
    order.refresh_from_db()
    assert order.order_status == OrderStatus.PAID
    assert student.owned_courses.count() == 2


def test_cancel_another_students_order_is_403(order, other_student):
    assert_error(client_for(other_student).post(cancel(order.out_trade_no)), 403)
    order.refresh_from_db()
    assert order.order_status == OrderStatus.UNPAID


def test_cancel_needs_login(api, order):
    assert_error(api.post(cancel(order.out_trade_no)), 401)
    order.refresh_from_db()
    assert order.order_status == OrderStatus.UNPAID


def test_money_after_cancel_still_pays_the_order(api, student_api, order):
    student_api.post(cancel(order.out_trade_no))
    pay(api, order)
    assert order.order_status == OrderStatus.PAID
    body = student_api.get(one(order.out_trade_no)).json()
    assert body["order"]["order_status_display"] == "已支付"


# --- the success page's poll ----------------------------------------------------------------

def poll(client, **params):
    return client.get(POLL, params)


def return_params(order, **overrides):
    """What Alipay appends to return_url after payment (signed by "Alipay")."""
    params = {
        "charset": "utf-8", "out_trade_no": order.out_trade_no,
        "method": "alipay.trade.page.pay.return", "total_amount": format_amount(order.total_amount),
        "trade_no": "2026112622001400000000000001", "auth_app_id": settings.ALIPAY_APP_ID,
        "version": "1.0", "app_id": settings.ALIPAY_APP_ID, "seller_id": settings.ALIPAY_SELLER_ID,
        "timestamp": "2026-11-26 20:30:05",
    }
    params.update(overrides)
    return sign_params(params)


def test_poll_needs_login(api, order):
    assert_error(poll(api, out_trade_no=order.out_trade_no), 401)


def test_poll_for_another_students_order_is_403(order, other_student):
    assert_error(poll(client_for(other_student), out_trade_no=order.out_trade_no), 403)


@pytest.mark.parametrize("params", [{}, {"out_trade_no": ""}, {"out_trade_no": "  "}])
def test_poll_without_order_number_is_400(student_api, db, params):
    body = assert_error(poll(student_api, **params), 400)
    assert "out_trade_no" in body["errors"]


def test_poll_of_an_unpaid_order_says_not_paid_yet(student_api, order):
    response = poll(student_api, out_trade_no=order.out_trade_no)

    assert response.status_code == 200, response.content  # Alipay unreachable: still answers
    body = response.json()
    assert body["status"] == 1 and body["msg"]
    assert body["order"]["out_trade_no"] == order.out_trade_no
    assert body["order"]["order_status"] == 0 and body["order"]["trade_no"] is None


def test_polling_asks_alipay_at_most_once_per_interval(student_api, order):
    for _ in range(3):
        assert poll(student_api, out_trade_no=order.out_trade_no).json()["status"] == 1
    assert PaymentEvent.objects.filter(order=order, kind="query").count() == 1


def test_poll_of_a_paid_order_shows_success(api, student_api, order):
    pay(api, order)

    response = poll(student_api, out_trade_no=order.out_trade_no)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == 0 and body["msg"]
    assert body["order"]["order_status"] == 1
    assert body["order"]["trade_no"] == "2026112622001400000000000001"
    assert body["order"]["pay_time"] == "2026-11-26T20:30:00+08:00"


def test_poll_with_correctly_signed_return_params(student_api, order):
    response = poll(student_api, **return_params(order))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == 1  # the return redirect is no proof of payment
    assert body["order"]["out_trade_no"] == order.out_trade_no
    event = PaymentEvent.objects.get(order=order, kind="return")
    assert event.verified is True and event.params["trade_no"] == "2026112622001400000000000001"


def test_poll_with_signed_return_params_of_a_paid_order(api, student_api, order):
    pay(api, order)
    body = poll(student_api, **return_params(order)).json()
    assert body["status"] == 0 and body["order"]["order_status"] == 1


@pytest.mark.parametrize("tamper", [
    pytest.param(lambda p: {**p, "sign": p["sign"][:-6] + "AAAAA="}, id="sign-mangled"),
    pytest.param(lambda p: {**p, "sign": "garbage"}, id="sign-garbage"),
    pytest.param(lambda p: {**p, "total_amount": "0.01"}, id="amount-changed"),
    pytest.param(lambda p: {**p, "trade_no": "2026112622001499999999999999"}, id="trade-no-changed"),
    pytest.param(lambda p: {**p, "sign_type": "RSA"}, id="sign-type-rsa1"),
])
def test_poll_with_badly_signed_return_params_is_400(student_api, order, tamper):
    response = poll(student_api, **tamper(return_params(order)))

    assert_error(response, 400)
    order.refresh_from_db()
    assert order.order_status == OrderStatus.UNPAID
    assert PaymentEvent.objects.get(order=order, kind="return").verified is False


def test_return_params_signed_for_another_app_are_400(student_api, order):
    params = return_params(order, app_id="2021000000009999")
    assert_error(poll(student_api, **params), 400)


# --- schema and docs ------------------------------------------------------------------------

def test_openapi_schema_describes_the_api(api, db):
    response = api.get("/api/schema/")
    assert response.status_code == 200, response.content[:300]
    schema = yaml.safe_load(response.content)
    assert str(schema["openapi"]).startswith("3.")
    for path in ("/api/order/pay/", "/api/order/success/", "/api/user/login/", "/api/course/"):
        assert path in schema["paths"], path
    assert "post" in schema["paths"]["/api/order/pay/"]


def test_api_docs_page_is_html(api, db):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"swagger" in response.content.lower()

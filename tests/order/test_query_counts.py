"""What the hot paths cost in queries: constant in the number of courses and orders, and exact
for the poll and the notify (a new query on those paths must be a decision, not an accident)."""
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.order.constants import OrderStatus
from apps.order.models import Order
from tests.alipay_fake import signed_notify
from tests.conftest import client_for, post_notify
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db


def sql(captured):
    return [q["sql"] for q in captured.captured_queries]


def buy(client, chosen):
    body = {"subject": "课程", "pay_type": 1, "courses": [c.pk for c in chosen],
            "total_amount": f"{sum(c.price for c in chosen):.2f}"}
    return client.post("/api/order/pay/", body, format="json")


def test_buy_now_costs_the_same_queries_for_1_and_20_courses():
    chosen = [CourseFactory(price=Decimal("10.00") + i) for i in range(20)]
    buyer = UserFactory()
    warm_up, one, twenty = client_for(UserFactory()), client_for(UserFactory()), client_for(buyer)
    assert buy(warm_up, chosen[:2]).status_code == 201  # per-process caches are not the point

    with CaptureQueriesContext(connection) as single:
        assert buy(one, chosen[:1]).status_code == 201
    with CaptureQueriesContext(connection) as many:
        assert buy(twenty, chosen).status_code == 201

    assert len(many) == len(single), sql(many)
    assert Order.objects.get(user=buyer).lines.count() == 20


@pytest.fixture
def orders_of(make_order):
    """orders_of(user, n): n unpaid orders of that user, one course each."""
    def make(user, count):
        return [make_order(user, [CourseFactory()]) for _ in range(count)]
    return make


def test_my_orders_cost_the_same_queries_for_1_and_50_orders(orders_of):
    few, many = UserFactory(), UserFactory()
    orders_of(few, 1)
    orders_of(many, 50)
    few_api, many_api = client_for(few), client_for(many)

    with CaptureQueriesContext(connection) as one_order:
        assert len(few_api.get("/api/order/", {"page_size": 50}).json()["results"]) == 1
    with CaptureQueriesContext(connection) as fifty_orders:
        answer = many_api.get("/api/order/", {"page_size": 50}).json()

    assert len(answer["results"]) == 50 and all(o["lines"] for o in answer["results"])
    assert len(fifty_orders) == len(one_order), sql(fifty_orders)


def test_admin_order_list_costs_the_same_queries_for_1_and_50_orders(admin_client, orders_of):
    orders_of(UserFactory(), 1)
    with CaptureQueriesContext(connection) as one_order:
        assert admin_client.get("/admin/order/order/").status_code == 200
    for _ in range(49):
        orders_of(UserFactory(), 1)
    with CaptureQueriesContext(connection) as fifty_orders:
        response = admin_client.get("/admin/order/order/")

    assert response.status_code == 200
    assert response.context["cl"].result_count == 50
    assert len(fifty_orders) == len(one_order), sql(fifty_orders)


def test_the_poll_of_a_paid_order_is_one_query(order, student, api, django_assert_num_queries):
    assert post_notify(api, signed_notify(order)).content == b"success"
    client = client_for(student)

    # The order, its owner (the token's check) and its lines with their courses: one read.
    with django_assert_num_queries(1):
        response = client.get("/api/order/success/", {"out_trade_no": order.out_trade_no})

    assert response.json()["order"]["order_status"] == OrderStatus.PAID
    assert [line["course_id"] for line in response.json()["order"]["lines"]] == [
        line.course_id for line in order.lines.order_by("id")]


def test_a_new_payment_by_notify_is_six_statements_in_a_transaction(order, api):
    with CaptureQueriesContext(connection) as notify:
        assert post_notify(api, signed_notify(order)).content == b"success"

    statements = [q["sql"].split()[0] for q in notify.captured_queries]
    # One transaction (a savepoint inside the test's own): the order under its lock (ORM); its
    # lines with the owned courses and the trade_no check (a prepared read); the transition's
    # update, the payment event, the transition's event and the grants (ORM writes).
    assert statements == ["SAVEPOINT", "SELECT", "SELECT", "UPDATE", "INSERT", "INSERT",
                          "INSERT", "RELEASE"], sql(notify)
    assert "FOR UPDATE" in notify.captured_queries[1]["sql"] or connection.vendor == "sqlite"
    assert Order.objects.get(pk=order.pk).order_status == OrderStatus.PAID


def test_a_duplicate_notify_is_two_statements_in_a_transaction(order, api):
    assert post_notify(api, signed_notify(order)).content == b"success"
    with CaptureQueriesContext(connection) as duplicate:
        assert post_notify(api, signed_notify(order)).content == b"success"
    assert [q["sql"].split()[0] for q in duplicate.captured_queries] == [
        "SAVEPOINT", "SELECT", "INSERT", "RELEASE"], sql(duplicate)

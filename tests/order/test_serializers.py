"""The order's written-out representation says exactly what DRF's declared fields would."""
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework import serializers

from apps.order import selectors
from apps.order.constants import OrderStatus
from apps.order.serializers import OrderSerializer, PayOrderSerializer
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db


def drf_representation(order):
    """What DRF makes of OrderSerializer's declared fields, field by field."""
    representation = serializers.ModelSerializer.to_representation(OrderSerializer(), order)
    return {**representation,
            "lines": [dict(line) for line in representation["lines"]]}


def test_unpaid_order_with_several_lines(make_order, student):
    chosen = [CourseFactory(price=Decimal("0.10")), CourseFactory(price=Decimal("1234567.80"))]
    order = selectors.order_get(out_trade_no=make_order(student, chosen).out_trade_no)

    written = OrderSerializer(order).data

    assert written == drf_representation(order)
    assert list(written) == OrderSerializer.Meta.fields  # the documented order of the keys
    assert written["total_amount"] == "1234567.90" and written["pay_time"] is None
    assert [line["price"] for line in written["lines"]] == ["0.10", "1234567.80"]


def test_paid_and_refunded_order(order):
    with transaction.atomic():
        order.order_status, order.trade_no = OrderStatus.PAID, "2026112622001400000000000001"
        order.pay_time = timezone.now() - timedelta(minutes=3)
        order.refund_amount, order.refund_time = order.total_amount, timezone.now()
        order.save()
        order.lines.filter(pk=order.lines.first().pk).update(refund_time=timezone.now())
    order = selectors.order_get(out_trade_no=order.out_trade_no)

    written = OrderSerializer(order).data

    assert written == drf_representation(order)
    assert written["pay_time"].endswith("+08:00") and written["order_status_display"] == "已支付"
    assert [line["refunded"] for line in written["lines"]] == [True, False]
    assert OrderSerializer([order], many=True).data == [drf_representation(order)]


def test_a_page_of_my_orders_says_what_drf_would(make_order, student):
    made = [make_order(student, [CourseFactory(), CourseFactory()]) for _ in range(3)]
    page = selectors.order_page_for_user(user=student, offset=0, limit=10)

    written = OrderSerializer(page, many=True).data

    by_orm = [selectors.order_get(out_trade_no=o.out_trade_no) for o in reversed(made)]
    assert written == [drf_representation(order) for order in by_orm]


def test_buy_now_input_shares_its_fields_but_not_its_answers():
    """The fields are built once per process; each request still gets only its own errors."""
    good = {"subject": "Python", "total_amount": "99.00", "pay_type": 1, "courses": [1, 2]}
    bad = {"subject": "a/b", "total_amount": 99, "pay_type": 2, "courses": [1, 1]}
    assert PayOrderSerializer().fields is PayOrderSerializer().fields

    def check(i):
        serializer = PayOrderSerializer(data=good if i % 2 else bad)
        if i % 2:
            assert serializer.is_valid(), serializer.errors
            assert serializer.validated_data["courses"] == [1, 2]
        else:
            assert not serializer.is_valid()
            assert set(serializer.errors) == {"subject", "total_amount", "pay_type", "courses"}
        return True

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(check, range(200)))

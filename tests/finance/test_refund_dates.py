"""A refund is compared on the day its provider's statement lists it.

WeChat's bill lists a refund on the day it was asked for, whatever day it completed; Alipay's
on the day it completed (at once). A WeChat refund asked for at 23:59:50 and completed after
midnight is therefore one refund on the first day, and nothing on the second: no difference on
either.
"""
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from apps.finance import services
from apps.finance.constants import LineKind
from apps.finance.models import StatementMismatch
from apps.order.constants import OrderStatus, PayType, RefundStatus
from apps.order.models import Order, OrderDetail
from apps.order.providers.alipay import AlipayProvider
from apps.order.providers.base import Bill, BillLine
from apps.order.providers.wechat import WechatProvider
from lib.al_pay.times import BEIJING
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 30)
ASKED = datetime(2026, 11, 30, 23, 59, 50, tzinfo=BEIJING)
DONE = datetime(2026, 12, 1, 0, 0, 10, tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def both_providers(settings):
    settings.PAYMENT_PROVIDERS = ["alipay", "wechat"]


def refunded_line(pay_type, *, asked=ASKED, done=DONE, status=RefundStatus.REFUNDED):
    """A paid order (paid long before the days compared) whose one line was refunded."""
    course = CourseFactory(price=Decimal("99.00"))
    order = Order.objects.create(
        user=UserFactory(), subject="退款", total_amount=course.price, pay_type=pay_type,
        out_trade_no=f"R{pay_type}{course.pk}", course_key=str(course.pk),
        order_status=OrderStatus.PAID, trade_no=f"T{pay_type}{course.pk}",
        pay_time=ASKED - timedelta(days=3), expire_time=ASKED - timedelta(days=3))
    line = OrderDetail.objects.create(
        order=order, course=course, price=course.price, real_price=course.price,
        refund_request_no=f"{order.out_trade_no}-1", refund_status=status,
        refund_requested_time=asked, refund_time=done if status == RefundStatus.REFUNDED else None)
    return order, line


def bill_with(*lines):
    return Bill(lines=list(lines))


def refund_row(order, line, when):
    return BillLine(kind=LineKind.REFUND, trade_no=order.trade_no, out_trade_no=order.out_trade_no,
                    out_request_no=line.refund_request_no, subject=order.subject,
                    created_at=when, finished_at=when, amount=line.real_price,
                    receipt_amount=line.real_price, raw={})


def reconcile(monkeypatch, provider_class, bill_date, bill):
    monkeypatch.setattr(provider_class, "statement", lambda self, *, bill_date: bill)
    report = services.statement_reconcile(bill_date=bill_date, provider=provider_class.name)
    return report, sorted(StatementMismatch.objects.filter(
        day__bill_date=bill_date, day__provider=provider_class.name).values_list("kind", "key"))


def test_a_wechat_refund_across_midnight_is_the_day_it_was_asked_for(monkeypatch):
    order, line = refunded_line(PayType.WECHAT)

    report, found = reconcile(monkeypatch, WechatProvider, DAY, bill_with(
        refund_row(order, line, ASKED)))
    assert found == [] and report["differences"] == 0
    report, found = reconcile(monkeypatch, WechatProvider, DAY + timedelta(days=1), bill_with())
    assert found == [] and report["differences"] == 0


def test_a_wechat_refund_still_processing_is_ours_on_the_day_it_was_asked_for(monkeypatch):
    order, line = refunded_line(PayType.WECHAT, status=RefundStatus.PROCESSING)
    report, found = reconcile(monkeypatch, WechatProvider, DAY, bill_with(
        refund_row(order, line, ASKED)))
    assert found == [] and report["differences"] == 0


def test_a_wechat_refund_missing_from_its_requests_day_is_still_a_difference(monkeypatch):
    refunded_line(PayType.WECHAT)
    _, found = reconcile(monkeypatch, WechatProvider, DAY, bill_with())
    assert [kind for kind, _ in found] == ["refund_missing_in_statement"]


def test_an_alipay_refund_is_the_day_it_completed(monkeypatch):
    order, line = refunded_line(PayType.ALIPAY)
    report, found = reconcile(monkeypatch, AlipayProvider, DAY, bill_with())
    assert found == [] and report["differences"] == 0
    report, found = reconcile(monkeypatch, AlipayProvider, DAY + timedelta(days=1), bill_with(
        refund_row(order, line, DONE)))
    assert found == [] and report["differences"] == 0

"""The admin's refund: nothing pre-selected, an empty choice refused, every step said first."""
import re
from decimal import Decimal

import pytest

from apps.course.models import UserCourse
from apps.order.constants import EventKind
from apps.order.models import Order, PaymentEvent
from tests.alipay_fake import signed_notify
from tests.conftest import post_notify

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/order/order/"


@pytest.fixture
def paid_order(api, make_order, student, courses):
    order = make_order(student, courses)  # 99.00 + 199.00 + 149.50
    assert post_notify(api, signed_notify(order)).content == b"success"
    return Order.objects.get(pk=order.pk)


def step(client, order, **fields):
    return client.post(CHANGELIST, {"action": "refund_orders", "_selected_action": [order.pk],
                                    **fields}, follow=True).content.decode()


def nothing_refunded(order, student):
    order.refresh_from_db()
    assert order.refund_amount == Decimal("0.00") and order.refund_time is None
    assert not order.lines.filter(refund_time__isnull=False).exists()
    assert UserCourse.objects.filter(user=student).count() == 3
    assert not PaymentEvent.objects.filter(kind__in=[EventKind.REFUND, EventKind.ADMIN]).exists()


def test_the_choice_page_ticks_nothing_and_offers_a_separate_full_refund(admin_client, paid_order,
                                                                         student):
    page = step(admin_client, paid_order)

    boxes = re.findall(r'<input type="checkbox" name="lines"[^>]*>', page)
    assert len(boxes) == 3 and not any("checked" in box for box in boxes)
    assert "退全部 · 共 ¥447.50" in page and "退所选课程" in page
    nothing_refunded(paid_order, student)


def test_an_empty_choice_is_refused_and_refunds_nothing(admin_client, paid_order, student):
    page = step(admin_client, paid_order, step="review")
    assert "没有选择任何课程，未退款" in page and "确认退款" not in page
    page = step(admin_client, paid_order, confirm="yes")  # even posted straight to the last step
    assert "没有选择任何课程，未退款" in page
    nothing_refunded(paid_order, student)


def test_the_review_states_lines_amount_and_what_the_order_keeps(admin_client, paid_order,
                                                                 courses, student):
    first, second, third = paid_order.lines.order_by("pk")
    page = step(admin_client, paid_order, step="review", lines=[first.pk, third.pk])

    lines = re.search(r'data-test="refund-lines">(.*?)</td>', page, re.S).group(1)
    kept = re.search(r'data-test="refund-kept">(.*?)</td>', page, re.S).group(1)
    assert courses[0].name in lines and courses[2].name in lines and courses[1].name not in lines
    assert "¥248.50" in re.search(r'data-test="refund-amount">(.*?)</td>', page, re.S).group(1)
    assert courses[1].name in kept and "共 ¥199.00" in kept
    assert "部分退款" in page and "确认退款 ¥248.50" in page
    nothing_refunded(paid_order, student)  # a review is not a refund


def test_refund_all_is_its_own_choice_and_states_the_total(admin_client, paid_order, student):
    page = step(admin_client, paid_order, all_of=str(paid_order.pk))

    assert "退全部" in page and "全额退款" in page and "确认退款 ¥447.50" in page
    assert "无（¥0.00）" in re.search(r'data-test="refund-kept">(.*?)</td>', page, re.S).group(1)
    nothing_refunded(paid_order, student)

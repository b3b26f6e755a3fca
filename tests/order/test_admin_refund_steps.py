"""The admin's refund: nothing pre-selected, an empty choice refused, every step said first."""
import re
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry

from apps.course.models import UserCourse
from apps.order.constants import EventKind, PayType, RefundStatus
from apps.order.models import Order, OrderDetail, PaymentEvent
from apps.order.providers.base import RefundFact, RefundState
from apps.order.providers.wechat import WechatProvider
from apps.order.services.orders import order_create
from apps.order.services.refunds import order_refund
from tests.alipay_fake import signed_notify
from tests.conftest import post_notify
from tests.wechat_fake import body_of, headers_for, post_wechat_notify, transaction
from tests.wechat_fake import refund as wx_refund
from utils.exceptions import Conflict

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


# --- a WeChat refund still processing is not chosen again; a failed one may be -----------------

@pytest.fixture
def wechat_paid(api, settings, student, courses, monkeypatch):
    """A paid WeChat order (99.00 + 199.00 + 149.50) whose refunds WeChat answers "processing"
    (as it does), each request recorded."""
    settings.PAYMENT_PROVIDERS = ["alipay", "wechat"]
    order, _ = order_create(user=student, course_ids=[c.pk for c in courses], subject="微信订单",
                            total_amount=Decimal("447.50"), pay_type=PayType.WECHAT)
    body = body_of(transaction(order))
    assert post_wechat_notify(api, body, headers_for(body)).status_code == 204
    asked = []

    def refund(self, *, out_trade_no, out_refund_no, amount, total):
        asked.append(out_refund_no)
        return RefundFact(state=RefundState.PROCESSING, out_trade_no=out_trade_no,
                          out_refund_no=out_refund_no, amount=amount,
                          params={"out_refund_no": out_refund_no, "status": "PROCESSING"})
    monkeypatch.setattr(WechatProvider, "refund", refund)
    order = Order.objects.get(pk=order.pk)
    order.asked = asked
    return order


def snapshot(order):
    return (list(order.lines.order_by("pk").values_list("refund_status", "refund_time",
                                                         "refund_request_no")),
            Order.objects.filter(pk=order.pk).values_list("refund_amount", "refund_time").get(),
            PaymentEvent.objects.count(), LogEntry.objects.count(),
            UserCourse.objects.filter(order=order).count())


@pytest.fixture
def one_line_processing(admin_client, wechat_paid):
    first = wechat_paid.lines.order_by("pk").first()
    done = step(admin_client, wechat_paid, confirm="yes", lines=[first.pk])
    assert "已提交退款，等待支付平台确认 (refund_processing)" in done
    first.refresh_from_db()
    assert first.refund_status == RefundStatus.PROCESSING and not first.is_refunded
    # When it was asked for: WeChat's bill lists the refund on that day (finance).
    assert first.refund_requested_time is not None and first.refund_time is None
    assert wechat_paid.asked == [f"{wechat_paid.out_trade_no}-{first.pk}"]
    return first


def test_a_processing_line_is_shown_as_refunding_and_cannot_be_ticked(
        admin_client, wechat_paid, one_line_processing, courses):
    page = step(admin_client, wechat_paid)

    boxes = re.findall(r'<input type="checkbox" name="lines" value="(\d+)"', page)
    others = [line.pk for line in wechat_paid.lines.order_by("pk")][1:]
    assert boxes == [str(pk) for pk in others]
    waiting = re.search(rf'data-line="{one_line_processing.pk}">(.*?)</li>', page, re.S).group(1)
    assert courses[0].name in waiting and "退款中" in waiting and "checkbox" not in waiting
    assert "退全部 · 共 ¥348.50" in page  # 199.00 + 149.50: the waiting 99.00 is not offered again


def test_refund_all_leaves_the_processing_line_out_and_does_not_call_it_kept(
        admin_client, wechat_paid, one_line_processing, courses):
    page = step(admin_client, wechat_paid, all_of=str(wechat_paid.pk))

    lines = re.search(r'data-test="refund-lines">(.*?)</td>', page, re.S).group(1)
    assert courses[0].name not in lines and courses[1].name in lines and courses[2].name in lines
    assert "确认退款 ¥348.50" in page
    assert "无（¥0.00）" in re.search(r'data-test="refund-kept">(.*?)</td>', page, re.S).group(1)


@pytest.mark.parametrize("fields", [{"step": "review"}, {"confirm": "yes"}],
                         ids=["review", "confirm"])
def test_posting_a_processing_line_is_refused_and_writes_nothing(
        admin_client, wechat_paid, one_line_processing, courses, fields):
    second = wechat_paid.lines.order_by("pk")[1]
    before = snapshot(wechat_paid)

    page = step(admin_client, wechat_paid, lines=[one_line_processing.pk, second.pk], **fields)

    assert f"「{courses[0].name}」正在退款中" in page and "不能再次退款" in page
    assert "确认退款" not in page
    assert snapshot(wechat_paid) == before  # not even the other, refundable line
    assert len(wechat_paid.asked) == 1      # WeChat was not asked again


def test_an_order_whose_remaining_lines_all_wait_is_skipped(admin_client, wechat_paid):
    done = step(admin_client, wechat_paid, confirm="yes",
                lines=list(wechat_paid.lines.values_list("pk", flat=True)))
    assert "已提交退款，等待支付平台确认 (refund_processing)" in done

    page = step(admin_client, wechat_paid)

    assert 'name="lines"' not in page and "退全部" not in page
    assert "剩余课程正在退款中" in page and wechat_paid.out_trade_no in page


def test_a_failed_refund_may_be_asked_again_with_the_same_refund_number(
        admin_client, api, wechat_paid, one_line_processing):
    line = one_line_processing
    body = body_of(wx_refund(wechat_paid, line, status="ABNORMAL"), "REFUND.ABNORMAL")
    assert post_wechat_notify(api, body, headers_for(body)).status_code == 204
    line.refresh_from_db()
    assert line.refund_status == RefundStatus.FAILED

    page = step(admin_client, wechat_paid)
    failed = re.search(rf'data-line="{line.pk}">(.*?)</li>', page, re.S).group(1)
    assert f'name="lines" value="{line.pk}"' in failed and "上次退款失败" in failed
    assert "退全部 · 共 ¥447.50" in page

    asked_first = OrderDetail.objects.get(pk=line.pk).refund_requested_time
    step(admin_client, wechat_paid, confirm="yes", lines=[line.pk])
    assert wechat_paid.asked == [f"{wechat_paid.out_trade_no}-{line.pk}"] * 2  # never a new one
    # The same refund at WeChat: still dated by its first request.
    assert OrderDetail.objects.get(pk=line.pk).refund_requested_time == asked_first


def test_the_refund_service_itself_refuses_a_processing_line(wechat_paid, one_line_processing):
    """Two staff members on the same order: the second confirm reaches the service."""
    with pytest.raises(Conflict, match="正在退款中"):
        order_refund(order=wechat_paid, line_ids=[one_line_processing.pk], actor="second")
    assert len(wechat_paid.asked) == 1


def test_a_refund_while_its_provider_is_switched_off_says_so_and_refunds_nothing(
        admin_client, wechat_paid, settings):
    settings.PAYMENT_PROVIDERS = ["alipay"]
    line = wechat_paid.lines.order_by("pk").first()
    before = snapshot(wechat_paid)

    done = step(admin_client, wechat_paid, confirm="yes", lines=[line.pk])

    messages = " ".join(re.findall(r'<li class="(?:error|warning|success|info)">(.*?)</li>', done))
    assert "微信支付未启用（PAYMENT_PROVIDERS）" in messages and "pay_type" not in messages
    assert wechat_paid.asked == []
    line.refresh_from_db()
    assert not line.is_refunded and line.refund_status == RefundStatus.NONE
    assert snapshot(wechat_paid)[:2] == before[:2]

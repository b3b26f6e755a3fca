"""Alipay's async notify: verified, checked, idempotent, plain-text `success`/`failure`."""
from datetime import datetime
from decimal import Decimal

import pytest

from apps.course.models import UserCourse
from apps.order.constants import OrderStatus
from apps.order.models import Order, PaymentEvent
from lib.al_pay.times import BEIJING
from tests.alipay_fake import notify_params, sign_params, signed_notify
from tests.conftest import post_notify

pytestmark = pytest.mark.django_db


def test_authentic_notify_pays_the_order_and_answers_exactly_success(api, order, student):
    paid_at = datetime(2026, 11, 26, 20, 31, 5, tzinfo=BEIJING)
    response = post_notify(api, signed_notify(order, paid_at=paid_at))

    assert response.status_code == 200
    assert response.content == b"success"
    assert response["Content-Type"].startswith("text/plain")
    order.refresh_from_db()
    assert order.order_status == OrderStatus.PAID
    assert order.trade_no == "2026112622001400000000000001"
    assert order.pay_time == paid_at  # gmt_payment is Beijing time, stored aware
    granted = set(UserCourse.objects.filter(user=student).values_list("course_id", flat=True))
    assert granted == set(order.lines.values_list("course_id", flat=True))


def test_duplicate_notify_answers_success_and_changes_nothing_more(api, order):
    params = signed_notify(order)
    assert post_notify(api, params).content == b"success"
    assert post_notify(api, params).content == b"success"
    transitions = PaymentEvent.objects.filter(order=order, kind="transition")
    assert transitions.count() == 1
    assert PaymentEvent.objects.filter(order=order, kind="notify", outcome="duplicate").count() == 1


@pytest.mark.parametrize("mutate", [
    pytest.param(lambda p: {**p, "total_amount": "0.01"}, id="amount-tampered-after-signing"),
    pytest.param(lambda p: {**p, "trade_status": "TRADE_SUCCESS", "sign": p["sign"][:-4] + "AAA="},
                 id="signature-mangled"),
    pytest.param(lambda p: {k: v for k, v in p.items() if k != "sign"}, id="signature-missing"),
    pytest.param(lambda p: {**p, "sign": "not base64 at all!!"}, id="signature-garbage"),
    pytest.param(lambda p: {**p, "sign_type": "RSA"}, id="sign-type-rsa1"),
    pytest.param(lambda p: {**p, "out_trade_no": "0" * 28}, id="order-no-swapped"),
])
def test_forged_or_tampered_notify_is_refused_and_changes_nothing(api, order, mutate):
    response = post_notify(api, mutate(signed_notify(order)))
    assert response.content == b"failure"
    order.refresh_from_db()
    assert order.order_status == OrderStatus.UNPAID and order.trade_no is None
    assert not UserCourse.objects.exists()
    assert not PaymentEvent.objects.filter(kind="transition").exists()


def test_notify_signed_with_another_key_is_refused(api, order, tmp_path):
    from lib.al_pay.keys import ensure_key_pair
    ensure_key_pair(tmp_path / "k.pem", tmp_path / "k.pub")
    params = sign_params(notify_params(order), private_key_file=tmp_path / "k.pem")
    assert post_notify(api, params).content == b"failure"
    order.refresh_from_db()
    assert order.order_status == OrderStatus.UNPAID


@pytest.mark.parametrize("overrides, outcome", [
    ({"app_id": "2021000000009999"}, "foreign_app_id"),
    ({"seller_id": "2088999999999999"}, "foreign_seller_id"),
    ({"total_amount": "1.00"}, "amount_mismatch"),
    ({"total_amount": "298.0001"}, "bad_amount"),
    ({"out_trade_no": "20260101000000000000unknown1"}, "unknown_order"),
    ({"trade_status": "SOMETHING_NEW"}, "unknown_trade_status"),
])
def test_authentic_but_inconsistent_notify_is_refused(api, order, overrides, outcome):
    response = post_notify(api, signed_notify(order, **overrides))
    assert response.content == b"failure"
    order.refresh_from_db()
    assert order.order_status == OrderStatus.UNPAID
    event = PaymentEvent.objects.get(kind="notify")
    assert event.outcome == outcome and event.verified is True


def test_notify_sent_as_json_is_refused(api, order):
    response = api.post("/api/order/success/", signed_notify(order), format="json")
    assert response.content == b"failure"
    order.refresh_from_db()
    assert order.order_status == OrderStatus.UNPAID


def test_wait_buyer_pay_notify_is_acknowledged_without_paying(api, order):
    assert post_notify(api, signed_notify(order, trade_status="WAIT_BUYER_PAY")).content == b"success"
    order.refresh_from_db()
    assert order.order_status == OrderStatus.UNPAID


def test_trade_finished_also_pays(api, order):
    assert post_notify(api, signed_notify(order, trade_status="TRADE_FINISHED")).content == b"success"
    order.refresh_from_db()
    assert order.order_status == OrderStatus.PAID


def test_late_trade_closed_never_moves_a_paid_order_back(api, order):
    post_notify(api, signed_notify(order))
    response = post_notify(api, signed_notify(order, trade_status="TRADE_CLOSED",
                                              notify_id="closed-1"))
    assert response.content == b"success"
    order.refresh_from_db()
    assert order.order_status == OrderStatus.PAID
    assert PaymentEvent.objects.get(outcome="closed_after_paid").flagged


def test_trade_closed_before_the_deadline_cancels_an_unpaid_order(api, order):
    post_notify(api, signed_notify(order, trade_status="TRADE_CLOSED"))
    order.refresh_from_db()
    assert order.order_status == OrderStatus.CANCELLED


def test_trade_closed_after_the_deadline_times_an_unpaid_order_out(api, order):
    from django.utils import timezone
    Order.objects.filter(pk=order.pk).update(expire_time=timezone.now())
    post_notify(api, signed_notify(order, trade_status="TRADE_CLOSED"))
    order.refresh_from_db()
    assert order.order_status == OrderStatus.TIMED_OUT


@pytest.mark.parametrize("closed_status", [OrderStatus.CANCELLED, OrderStatus.TIMED_OUT])
def test_money_for_a_closed_order_is_never_lost(api, order, closed_status):
    Order.objects.filter(pk=order.pk).update(order_status=closed_status)
    assert post_notify(api, signed_notify(order)).content == b"success"
    order.refresh_from_db()
    assert order.order_status == OrderStatus.PAID
    assert PaymentEvent.objects.get(kind="notify", outcome="paid_after_close").flagged
    assert UserCourse.objects.filter(order=order).count() == 2


def test_second_trade_for_a_paid_order_is_acknowledged_and_flagged(api, order):
    post_notify(api, signed_notify(order))
    response = post_notify(api, signed_notify(order, trade_no="2026112622001400000000000999"))
    assert response.content == b"success"
    order.refresh_from_db()
    assert order.trade_no == "2026112622001400000000000001"
    assert PaymentEvent.objects.get(outcome="paid_by_another_trade").flagged


def test_every_notify_is_kept_as_an_event_with_its_raw_parameters(api, order):
    params = signed_notify(order)
    post_notify(api, {**params, "sign": "forged"})
    post_notify(api, params)
    events = list(PaymentEvent.objects.filter(kind="notify").order_by("id"))
    assert [(e.verified, e.outcome) for e in events] == [(False, "bad_signature"), (True, "paid")]
    assert events[1].params["trade_no"] == params["trade_no"]
    assert events[1].notify_id == params["notify_id"]


def test_payment_events_are_append_only(api, order):
    post_notify(api, signed_notify(order))
    event = PaymentEvent.objects.first()
    event.outcome = "edited"
    with pytest.raises(ValueError):
        event.save()


def test_a_trade_number_already_used_by_another_order_is_refused(api, order, make_order,
                                                                  other_student):
    post_notify(api, signed_notify(order))
    second = make_order(other_student)
    assert post_notify(api, signed_notify(second)).content == b"failure"  # same trade_no
    second.refresh_from_db()
    assert second.order_status == OrderStatus.UNPAID
    assert PaymentEvent.objects.get(outcome="trade_no_of_another_order").flagged


def test_paying_for_a_course_already_owned_through_another_order_is_flagged(
        api, student, courses, make_order):
    both = make_order(student, courses[:2])
    Order.objects.filter(pk=both.pk).update(order_status=OrderStatus.TIMED_OUT)
    first_only = make_order(student, courses[:1])
    post_notify(api, signed_notify(first_only, trade_no="2026112622001400000000000011"))
    # The timed-out order's money arrives late: it must still be taken, and flagged.
    assert post_notify(api, signed_notify(both)).content == b"success"
    both.refresh_from_db()
    assert both.order_status == OrderStatus.PAID
    assert PaymentEvent.objects.get(order=both, outcome="course_already_owned").flagged
    assert UserCourse.objects.filter(user=student).count() == 2


@pytest.mark.parametrize("body, content_type", [
    (b"out_trade_no=1&sign=x", "text/plain"),
    (b'{"out_trade_no": "1"}', "application/json"),
    (b"&".join(b"f%d=1" % i for i in range(1500)), "application/x-www-form-urlencoded"),
])
def test_unreadable_notify_bodies_are_kept_and_refused(api, order, body, content_type):
    response = api.generic("POST", "/api/order/success/", body, content_type=content_type)
    assert response.content == b"failure"
    event = PaymentEvent.objects.get(kind="notify")
    assert event.outcome == "unparsable" and event.verified is False


def test_an_absurd_amount_is_refused_and_kept(api, order):
    params = signed_notify(order, total_amount="9" * 60)
    assert post_notify(api, params).content == b"failure"
    assert PaymentEvent.objects.get(kind="notify").outcome == "bad_amount"  # no two decimals: not an amount


@pytest.mark.parametrize("amount_text", [" 298.00", "298.00 ", "2.98e2", "+298.00", "298.0",
                                         "298", "２９８.００", "298,00", ""])
def test_a_signed_notify_whose_amount_is_not_two_decimals_is_refused_and_flagged(
        api, order, amount_text):
    assert order.total_amount == Decimal("298.00")  # most texts above mean 298 to a lax parser
    response = post_notify(api, signed_notify(order, total_amount=amount_text))

    assert response.content == b"failure"
    order.refresh_from_db()
    assert order.order_status == OrderStatus.UNPAID and order.trade_no is None
    assert not UserCourse.objects.exists()
    event = PaymentEvent.objects.get(kind="notify")
    assert (event.outcome, event.flagged, event.verified) == ("bad_amount", True, True)
    assert event.out_trade_no == order.out_trade_no and repr(amount_text) in event.detail
    assert not PaymentEvent.objects.filter(kind="transition").exists()

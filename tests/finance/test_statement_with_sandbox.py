"""A day at the sandbox, every kind of difference planted, reconciled against its real statement.

The sandbox is this module's own (its trades are the day's statement), the app is live, and
everything goes over HTTP with real signatures: buy, pay (page and wap), refunds, lost notifies.
"""
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.utils import timezone

from apps.course.models import UserCourse
from apps.finance.constants import LineKind, MismatchKind, MismatchStatus
from apps.finance.models import StatementDay, StatementLine, StatementMismatch
from apps.finance.services import beijing_day_bounds
from apps.order.constants import EventKind, OrderStatus
from apps.order.models import Order, PaymentEvent
from apps.order.providers.alipay import alipay_config
from apps.order.services.payments import payment_settle, payment_sync
from apps.order.services.refunds import order_refund
from lib.al_pay import client as alipay
from lib.al_pay.times import BEIJING
from tests.factories import CourseFactory

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]


def buy(client, course, channel="page"):
    response = client.post("/api/order/pay/", {
        "subject": "对账测试", "pay_type": 1, "courses": [course.pk], "channel": channel,
        "total_amount": f"{course.price:.2f}"}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def paid_at_sandbox(shop, client, course, channel="page", wait_for_notify=True):
    """Buy the course and pay at the sandbox's cashier; the order, once the notify paid it."""
    bought = buy(client, course, channel)
    status, page = shop.open(bought["pay_url"])
    assert status == 200, page
    shop.pay(bought["out_trade_no"])
    if wait_for_notify:
        shop.wait_for(lambda: Order.objects.get(out_trade_no=bought["out_trade_no"]).is_paid,
                      message="the notify")
    return Order.objects.get(out_trade_no=bought["out_trade_no"])


def snapshot():
    """Everything reconciliation may touch, as plain values."""
    return {
        "orders": [model_to_dict(o) for o in Order.objects.order_by("pk")],
        "events": list(PaymentEvent.objects.order_by("pk").values_list("pk", "outcome")),
        "days": [model_to_dict(d) for d in StatementDay.objects.order_by("pk")],
        "lines": list(StatementLine.objects.order_by("pk").values()),
        "mismatches": list(StatementMismatch.objects.order_by("pk").values()),
    }


def test_a_sandbox_day_with_every_kind_of_difference(shop, student_api, student):
    today = timezone.now().astimezone(BEIJING).date()
    price = iter(Decimal(p) for p in ("99.00", "149.50", "199.00", "79.00", "88.00", "120.00",
                                      "35.00"))
    course = lambda: CourseFactory(price=next(price))  # noqa: E731

    matched = paid_at_sandbox(shop, student_api, course())                 # a normal trade
    on_phone = paid_at_sandbox(shop, student_api, course(), channel="wap")  # normal, mobile cashier
    refunded = paid_at_sandbox(shop, student_api, course())                # refunded on both sides
    assert order_refund(order=refunded,
                        line_ids=[line.pk for line in refunded.lines.all()]) == "refunded"

    # Money Alipay took for an order number the shop never created.
    ghost = shop.add_extra_trade(out_trade_no="GHOST20261203000001", total_amount="66.00",
                                 subject="不明来款")

    # Paid here, never at Alipay (e.g. a mistaken settlement).
    phantom = buy(student_api, course())["out_trade_no"]
    assert payment_settle(out_trade_no=phantom, trade_no="2026LOCALONLY0001",
                          amount=Decimal("79.00"), paid_at=timezone.now(),
                          kind=EventKind.NOTIFY, params={}) == "paid"

    # A refund made at Alipay's console that the shop never recorded.
    console_refunded = paid_at_sandbox(shop, student_api, course())
    alipay.trade_refund(alipay_config(), out_trade_no=console_refunded.out_trade_no,
                        refund_amount=Decimal("30.00"), out_request_no="console-1")
    # A refund the shop recorded that never reached Alipay (the one line of the order).
    matched.lines.update(refund_time=timezone.now(), refund_request_no="lost-refund-1")
    Order.objects.filter(pk=matched.pk).update(refund_amount=Decimal("99.00"),
                                               refund_time=timezone.now())
    # Our books disagree with Alipay on a trade number and on an amount.
    Order.objects.filter(pk=on_phone.pk).update(trade_no="2026WRONGTRADENO0001")
    wrong_amount = paid_at_sandbox(shop, student_api, course())
    Order.objects.filter(pk=wrong_amount.pk).update(total_amount=Decimal("34.00"))

    # Paid at Alipay, but every notify is lost and every query fails: unpaid here.
    # (The faults stay on until the statement is reconciled: no notify may heal it first.)
    shop.set_faults(notify_drop=1000, query_fail=1000)
    lost = paid_at_sandbox(shop, student_api, course(), wait_for_notify=False)
    assert payment_sync(order=lost) == "unknown"
    assert Order.objects.get(pk=lost.pk).order_status == OrderStatus.UNPAID
    shop.wait_for(lambda: shop.trade(lost.out_trade_no)["notify_attempts"],
                  message="a dropped notify")
    assert Order.objects.get(pk=lost.pk).order_status == OrderStatus.UNPAID

    transitions_before = PaymentEvent.objects.filter(order=lost, kind=EventKind.TRANSITION).count()
    call_command("reconcile_statement", "--date", today.isoformat())

    day = StatementDay.objects.get(bill_date=today)
    found = {(m.kind, m.out_trade_no) for m in day.mismatches.all()}
    assert found == {
        (MismatchKind.PAID_NOT_RECORDED, lost.out_trade_no),
        (MismatchKind.UNKNOWN_TRADE, ghost["out_trade_no"]),
        (MismatchKind.MISSING_IN_STATEMENT, phantom),
        (MismatchKind.REFUND_NOT_RECORDED, console_refunded.out_trade_no),
        (MismatchKind.REFUND_MISSING_IN_STATEMENT, matched.out_trade_no),
        (MismatchKind.TRADE_NO_MISMATCH, on_phone.out_trade_no),
        (MismatchKind.AMOUNT_MISMATCH, wrong_amount.out_trade_no),
    }
    assert all(m.status == MismatchStatus.OPEN for m in day.mismatches.all())

    # The lost payment is settled once, through the notify's own code path, and flagged.
    lost.refresh_from_db()
    trade = shop.trade(lost.out_trade_no)
    assert lost.order_status == OrderStatus.PAID and lost.trade_no == trade["trade_no"]
    start, end = beijing_day_bounds(today)
    assert start <= lost.pay_time < end
    assert PaymentEvent.objects.filter(order=lost, kind=EventKind.TRANSITION).count() == \
        transitions_before + 1
    assert PaymentEvent.objects.filter(order=lost, kind=EventKind.STATEMENT, outcome="paid").exists()
    settled = day.mismatches.get(kind=MismatchKind.PAID_NOT_RECORDED)
    assert settled.settled and settled.order == lost and settled.provider_amount == Decimal("35.00")
    assert UserCourse.objects.filter(user=student, order=lost).exists()

    # The unknown trade is flagged, never settled: no order appears for it.
    assert not Order.objects.filter(out_trade_no=ghost["out_trade_no"]).exists()
    unknown = day.mismatches.get(kind=MismatchKind.UNKNOWN_TRADE)
    assert not unknown.settled and unknown.order is None and unknown.provider_amount == Decimal("66.00")
    assert PaymentEvent.objects.get(out_trade_no=ghost["out_trade_no"]).flagged

    # Nothing else moved money: the mismatched orders keep what they had.
    assert Order.objects.get(pk=wrong_amount.pk).total_amount == Decimal("34.00")
    assert Order.objects.get(pk=on_phone.pk).trade_no == "2026WRONGTRADENO0001"
    assert Order.objects.get(pk=console_refunded.pk).refund_amount == Decimal("0.00")

    # The statement's lines and totals: 7 trades paid at Alipay today (the ghost included),
    # 2 refunds (199.00 by the shop's admin, 30.00 at the console).
    lines = day.lines.all()
    assert lines.filter(kind=LineKind.TRADE).count() == 7 and day.provider_trade_count == 7
    assert lines.filter(kind=LineKind.REFUND).count() == 2 and day.provider_refund_count == 2
    assert day.provider_refund_amount == Decimal("229.00")
    assert day.provider_trade_amount == Decimal("99.00") + Decimal("149.50") + Decimal("199.00") + \
        Decimal("66.00") + Decimal("88.00") + Decimal("120.00") + Decimal("35.00")
    assert day.our_trade_count == 7  # 6 paid through the sandbox + the local-only one
    assert day.our_refund_amount == Decimal("298.00")  # 199.00 + the 99.00 Alipay never saw
    assert day.provider_net_amount == day.provider_trade_amount - day.provider_refund_amount

    # Running the same day again changes nothing at all.
    before = snapshot()
    call_command("reconcile_statement", "--date", today.isoformat())
    assert snapshot() == before

    # A difference a human marked resolved stays resolved on the next run.
    unknown.status = MismatchStatus.RESOLVED
    unknown.save()
    call_command("reconcile_statement", "--date", today.isoformat())
    assert StatementMismatch.objects.get(pk=unknown.pk).status == MismatchStatus.RESOLVED

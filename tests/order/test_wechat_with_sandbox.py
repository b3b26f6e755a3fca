"""The app against the local WeChat Pay sandbox: the unmodified SDK, real signatures both ways.

Buy (native QR and H5), pay at the sandbox, the notify or the poll or the reconcile pass
settles the order; cancel and supersede close the trade at WeChat first; a line refund ends
refunded after the refund notify (or a refund query); the daily trade bill is reconciled.
"""
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.course.models import UserCourse
from apps.finance.constants import DayState, MismatchKind
from apps.finance.models import StatementDay, StatementMismatch
from apps.order.constants import OrderStatus, RefundStatus
from apps.order.models import Order, PaymentEvent
from apps.order.services.reconcile import orders_reconcile
from apps.order.services.refunds import order_refund, refunds_sync
from lib.al_pay.times import BEIJING

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]


def buy(client, courses, channel=None, expect=(200, 201)):
    body = {"subject": "微信购买", "pay_type": 2, "courses": [c.pk for c in courses],
            "total_amount": str(sum((c.price for c in courses), Decimal("0.00")))}
    if channel:
        body["channel"] = channel
    response = client.post("/api/order/pay/", body, format="json")
    assert response.status_code in expect, response.json()
    return response.json()


def poll(client, out_trade_no):
    return client.get("/api/order/success/", {"out_trade_no": out_trade_no}).json()


def order_of(out_trade_no):
    return Order.objects.get(out_trade_no=out_trade_no)


def paid(out_trade_no):
    return order_of(out_trade_no).order_status == OrderStatus.PAID


def test_native_checkout_is_a_qr_code_and_the_notify_pays_the_order(wechat_shop, student_api,
                                                                    courses, student):
    from prometheus_client import REGISTRY
    calls = {"provider": "wechat", "api": "native"}
    before = REGISTRY.get_sample_value("luffy_payment_call_seconds_count", calls) or 0
    bought = buy(student_api, courses[:2])
    assert REGISTRY.get_sample_value("luffy_payment_call_seconds_count", calls) == before + 1
    assert bought["pay_type"] == 2 and bought["channel"] == "native"
    assert bought["code_url"] == bought["pay_url"]
    assert bought["total_amount"] == "298.00" and bought["expire_time"].endswith("+08:00")
    status, _, page = wechat_shop.get(bought["code_url"])
    assert status == 200 and "298.00" in page.decode()

    wechat_shop.pay(bought["out_trade_no"])
    wechat_shop.wait_for(lambda: paid(bought["out_trade_no"]), message="the notify")

    order = order_of(bought["out_trade_no"])
    trade = wechat_shop.trade(bought["out_trade_no"])
    assert order.trade_no == trade["transaction_id"] and order.pay_type == 2
    assert UserCourse.objects.filter(user=student).count() == 2
    assert poll(student_api, bought["out_trade_no"])["status"] == 0
    # WeChat got our deadline as time_expire (RFC 3339, whole seconds).
    assert int(trade["expires_at"]) == int(order.expire_time.timestamp())


def test_h5_checkout_returns_the_phone_to_the_result_page_and_ends_paid(wechat_shop, student_api,
                                                                        courses, live_server):
    bought = buy(student_api, courses[:1], channel="h5")
    assert bought["channel"] == "h5" and "code_url" not in bought
    query = parse_qs(urlsplit(bought["pay_url"]).query)
    # Marked as WeChat's H5 return: the page then asks the buyer instead of waiting a minute.
    result_page = (f"{live_server.url}/course/paysuccess?out_trade_no={bought['out_trade_no']}"
                   "&via=wechat_h5")
    assert query["redirect_url"] == [result_page]
    assert wechat_shop.get(bought["pay_url"])[0] == 200

    page = bought["pay_url"].split("?")[0]
    status, headers, _ = wechat_shop.press(f"{page}/pay", redirect_url=result_page)
    assert status == 302 and headers["Location"] == result_page
    wechat_shop.wait_for(lambda: paid(bought["out_trade_no"]), message="the notify")


def test_a_configured_return_url_with_a_query_of_its_own_keeps_it(wechat_shop, student_api,
                                                                   courses, settings):
    settings.WECHATPAY_REDIRECT_URL = "https://shop.example/course/paysuccess?from=h5&via=x"
    bought = buy(student_api, courses[:1], channel="h5")
    result_page = parse_qs(urlsplit(bought["pay_url"]).query)["redirect_url"][0]
    assert result_page.startswith("https://shop.example/course/paysuccess?")
    assert parse_qs(urlsplit(result_page).query, strict_parsing=True) == {
        "from": ["h5"], "out_trade_no": [bought["out_trade_no"]], "via": ["wechat_h5"]}


def test_after_cancelling_at_h5_the_first_poll_asks_wechat_and_leaves_the_order_open(
        wechat_shop, student_api, courses):
    # The result page asks the buyer at once when this one poll says "not paid": it must be
    # WeChat's answer (not just our own unpaid row), and `via` must change nothing.
    bought = buy(student_api, courses[:1], channel="h5")
    result_page = parse_qs(urlsplit(bought["pay_url"]).query)["redirect_url"][0]
    wechat_shop.press(f"{bought['pay_url'].split('?')[0]}/cancel", redirect_url=result_page)
    return_params = dict(parse_qs(urlsplit(result_page).query, strict_parsing=True))
    assert return_params == {"out_trade_no": [bought["out_trade_no"]], "via": ["wechat_h5"]}

    answer = student_api.get("/api/order/success/",
                             {key: value[0] for key, value in return_params.items()}).json()
    assert answer["status"] == 1 and answer["order"]["order_status"] == OrderStatus.UNPAID
    assert answer["order"]["pay_type"] == 2
    assert PaymentEvent.objects.filter(order=order_of(bought["out_trade_no"]), kind="query",
                                       outcome="wait_buyer_pay").count() == 1
    assert wechat_shop.trade(bought["out_trade_no"])["state"] == "NOTPAY"

    # Paying the same order after all (重新支付 → a fresh h5_url) still settles it.
    again = buy(student_api, courses[:1], channel="h5")
    assert again["out_trade_no"] == bought["out_trade_no"]
    wechat_shop.press(f"{again['pay_url'].split('?')[0]}/pay")
    wechat_shop.wait_for(lambda: paid(bought["out_trade_no"]), message="the notify")


def test_the_poll_heals_a_payment_whose_notifies_were_dropped(wechat_shop, student_api, courses):
    wechat_shop.set_faults(wechat_notify_drop=1000)
    bought = buy(student_api, courses[:1])
    wechat_shop.pay(bought["out_trade_no"])
    assert not paid(bought["out_trade_no"])
    answer = poll(student_api, bought["out_trade_no"])
    assert answer["status"] == 0 and answer["order"]["trade_no"]
    assert PaymentEvent.objects.filter(kind="query", outcome="paid", provider="wechat").exists()


def test_the_reconcile_pass_heals_a_dropped_notify_and_times_out_an_overdue_order(
        wechat_shop, student_api, courses):
    wechat_shop.set_faults(wechat_notify_drop=1000)
    lost = buy(student_api, courses[:1])
    wechat_shop.pay(lost["out_trade_no"])
    overdue = buy(student_api, courses[1:2])
    Order.objects.filter(out_trade_no=overdue["out_trade_no"]).update(
        expire_time=timezone.now() - timedelta(minutes=1))

    counts = orders_reconcile()

    assert counts["paid"] == 1 and counts["timed_out"] == 1
    assert paid(lost["out_trade_no"])
    assert order_of(overdue["out_trade_no"]).order_status == OrderStatus.TIMED_OUT
    assert wechat_shop.trade(overdue["out_trade_no"])["state"] == "CLOSED"  # closed there first


def test_cancel_closes_the_trade_at_wechat_first(wechat_shop, student_api, courses):
    bought = buy(student_api, courses[:1])
    response = student_api.post(f"/api/order/{bought['out_trade_no']}/cancel/")
    assert response.status_code == 200
    assert order_of(bought["out_trade_no"]).order_status == OrderStatus.CANCELLED
    assert wechat_shop.trade(bought["out_trade_no"])["state"] == "CLOSED"


def test_cancel_of_an_order_paid_at_wechat_settles_it_instead(wechat_shop, student_api, courses):
    wechat_shop.set_faults(wechat_notify_drop=1000)
    bought = buy(student_api, courses[:1])
    wechat_shop.pay(bought["out_trade_no"])
    response = student_api.post(f"/api/order/{bought['out_trade_no']}/cancel/")
    assert response.status_code == 409  # ORDER_PAID at close -> query -> settled
    assert paid(bought["out_trade_no"])


def test_switching_to_alipay_supersedes_the_open_wechat_order_after_closing_it(
        wechat_shop, shop, student_api, courses):
    first = buy(student_api, courses[:1])
    response = student_api.post("/api/order/pay/", {
        "subject": "改用支付宝", "pay_type": 1, "courses": [courses[0].pk],
        "total_amount": str(courses[0].price)}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["out_trade_no"] != first["out_trade_no"]
    assert order_of(first["out_trade_no"]).order_status == OrderStatus.CANCELLED
    assert wechat_shop.trade(first["out_trade_no"])["state"] == "CLOSED"


def test_buying_again_hands_out_the_same_order_or_a_new_one_when_wechat_refuses_it(
        wechat_shop, student_api, courses):
    first = buy(student_api, courses[:1])
    again = buy(student_api, courses[:1], expect=(200,))  # the same parameters: the same order
    assert again["out_trade_no"] == first["out_trade_no"]
    assert again["code_url"] == first["code_url"]
    # On the phone now: WeChat refuses the number with other parameters (OUT_TRADE_NO_USED), so
    # the open order is closed at WeChat and cancelled, and a new one opens.
    phone = buy(student_api, courses[:1], channel="h5", expect=(201,))
    assert phone["out_trade_no"] != first["out_trade_no"] and phone["channel"] == "h5"
    assert order_of(first["out_trade_no"]).order_status == OrderStatus.CANCELLED
    assert wechat_shop.trade(first["out_trade_no"])["state"] == "CLOSED"
    wechat_shop.pay(phone["out_trade_no"])
    wechat_shop.wait_for(lambda: paid(phone["out_trade_no"]), message="the notify")


def test_a_line_refund_is_processing_then_refunded_by_the_refund_notify(wechat_shop, student_api,
                                                                        courses, student):
    bought = buy(student_api, courses[:2])
    wechat_shop.pay(bought["out_trade_no"])
    wechat_shop.wait_for(lambda: paid(bought["out_trade_no"]), message="the notify")
    order = order_of(bought["out_trade_no"])
    line = order.lines.order_by("pk").first()

    assert order_refund(order=order, line_ids=[line.pk], actor="admin") == "refund_processing"
    line.refresh_from_db()
    assert line.refund_status in (RefundStatus.PROCESSING, RefundStatus.REFUNDED)

    def refunded():
        line.refresh_from_db()
        return line.refund_status == RefundStatus.REFUNDED
    wechat_shop.wait_for(refunded, message="the refund notify")
    order.refresh_from_db()
    assert order.refund_amount == line.real_price and order.is_paid
    assert not UserCourse.objects.filter(user=student, course_id=line.course_id).exists()
    refund = wechat_shop.trade(bought["out_trade_no"])["refunds"][0]
    assert refund["out_refund_no"] == f"{order.out_trade_no}-{line.pk}"


def test_a_refund_whose_notify_is_lost_is_settled_by_the_refund_query(wechat_shop, student_api,
                                                                      courses):
    bought = buy(student_api, courses[:1])
    wechat_shop.pay(bought["out_trade_no"])
    wechat_shop.wait_for(lambda: paid(bought["out_trade_no"]), message="the notify")
    wechat_shop.set_faults(wechat_notify_drop=1000)
    order = order_of(bought["out_trade_no"])
    line = order.lines.get()
    order_refund(order=order, line_ids=[line.pk])

    outputs = []

    def settled():  # what the operator's one pass (and the periodic job) does
        out = StringIO()
        call_command("reconcile_orders", stdout=out)
        outputs.append(out.getvalue())
        return order.lines.get().refund_status == RefundStatus.REFUNDED
    wechat_shop.wait_for(settled, timeout=15, interval=0.2, message="the refund query")
    assert "refunds checked 1, settled 1" in outputs[-1]
    assert refunds_sync() == {"refunds_checked": 0, "refunds_settled": 0}  # nothing left


def test_an_abnormal_refund_ends_failed_and_flagged(wechat_shop, student_api, courses):
    bought = buy(student_api, courses[:1])
    wechat_shop.pay(bought["out_trade_no"])
    wechat_shop.wait_for(lambda: paid(bought["out_trade_no"]), message="the notify")
    wechat_shop.set_faults(wechat_refund_abnormal=1)
    order = order_of(bought["out_trade_no"])
    order_refund(order=order, line_ids=[order.lines.get().pk])
    wechat_shop.wait_for(lambda: order.lines.get().refund_status == RefundStatus.FAILED,
                         message="the REFUND.ABNORMAL notify")
    assert PaymentEvent.objects.filter(order=order, outcome="refund_failed", flagged=True).exists()
    order.refresh_from_db()
    assert order.refund_amount == 0


def test_the_trade_bill_is_reconciled_and_a_planted_unknown_trade_is_flagged_never_settled(
        wechat_shop, student_api, courses):
    bought = buy(student_api, courses[:1])
    wechat_shop.pay(bought["out_trade_no"])
    wechat_shop.wait_for(lambda: paid(bought["out_trade_no"]), message="the notify")
    order = order_of(bought["out_trade_no"])
    line = order.lines.get()
    order_refund(order=order, line_ids=[line.pk])
    wechat_shop.wait_for(lambda: order.lines.get().refund_status == RefundStatus.REFUNDED,
                         message="the refund notify")
    wechat_shop.set_faults(wechat_notify_drop=1000)
    lost = buy(student_api, courses[1:2])
    wechat_shop.pay(lost["out_trade_no"])  # paid at WeChat, never told: the bill settles it
    ghost = "20261204999999999900000001"
    wechat_shop.plant_bill_trade(out_trade_no=ghost, total_fen=6600)
    today = timezone.now().astimezone(BEIJING).date()

    # Today is not over: since the statement-day states (issue 17), only a provisional run.
    call_command("reconcile_statement", "--date", today.isoformat(), "--provider", "wechat",
                 "--provisional")

    day = StatementDay.objects.get(provider="wechat", bill_date=today)
    assert day.state == DayState.PROVISIONAL
    kinds = dict(StatementMismatch.objects.filter(day=day).values_list("out_trade_no", "kind"))
    assert kinds[ghost] == MismatchKind.UNKNOWN_TRADE
    assert not Order.objects.filter(out_trade_no=ghost).exists()
    assert kinds[lost["out_trade_no"]] == MismatchKind.PAID_NOT_RECORDED and paid(lost["out_trade_no"])
    assert bought["out_trade_no"] not in kinds  # matched exactly: the payment and its refund
    assert f"{bought['out_trade_no']}/{bought['out_trade_no']}-{line.pk}" not in \
        set(StatementMismatch.objects.filter(day=day).values_list("key", flat=True))
    refund_line = day.lines.get(kind="refund", out_request_no=f"{order.out_trade_no}-{line.pk}")
    assert refund_line.amount == line.real_price and day.our_refund_count == 1
    # (The module's sandbox also billed the other tests' trades of today: unknown here too.)
    amounts = dict(day.lines.values_list("out_trade_no", "amount"))
    assert amounts[bought["out_trade_no"]] == courses[0].price
    assert amounts[lost["out_trade_no"]] == courses[1].price and amounts[ghost] == Decimal("66.00")
    assert day.our_trade_count == 2 and day.provider_trade_count == len(amounts)
    # Again: the same differences, nothing new written.
    before = (PaymentEvent.objects.count(), StatementMismatch.objects.count())
    call_command("reconcile_statement", "--date", today.isoformat(), "--provider", "wechat",
                 "--provisional")
    assert (PaymentEvent.objects.count(), StatementMismatch.objects.count()) == before


@pytest.mark.parametrize(("pay_type", "channel"), [(1, "native"), (1, "h5"), (2, "page"),
                                                   (2, "wap"), (2, "qr")])
def test_a_channel_of_another_pay_type_is_a_400_naming_the_field(wechat_shop, student_api,
                                                                 courses, pay_type, channel):
    response = student_api.post("/api/order/pay/", {
        "subject": "x", "pay_type": pay_type, "courses": [courses[0].pk], "channel": channel,
        "total_amount": str(courses[0].price)}, format="json")
    assert response.status_code == 400 and "channel" in response.json()["errors"]
    assert not Order.objects.exists()


def test_a_disabled_provider_is_a_400_naming_pay_type(wechat_shop, student_api, courses,
                                                      settings):
    settings.PAYMENT_PROVIDERS = ["alipay"]
    response = student_api.post("/api/order/pay/", {
        "subject": "x", "pay_type": 2, "courses": [courses[0].pk],
        "total_amount": str(courses[0].price)}, format="json")
    assert response.status_code == 400 and "pay_type" in response.json()["errors"]
    assert not Order.objects.exists()


def test_certificate_mode_fetches_the_platform_certificate_and_verifies_answers_with_it(
        wechat_shop, settings, tmp_path, student_api, courses):
    settings.WECHATPAY_CERT_DIR = str(tmp_path / "certs")
    call_command("wechat_certificates")
    assert len(list((tmp_path / "certs").glob("*.pem"))) == 1
    bought = buy(student_api, courses[:1])  # the prepay answer is verified with the certificate
    wechat_shop.pay(bought["out_trade_no"])
    # This sandbox signs notifies with its public key id, which certificate mode does not know:
    # they are refused (unknown_serial), and the poll's query, verified by the certificate, heals.
    wechat_shop.wait_for(lambda: PaymentEvent.objects.filter(outcome="unknown_serial").exists(),
                         message="a refused notify")
    assert poll(student_api, bought["out_trade_no"])["status"] == 0


def test_the_admin_refund_action_says_a_wechat_refund_is_waiting_then_it_settles(
        wechat_shop, student_api, courses, admin_client):
    wechat_shop.set_faults(wechat_notify_drop=1000)
    bought = buy(student_api, courses[:1])
    wechat_shop.pay(bought["out_trade_no"])
    order = order_of(bought["out_trade_no"])
    queried = admin_client.post("/admin/order/order/", {
        "action": "query_orders", "_selected_action": [order.pk]}, follow=True)
    assert "已向微信支付查询 (paid)" in queried.content.decode()  # the admin's query asks WeChat
    wechat_shop.reset_faults()
    line = order.lines.get()
    done = admin_client.post("/admin/order/order/", {
        "action": "refund_orders", "_selected_action": [order.pk], "confirm": "yes",
        "lines": [line.pk]}, follow=True)
    assert "已提交退款，等待支付平台确认 (refund_processing)" in done.content.decode()
    wechat_shop.wait_for(lambda: order.lines.get().refund_status == RefundStatus.REFUNDED,
                         message="the refund notify")
    assert PaymentEvent.objects.filter(order=order, kind="admin", actor__isnull=False).count() == 2

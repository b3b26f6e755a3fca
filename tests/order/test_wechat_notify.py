"""WeChat Pay's notify: verified over the raw body, decrypted, checked, idempotent; 204 or FAIL.

Every refusal (bad signature, unknown serial, stale timestamp, tampered ciphertext, foreign
mchid or appid, amount mismatch, replay after the window, another provider's order) changes
nothing: no transition, no grant, no order field; only the refused notify is kept as an event
(an unverified one as a bounded excerpt).
"""
import json
import time
from decimal import Decimal
from pathlib import Path

import pytest

from apps.course.models import UserCourse
from apps.order.constants import OrderStatus, PayType, RefundStatus
from apps.order.models import Order, PaymentEvent
from apps.order.services import orders
from tests.wechat_fake import body_of, headers_for, post_wechat_notify, refund, transaction

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def wechat_on(settings):
    settings.PAYMENT_PROVIDERS = ["alipay", "wechat"]


@pytest.fixture
def wx_order(student, courses):
    order, _ = orders.order_create(
        user=student, course_ids=[courses[0].pk, courses[2].pk], subject="微信订单",
        total_amount=Decimal("248.50"), pay_type=PayType.WECHAT)
    return order


def _snapshot():
    return (list(Order.objects.values_list("out_trade_no", "order_status", "trade_no", "pay_time",
                                           "refund_amount").order_by("pk")),
            UserCourse.objects.count(),
            PaymentEvent.objects.exclude(kind="notify").count())


def _notify(api, resource, event_type="TRANSACTION.SUCCESS", **sign):
    body = body_of(resource, event_type)
    return post_wechat_notify(api, body, headers_for(body, **sign))


def test_an_authentic_payment_notify_pays_the_order_and_answers_204(api, wx_order, student):
    response = _notify(api, transaction(wx_order))
    assert response.status_code == 204 and response.content == b""
    wx_order.refresh_from_db()
    assert wx_order.order_status == OrderStatus.PAID
    assert wx_order.trade_no == "4200002026120400000000000001"
    assert wx_order.pay_time.isoformat() == "2026-12-04T12:30:05+00:00"  # +08:00 converted
    assert set(UserCourse.objects.filter(user=student).values_list("course_id", flat=True)) == \
        set(wx_order.lines.values_list("course_id", flat=True))
    event = PaymentEvent.objects.get(order=wx_order, kind="notify")
    assert event.provider == "wechat" and event.verified and event.outcome == "paid"
    assert event.notify_id == "EV-2026120420300500001"


def test_a_duplicate_or_replayed_notify_answers_204_and_moves_nothing_again(api, wx_order):
    resource = transaction(wx_order)
    body = body_of(resource)
    headers = headers_for(body)
    assert post_wechat_notify(api, body, headers).status_code == 204
    before = _snapshot()
    assert post_wechat_notify(api, body, headers).status_code == 204  # the same bytes again
    assert _snapshot() == before
    assert PaymentEvent.objects.filter(order=wx_order, kind="transition").count() == 1
    assert PaymentEvent.objects.filter(order=wx_order, outcome="duplicate").count() == 1


def _tampered(body: bytes) -> bytes:
    return body.replace(b'"ciphertext": "', b'"ciphertext": "AAAA', 1)


REFUSALS = {  # case: the outcome the refusal is recorded with
    "bad_signature": "bad_signature", "unknown_serial": "unknown_serial",
    "stale_timestamp": "stale_timestamp", "tampered_ciphertext": "undecryptable",
    "foreign_mchid": "foreign_mchid", "foreign_appid": "foreign_app_id",
    "amount_mismatch": "amount_mismatch", "another_provider_order": "unknown_order",
    "unknown_order": "unknown_order", "replay_after_the_window": "stale_timestamp",
    "signature_type": "bad_signature_type", "probe": "probe"}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_every_forged_altered_or_foreign_notify_is_refused_and_changes_nothing(
        api, wx_order, make_order, student, courses, tmp_path, case):
    alipay_order = make_order(student, [courses[1]]) if case == "another_provider_order" else None
    resource = transaction(alipay_order or wx_order)
    sign = {}
    if case == "foreign_mchid":
        resource["mchid"] = "1900000999"
    if case == "foreign_appid":
        resource["appid"] = "wx00000000000999"
    if case == "amount_mismatch":
        resource["amount"]["total"] = 1
    if case == "unknown_order":
        resource["out_trade_no"] = "20261204000000000000000000001"
    body = body_of(resource)
    if case == "bad_signature":
        from lib.al_pay.keys import ensure_key_pair
        ensure_key_pair(tmp_path / "k.pem", tmp_path / "k.pub")
        sign["key_file"] = tmp_path / "k.pem"
    if case == "unknown_serial":
        sign["serial"] = "PUB_KEY_ID_0119000000000000000000000000000"
    if case in ("stale_timestamp", "replay_after_the_window"):
        sign["timestamp"] = 1_000_000_000 if case == "stale_timestamp" else int(time.time()) - 301
    headers = headers_for(body, **sign)
    if case == "tampered_ciphertext":
        body = _tampered(body)
        headers = headers_for(body)  # signed after tampering: only the AES-GCM tag catches it
    if case == "signature_type":
        headers["HTTP_WECHATPAY_SIGNATURE_TYPE"] = "WECHATPAY2-SHA256-RSA1024"
    if case == "probe":
        headers["HTTP_WECHATPAY_SIGNATURE"] = "WECHATPAY/SIGNTEST/" + "A" * 40
    before = _snapshot()

    response = post_wechat_notify(api, body, headers)

    assert 400 <= response.status_code < 600, response.content
    assert response.json()["code"] == "FAIL" and response.json()["message"]
    assert _snapshot() == before  # no order, grant or other event changed
    refused = PaymentEvent.objects.get(kind="notify")
    assert refused.provider == "wechat" and refused.outcome == REFUSALS[case]
    if refused.verified is False:  # anyone can post it: kept bounded
        assert set(refused.params) == {"excerpt", "size", "sha256", "truncated"}


def test_an_oversized_notify_is_refused_before_it_is_read(api, wx_order):
    body = b'{"x": "' + b"A" * 20000 + b'"}'
    response = post_wechat_notify(api, body, headers_for(body))
    assert response.status_code == 413
    assert not PaymentEvent.objects.exists()


def test_a_notify_while_wechat_pay_is_disabled_is_refused(api, wx_order, settings):
    settings.PAYMENT_PROVIDERS = ["alipay"]
    response = _notify(api, transaction(wx_order))
    assert response.status_code == 404 and response.json()["code"] == "FAIL"
    wx_order.refresh_from_db()
    assert wx_order.order_status == OrderStatus.UNPAID



def test_wechatpay_gos_published_notify_is_verified_then_refused_and_changes_nothing(
        api, wx_order, settings, tmp_path, monkeypatch):
    """A notify signed with a key we did not make (fixtures/wechatpay/go_notify_vector.json),
    POSTed as WeChat would, in certificate mode at the moment it was signed: its signature is
    accepted, its PAYSCORE event is not, and it is kept as a verified refusal."""
    from types import SimpleNamespace

    import lib.wx_pay.notify as wx_notify
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "wechatpay"
    vector = json.loads((fixtures / "go_notify_vector.json").read_text(encoding="utf-8"))
    (tmp_path / vector["certificate_file"]).write_bytes(
        (fixtures / vector["certificate_file"]).read_bytes())
    settings.WECHATPAY_CERT_DIR = str(tmp_path)
    signed_at = int(vector["headers"]["Wechatpay-Timestamp"])
    monkeypatch.setattr(wx_notify, "time", SimpleNamespace(time=lambda: signed_at))
    headers = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in vector["headers"].items()}
    headers["HTTP_WECHATPAY_SIGNATURE_TYPE"] = "WECHATPAY2-SHA256-RSA2048"  # not signed
    before = _snapshot()

    response = post_wechat_notify(api, vector["body"].encode("utf-8"), headers)

    assert response.status_code == 400 and response.json()["code"] == "FAIL"
    assert _snapshot() == before
    kept = PaymentEvent.objects.get(kind="notify")
    assert (kept.provider, kept.outcome, kept.verified) == ("wechat", "unknown_event_type", True)

def _paid_with_a_processing_refund(api, wx_order):
    assert _notify(api, transaction(wx_order)).status_code == 204
    wx_order.refresh_from_db()
    line = wx_order.lines.order_by("pk").first()
    line.refund_status = RefundStatus.PROCESSING
    line.refund_request_no = f"{wx_order.out_trade_no}-{line.pk}"
    line.save(update_fields=["refund_status", "refund_request_no"])
    return line


def test_a_refund_notify_settles_the_line_and_takes_the_course_back(api, wx_order, student):
    line = _paid_with_a_processing_refund(api, wx_order)
    response = _notify(api, refund(wx_order, line), "REFUND.SUCCESS")
    assert response.status_code == 204
    line.refresh_from_db()
    wx_order.refresh_from_db()
    assert line.refund_status == RefundStatus.REFUNDED and line.refund_time is not None
    assert wx_order.refund_amount == line.real_price and wx_order.is_paid
    assert not UserCourse.objects.filter(user=student, course_id=line.course_id).exists()
    # Re-sent: acknowledged, nothing moves twice.
    assert _notify(api, refund(wx_order, line), "REFUND.SUCCESS").status_code == 204
    wx_order.refresh_from_db()
    assert wx_order.refund_amount == line.real_price


@pytest.mark.parametrize("status", ["ABNORMAL", "CLOSED"])
def test_a_failed_refund_notify_marks_the_line_failed_and_flags_it(api, wx_order, student, status):
    line = _paid_with_a_processing_refund(api, wx_order)
    assert _notify(api, refund(wx_order, line, status=status), f"REFUND.{status}").status_code == 204
    line.refresh_from_db()
    wx_order.refresh_from_db()
    assert line.refund_status == RefundStatus.FAILED and line.refund_time is None
    assert wx_order.refund_amount == 0
    assert UserCourse.objects.filter(user=student, course_id=line.course_id).exists()
    assert PaymentEvent.objects.filter(order=wx_order, outcome="refund_failed", flagged=True).exists()


def test_a_refund_notify_of_another_amount_is_refused_and_changes_nothing(api, wx_order):
    line = _paid_with_a_processing_refund(api, wx_order)
    resource = refund(wx_order, line)
    resource["amount"]["refund"] = 1
    before = _snapshot()
    response = _notify(api, resource, "REFUND.SUCCESS")
    assert response.status_code == 400
    line.refresh_from_db()
    assert line.refund_status == RefundStatus.PROCESSING
    assert _snapshot()[:2] == before[:2]


def test_trade_numbers_are_unique_per_provider(api, wx_order, make_order, student, courses,
                                               other_student):
    from tests.alipay_fake import signed_notify
    from tests.conftest import post_notify
    alipay_order = make_order(student, [courses[1]])
    number = "4200002026120400000000000001"  # the same digits at both providers
    assert post_notify(api, signed_notify(alipay_order, trade_no=number)).content == b"success"
    assert _notify(api, transaction(wx_order, transaction_id=number)).status_code == 204
    assert Order.objects.filter(trade_no=number, order_status=OrderStatus.PAID).count() == 2
    # Within one provider it still settles one order only.
    other, _ = orders.order_create(user=other_student, course_ids=[courses[1].pk], subject="x",
                                   total_amount=courses[1].price, pay_type=PayType.WECHAT)
    assert _notify(api, transaction(other, transaction_id=number)).status_code == 400
    other.refresh_from_db()
    assert other.order_status == OrderStatus.UNPAID

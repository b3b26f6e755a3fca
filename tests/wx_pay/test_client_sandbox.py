"""The client over the unmodified SDK, end to end against the sandbox, in both verification modes."""
import time
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html import escape
from urllib.parse import quote

import pytest

from lib.wx_pay.client import OrderPaidError, WechatPayClient
from lib.wx_pay.errors import WechatPayError
from lib.wx_pay.keys import generate_key_pair_pem
from lib.wx_pay.notify import PaymentNotify, RefundNotify
from lib.wx_pay.statement import parse_trade_bill
from lib.wx_pay.times import BEIJING

from .conftest import public_key_config

pytestmark = pytest.mark.sandbox


def new_otn() -> str:
    return "LF" + uuid.uuid4().hex[:24]


def later(minutes=30) -> datetime:
    return datetime.now(UTC) + timedelta(minutes=minutes)


def open_order(client, otn=None, total_fen=9900) -> str:
    otn = otn or new_otn()
    client.native(out_trade_no=otn, description="Python 全栈 · 第 1 期", total_fen=total_fen,
                  time_expire=later())
    return otn


def paid_order(client, sandbox, total_fen=9900) -> str:
    otn = open_order(client, total_fen=total_fen)
    sandbox.pay(otn)
    return otn


def test_native_page_scan_query_and_notify(client, sandbox, receiver, pk_config):
    otn = new_otn()
    code_url = client.native(out_trade_no=otn, description="Python 全栈", total_fen=9900,
                             time_expire=later())
    assert code_url.startswith(sandbox.url + "/wechat/native/")
    status, _, page = sandbox.get(code_url)
    html = page.decode()
    assert status == 200 and "模拟扫码支付" in html and "Python 全栈" in html and "¥99.00" in html
    assert 'src="data:image/svg+xml' in html  # the QR code is drawn server-side

    opened = client.query(otn)
    assert (opened.trade_state, opened.transaction_id, opened.paid) == ("NOTPAY", None, False)

    status, _, _ = sandbox.press(code_url + "/pay")  # the page's button
    assert status == 200
    paid = client.query(otn)
    assert (paid.trade_state, paid.total_fen, paid.amount, paid.paid) == (
        "SUCCESS", 9900, Decimal("99.00"), True)
    assert paid.success_time.utcoffset() == timedelta(hours=8)
    assert client.query_by_transaction_id(paid.transaction_id).out_trade_no == otn

    notify = sandbox.wait_for(lambda: receiver.notifies(pk_config, otn), message="notify")[0]
    assert isinstance(notify, PaymentNotify)
    assert (notify.transaction_id, notify.total_fen, notify.event_type) == (
        paid.transaction_id, 9900, "TRANSACTION.SUCCESS")
    attempts = sandbox.trade(otn)["notify_attempts"]
    assert [a["outcome"] for a in attempts] == ["success"]


def test_h5_cashier_returns_to_redirect_url(client, sandbox):
    otn = new_otn()
    h5_url = client.h5(out_trade_no=otn, description="Linux 运维", total_fen=1, time_expire=later(),
                       payer_client_ip="203.0.113.7")
    back = "http://127.0.0.1:8000/pay/result?out_trade_no=" + otn
    page_url = h5_url + "&redirect_url=" + quote(back, safe="")
    status, _, page = sandbox.get(page_url)
    html = page.decode()
    assert status == 200 and "确认支付" in html and "取消" in html and "¥0.01" in html
    assert f'name="redirect_url" value="{escape(back)}"' in html  # the form carries it back
    pay_url = sandbox.url + "/wechat/h5/" + otn + "/pay"
    status, headers, _ = sandbox.press(pay_url, redirect_url=back)
    assert (status, headers["Location"]) == (302, back)
    assert client.query(otn).trade_state == "SUCCESS"


def test_query_unknown_order_is_none(client):
    assert client.query(new_otn()) is None


def test_close_unpaid_then_again_then_paid(client, sandbox):
    otn, expire = new_otn(), later()
    order = dict(out_trade_no=otn, description="课程", total_fen=9900, time_expire=expire)
    client.native(**order)
    assert client.close(otn) is None  # the 204 is signed: the SDK verified it
    assert client.query(otn).trade_state == "CLOSED"
    client.close(otn)  # closing twice is harmless
    with pytest.raises(WechatPayError) as caught:
        client.native(**order)  # the very same prepay again (a different one is "used")
    assert caught.value.code == "ORDER_CLOSED"

    paid = paid_order(client, sandbox)
    with pytest.raises(OrderPaidError) as caught:
        client.close(paid)
    assert caught.value.order_paid and not caught.value.unknown

    with pytest.raises(WechatPayError) as caught:
        client.close(new_otn())
    assert caught.value.code == "ORDER_NOT_EXIST"


def test_close_answer_with_a_wrong_signature_concludes_nothing(client, sandbox):
    otn = open_order(client)
    sandbox.set_faults(wechat_bad_signature=1)
    with pytest.raises(WechatPayError) as caught:
        client.close(otn)
    assert (caught.value.code, caught.value.unknown) == ("BAD_SIGNATURE", True)


def test_sdk_refuses_an_answer_with_a_wrong_signature(client, sandbox):
    otn = open_order(client)
    sandbox.set_faults(wechat_bad_signature=1)
    with pytest.raises(WechatPayError) as caught:
        client.query(otn)
    assert (caught.value.code, caught.value.unknown) == ("BAD_SIGNATURE", True)
    assert client.query(otn).trade_state == "NOTPAY"  # the next, honest answer verifies


def test_bad_merchant_signature_is_sign_error(sandbox, pk_config):
    stranger = WechatPayClient(public_key_config(
        sandbox, pk_config.notify_url, private_key_pem=generate_key_pair_pem()[0].decode()))
    with pytest.raises(WechatPayError) as caught:
        stranger.query(new_otn())
    assert (caught.value.code, caught.value.status, caught.value.unknown) == (
        "SIGN_ERROR", 401, False)


def test_fault_switches_answer_system_error(client, sandbox):
    otn = open_order(client)
    sandbox.set_faults(wechat_query_fail=1, wechat_close_fail=1)
    for call in (client.query, client.close):
        with pytest.raises(WechatPayError) as caught:
            call(otn)
        assert (caught.value.code, caught.value.status, caught.value.unknown) == (
            "SYSTEM_ERROR", 500, True)
    assert sandbox.faults()["wechat_query_fail"] == 0


def test_network_error_concludes_nothing(pk_config):
    calls = []
    closed = WechatPayClient(replace(pk_config, gateway="http://127.0.0.1:9", timeout=2),
                             on_call=lambda api, seconds, code: calls.append((api, code)))
    with pytest.raises(WechatPayError) as caught:
        closed.query(new_otn())
    assert (caught.value.code, caught.value.unknown) == ("TRANSPORT", True)
    assert calls == [("query", "TRANSPORT")]


def test_reprepay_same_params_same_url_other_params_refused(client):
    otn, expire = new_otn(), later()
    first = client.native(out_trade_no=otn, description="课程", total_fen=100, time_expire=expire)
    assert client.native(out_trade_no=otn, description="课程", total_fen=100,
                         time_expire=expire) == first
    with pytest.raises(WechatPayError) as caught:
        client.native(out_trade_no=otn, description="课程", total_fen=101, time_expire=expire)
    assert (caught.value.code, caught.value.status) == ("OUT_TRADE_NO_USED", 403)


def test_expired_order_cannot_be_paid(client, sandbox):
    otn = new_otn()
    client.native(out_trade_no=otn, description="课程", total_fen=100,
                  time_expire=datetime.now(UTC) - timedelta(minutes=1))
    time.sleep(0.2)  # the 1-minute minimum validity, times the test time scale
    status, _, body = sandbox.get(f"{sandbox.url}/wechat/native/{otn}")
    assert "订单已过期" in body.decode()
    assert sandbox.press(f"{sandbox.url}/wechat/native/{otn}/pay")[0] == 400
    assert client.query(otn).trade_state == "NOTPAY"
    client.close(otn)
    assert client.query(otn).trade_state == "CLOSED"


@pytest.mark.parametrize("body_change, code", [
    ({"amount": {"total": 0}}, "PARAM_ERROR"),
    ({"amount": {"total": "100"}}, "PARAM_ERROR"),
    ({"amount": {"total": True}}, "PARAM_ERROR"),
    ({"out_trade_no": "short"}, "PARAM_ERROR"),
    ({"out_trade_no": "has space 123"}, "PARAM_ERROR"),
    ({"out_trade_no": "x" * 33}, "PARAM_ERROR"),
])
def test_sandbox_validates_prepay_like_wechat(pk_config, body_change, code):
    """The raw SDK (our client refuses these before sending)."""
    client = WechatPayClient(pk_config)
    params = {"description": "课程", "out_trade_no": new_otn(), "amount": {"total": 100}}
    params.update(body_change)
    status, text = client._sdk.pay(**params)
    assert status == 400 and code in text


def test_refund_processing_then_success_with_notify(client, sandbox, receiver, pk_config):
    otn = paid_order(client, sandbox)
    refund = client.refund(out_trade_no=otn, out_refund_no="R" + otn, refund_fen=100,
                           total_fen=9900, reason="不想学了")
    assert (refund.status, refund.refund_fen, refund.total_fen) == ("PROCESSING", 100, 9900)
    again = client.refund(out_trade_no=otn, out_refund_no="R" + otn, refund_fen=100,
                          total_fen=9900)
    assert again.refund_id == refund.refund_id  # a retry refunds once
    done = sandbox.wait_for(lambda: (r := client.refund_query("R" + otn)).status == "SUCCESS" and r,
                            message="refund success")
    assert done.success_at is not None and done.refund_amount == Decimal("1.00")
    notifies = sandbox.wait_for(
        lambda: [n for n in receiver.notifies(pk_config, otn) if isinstance(n, RefundNotify)],
        message="refund notify")
    assert (notifies[0].refund_status, notifies[0].refund_fen) == ("SUCCESS", 100)
    assert client.query(otn).trade_state == "REFUND"

    with pytest.raises(WechatPayError) as caught:
        client.refund(out_trade_no=otn, out_refund_no="R2" + otn, refund_fen=9900,
                      total_fen=9900)
    assert caught.value.code == "INVALID_REQUEST"


def test_refund_of_unpaid_or_unknown(client):
    with pytest.raises(WechatPayError) as caught:
        client.refund(out_trade_no=open_order(client), out_refund_no="R1" + new_otn()[:20],
                      refund_fen=1, total_fen=9900)
    assert caught.value.code == "RESOURCE_NOT_EXISTS"
    assert client.refund_query("nope" + new_otn()) is None


def test_trade_bill_today_with_sha1_and_a_planted_trade(client, sandbox):
    paid = paid_order(client, sandbox, total_fen=12345)
    refunded = paid_order(client, sandbox, total_fen=500)
    client.refund(out_trade_no=refunded, out_refund_no="R" + refunded, refund_fen=200,
                  total_fen=500)
    stranger = "STRANGER" + new_otn()[:20]
    sandbox.plant_bill_trade(out_trade_no=stranger, total_fen=777)
    today = datetime.now(BEIJING).date()
    bill = parse_trade_bill(client.trade_bill(today))  # gunzipped and SHA1-checked
    rows = {(r.kind, r.out_trade_no): r for r in bill.rows}
    assert rows[("trade", paid)].amount == Decimal("123.45")
    assert rows[("refund", refunded)].amount == Decimal("2.00")
    assert rows[("refund", refunded)].out_refund_no == "R" + refunded
    assert rows[("trade", stranger)].amount == Decimal("7.77")
    assert bill.trade_count == len(bill.rows)

    success = parse_trade_bill(client.trade_bill(today, "SUCCESS"))
    assert success.bill_type == "SUCCESS" and {r.kind for r in success.rows} == {"trade"}
    refunds = parse_trade_bill(client.trade_bill(today, "REFUND"))
    assert refunds.bill_type == "REFUND" and {r.kind for r in refunds.rows} == {"refund"}


def test_trade_bill_refusals(client):
    with pytest.raises(WechatPayError) as caught:
        client.trade_bill(datetime.now(BEIJING).date() + timedelta(days=1))
    assert caught.value.code == "INVALID_REQUEST"
    with pytest.raises(WechatPayError) as caught:
        client.trade_bill(date.today() - timedelta(days=30))
    assert caught.value.code == "NO_STATEMENT_EXIST"


@pytest.mark.parametrize("fault, status", [("wechat_refund_abnormal", "ABNORMAL"),
                                           ("wechat_refund_closed", "CLOSED")])
def test_refund_ending_abnormal_or_closed(client, sandbox, receiver, pk_config, fault, status):
    otn = paid_order(client, sandbox)
    sandbox.set_faults(**{fault: 1})
    client.refund(out_trade_no=otn, out_refund_no="R" + otn, refund_fen=9900, total_fen=9900)
    ended = sandbox.wait_for(lambda: (r := client.refund_query("R" + otn)).status != "PROCESSING"
                             and r, message="refund outcome")
    assert (ended.status, ended.success_at) == (status, None)
    notify = sandbox.wait_for(lambda: [n for n in receiver.notifies(pk_config, otn)
                                       if isinstance(n, RefundNotify)], message="notify")[0]
    assert (notify.event_type, notify.refund_status) == (f"REFUND.{status}", status)


def test_every_allowed_character_in_order_and_refund_numbers(client, sandbox):
    """`|` would be re-quoted by requests after the SDK signed the path: we escape it first."""
    otn = "A|b-C_d*" + uuid.uuid4().hex[:12]
    client.native(out_trade_no=otn, description="课程", total_fen=100, time_expire=later())
    assert client.query(otn).out_trade_no == otn
    sandbox.pay(otn)
    out_refund_no = "R|@-_*" + uuid.uuid4().hex[:10]
    client.refund(out_trade_no=otn, out_refund_no=out_refund_no, refund_fen=1, total_fen=100)
    assert client.refund_query(out_refund_no).out_refund_no == out_refund_no
    with pytest.raises(OrderPaidError):
        client.close(otn)

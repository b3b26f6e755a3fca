"""Server calls through the real SDK: query, close, refund, signed answers and their failures."""
import json
import urllib.request

import pytest
from alipay.exceptions import AliPayValidationError
from sandbox_helpers import make_client, page_pay_url

from lib.al_pay.keys import ensure_key_pair
from lib.al_pay.sandbox.testing import http

pytestmark = pytest.mark.sandbox


def open_order(client, sandbox, out_trade_no, amount="99.00"):
    assert sandbox.open(page_pay_url(client, sandbox, out_trade_no, amount))[0] == 200


def paid_order(client, sandbox, out_trade_no, amount="99.00"):
    open_order(client, sandbox, out_trade_no, amount)
    sandbox.pay(out_trade_no)
    return sandbox.trade(out_trade_no)["trade_no"]


def test_query_lifecycle(client, sandbox, order_no):
    answer = client.api_alipay_trade_query(out_trade_no=order_no)
    assert answer["code"] == "40004" and answer["sub_code"] == "ACQ.TRADE_NOT_EXIST"

    open_order(client, sandbox, order_no, "10.50")
    answer = client.api_alipay_trade_query(out_trade_no=order_no)
    assert answer["code"] == "10000" and answer["trade_status"] == "WAIT_BUYER_PAY"
    assert "trade_no" not in answer

    sandbox.pay(order_no)
    answer = client.api_alipay_trade_query(out_trade_no=order_no)
    trade = sandbox.trade(order_no)
    assert answer["trade_status"] == "TRADE_SUCCESS" and answer["total_amount"] == "10.50"
    assert answer["trade_no"] == trade["trade_no"] and answer["send_pay_date"] == trade["gmt_payment"]
    assert answer["buyer_pay_amount"] == answer["receipt_amount"] == "10.50"
    assert answer["buyer_user_id"].startswith("2088") and answer["buyer_logon_id"]
    by_trade_no = client.api_alipay_trade_query(trade_no=trade["trade_no"])
    assert by_trade_no["out_trade_no"] == order_no


def test_query_by_post_form(client, sandbox, order_no):
    open_order(client, sandbox, order_no)
    body = client.sign_data(client.build_body("alipay.trade.query", {"out_trade_no": order_no}))
    status, headers, raw = http("POST", sandbox.gateway, body.encode(),
                                {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and headers["Content-Type"] == "application/json;charset=utf-8"
    answer = client._verify_and_return_sync_response(raw.decode(), "alipay_trade_query_response")
    assert answer["trade_status"] == "WAIT_BUYER_PAY"


def test_expired_trade_is_reported_closed(client, sandbox, order_no):
    from datetime import timedelta

    from lib.al_pay.sandbox import times

    # Whole seconds on the wire: at least 1 s of margin to open the cashier first.
    soon = times.fmt(times.now().replace(microsecond=0) + timedelta(seconds=2))
    sandbox.open(page_pay_url(client, sandbox, order_no, time_expire=soon))
    sandbox.wait_for(lambda: client.api_alipay_trade_query(out_trade_no=order_no)["trade_status"]
                     == "TRADE_CLOSED", timeout=5, interval=0.1)
    assert sandbox.trade(order_no)["status"] == "TRADE_CLOSED"


def test_close(client, sandbox, order_no):
    answer = client.api_alipay_trade_close(out_trade_no=order_no)
    assert answer["sub_code"] == "ACQ.TRADE_NOT_EXIST"
    open_order(client, sandbox, order_no)
    answer = client.api_alipay_trade_close(out_trade_no=order_no)
    assert answer["code"] == "10000" and answer["out_trade_no"] == order_no
    assert client.api_alipay_trade_query(out_trade_no=order_no)["trade_status"] == "TRADE_CLOSED"
    assert client.api_alipay_trade_close(out_trade_no=order_no)["code"] == "10000"  # idempotent


def test_close_paid_is_refused(client, sandbox, order_no):
    paid_order(client, sandbox, order_no)
    answer = client.api_alipay_trade_close(out_trade_no=order_no)
    assert answer["code"] == "40004" and answer["sub_code"] == "ACQ.TRADE_STATUS_ERROR"


def test_refunds_partial_idempotent_and_full(client, sandbox, order_no):
    unpaid = client.api_alipay_trade_refund("1.00", out_trade_no="NOPE" + order_no)
    assert unpaid["sub_code"] == "ACQ.TRADE_NOT_EXIST"
    open_order(client, sandbox, order_no, "100.00")
    answer = client.api_alipay_trade_refund("1.00", out_trade_no=order_no)
    assert answer["sub_code"] == "ACQ.TRADE_STATUS_ERROR"
    sandbox.pay(order_no)

    first = client.api_alipay_trade_refund("30.00", out_trade_no=order_no, out_request_no="R1")
    assert first["code"] == "10000" and first["fund_change"] == "Y"
    assert first["refund_fee"] == "30.00" and first["gmt_refund_pay"]
    again = client.api_alipay_trade_refund("30.00", out_trade_no=order_no, out_request_no="R1")
    assert again["fund_change"] == "N" and again["refund_fee"] == "30.00"
    assert again["gmt_refund_pay"] == first["gmt_refund_pay"]

    too_much = client.api_alipay_trade_refund("70.01", out_trade_no=order_no, out_request_no="R2")
    assert too_much["code"] == "40004" and too_much["sub_code"] == "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
    second = client.api_alipay_trade_refund("69.99", out_trade_no=order_no, out_request_no="R2")
    assert second["fund_change"] == "Y" and second["refund_fee"] == "99.99"
    assert client.api_alipay_trade_query(out_trade_no=order_no)["trade_status"] == "TRADE_SUCCESS"
    last = client.api_alipay_trade_refund("0.01", trade_no=first["trade_no"], out_request_no="R3")
    assert last["refund_fee"] == "100.00"
    assert client.api_alipay_trade_query(out_trade_no=order_no)["trade_status"] == "TRADE_CLOSED"
    # A retry after the trade closed still answers the original refund, once.
    assert client.api_alipay_trade_refund(
        "0.01", out_trade_no=order_no, out_request_no="R3")["fund_change"] == "N"
    trade = sandbox.trade(order_no)
    assert [r["out_request_no"] for r in trade["refunds"]] == ["R1", "R2", "R3"]
    assert trade["refunded_amount"] == "100.00"


def test_refund_without_request_no_defaults_to_out_trade_no(client, sandbox, order_no):
    paid_order(client, sandbox, order_no, "5.00")
    assert client.api_alipay_trade_refund("5.00", out_trade_no=order_no)["fund_change"] == "Y"
    assert client.api_alipay_trade_refund("5.00", out_trade_no=order_no)["fund_change"] == "N"
    assert sandbox.trade(order_no)["refunds"][0]["out_request_no"] == order_no


def test_query_fail_fault(client, sandbox, order_no):
    paid_order(client, sandbox, order_no)
    sandbox.set_faults(query_fail=2)
    for _ in range(2):
        answer = client.api_alipay_trade_query(out_trade_no=order_no)
        assert answer["code"] == "20000" and answer["sub_code"] == "ACQ.SYSTEM_ERROR"
    assert client.api_alipay_trade_query(out_trade_no=order_no)["code"] == "10000"


def test_bad_signature_and_app_id_answers_are_signed(sandbox, merchant_keys, tmp_path, order_no):
    ensure_key_pair(tmp_path / "other.pem", tmp_path / "other.pub")
    stranger = make_client(sandbox, tmp_path / "other.pem")
    answer = stranger.api_alipay_trade_query(out_trade_no=order_no)
    assert answer["code"] == "40002" and answer["sub_code"] == "isv.invalid-signature"
    other_app = make_client(sandbox, merchant_keys[0], app_id="2021000000000999")
    answer = other_app.api_alipay_trade_query(out_trade_no=order_no)
    assert answer["code"] == "40002" and answer["sub_code"] == "isv.invalid-app-id"


def test_malformed_requests_never_crash(client, sandbox):
    for query in ("", "method=alipay.trade.query", "method=nope&a=1&a=2", "biz_content=%ff%fe",
                  "method=alipay.trade.query&app_id=x&sign=abc"):
        status, _, raw = http("GET", sandbox.gateway + "?" + query)
        assert status == 200
        answer = json.loads(raw)
        inner = next(v for k, v in answer.items() if k.endswith("_response"))
        assert inner["code"] in ("40001", "40002") and "sign" in answer
    data = client.build_body("alipay.trade.query", {})
    answer = client.verified_sync_response(data, "alipay_trade_query_response")
    assert answer["sub_code"] == "isv.missing-parameter"


def test_sync_answer_tampering_is_detected(client, sandbox, order_no):
    paid_order(client, sandbox, order_no)
    url = sandbox.gateway + "?" + client.sign_data(
        client.build_body("alipay.trade.query", {"out_trade_no": order_no}))
    raw = urllib.request.urlopen(url, timeout=5).read().decode()
    assert client._verify_and_return_sync_response(raw, "alipay_trade_query_response")
    tampered = raw.replace("TRADE_SUCCESS", "TRADE_CLOSED")
    assert tampered != raw
    with pytest.raises(AliPayValidationError):
        client._verify_and_return_sync_response(tampered, "alipay_trade_query_response")


def test_control_unknown_trade(sandbox):
    assert sandbox.trade("NO_SUCH_TRADE") is None
    status, _, _ = http("POST", sandbox.url + "/control/trades/NO_SUCH_TRADE/notify", b"")
    assert status == 404

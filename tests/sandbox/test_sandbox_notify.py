"""Async notifies: signed like Alipay's, retried on Alipay's (scaled) schedule until exactly `success`."""
import time

import pytest
from sandbox_helpers import APP_ID, SELLER_ID, Merchant, make_client, page_pay_url, verify_callback

from lib.al_pay.sandbox.testing import run_sandbox

pytestmark = pytest.mark.sandbox


def paid_order(client, sandbox, merchant, out_trade_no, amount="99.00", subject="Django 课程"):
    status, _ = sandbox.open(page_pay_url(client, sandbox, out_trade_no, amount, subject=subject,
                                          notify_url=merchant.url))
    assert status == 200
    sandbox.pay(out_trade_no)


def attempts(sandbox, out_trade_no):
    return sandbox.trade(out_trade_no)["notify_attempts"]


def delivered(sandbox, out_trade_no):
    return sandbox.trade(out_trade_no)["notifications"][0]["state"] == "delivered"


def test_notify_arrives_signed_with_alipay_fields(client, sandbox, merchant, order_no):
    paid_order(client, sandbox, merchant, order_no, "88.80", subject="全栈 & <课程>")
    sandbox.wait_for(lambda: delivered(sandbox, order_no), message="delivery")
    [notify] = merchant.notifies(order_no)
    trade = sandbox.trade(order_no)
    assert verify_callback(client, notify)
    expected = {
        "notify_type": "trade_status_sync", "app_id": APP_ID, "auth_app_id": APP_ID,
        "charset": "utf-8", "version": "1.0", "sign_type": "RSA2", "trade_no": trade["trade_no"],
        "out_trade_no": order_no, "total_amount": "88.80", "receipt_amount": "88.80",
        "buyer_pay_amount": "88.80", "invoice_amount": "88.80", "point_amount": "0.00",
        "seller_id": SELLER_ID, "buyer_id": trade["buyer_id"], "trade_status": "TRADE_SUCCESS",
        "gmt_create": trade["gmt_create"], "gmt_payment": trade["gmt_payment"],
        "subject": "全栈 & <课程>",
    }
    assert {k: notify.get(k) for k in expected} == expected
    assert notify["notify_id"] and notify["notify_time"] and notify["fund_bill_list"]
    assert [a["outcome"] for a in attempts(sandbox, order_no)] == ["success"]


@pytest.mark.parametrize("mode", ["quoted", "fail", "error500", "html"])
def test_anything_but_exact_success_is_retried(client, sandbox, merchant, order_no, mode):
    merchant.mode = mode
    paid_order(client, sandbox, merchant, order_no)
    # First attempt at once, then after 4m and 10m scaled: 0.12 s and 0.3 s.
    sandbox.wait_for(lambda: len(merchant.notifies(order_no)) >= 3, message="3 attempts")
    merchant.mode = "success"
    sandbox.wait_for(lambda: delivered(sandbox, order_no), message="delivery")
    got = merchant.notifies(order_no)
    assert len({n["notify_id"] for n in got}) == 1  # one notification, re-sent
    assert all(verify_callback(client, n) for n in got)
    log = attempts(sandbox, order_no)
    assert [a["outcome"] for a in log] == ["failure"] * (len(log) - 1) + ["success"]
    assert [a["attempt"] for a in log] == list(range(1, len(log) + 1))
    assert log[0]["http_status"] == (500 if mode == "error500" else 200)
    time.sleep(0.4)
    assert len(merchant.notifies(order_no)) == len(log)  # no retries after success


def test_drop_fault_counts_as_attempts(client, sandbox, merchant, order_no):
    sandbox.set_faults(notify_drop=2)
    paid_order(client, sandbox, merchant, order_no)
    sandbox.wait_for(lambda: delivered(sandbox, order_no), message="delivery")
    assert [a["outcome"] for a in attempts(sandbox, order_no)] == ["dropped", "dropped", "success"]
    assert len(merchant.notifies(order_no)) == 1
    assert sandbox.faults()["notify_drop"] == 0


def test_duplicate_fault_sends_concurrent_copies(client, sandbox, merchant, order_no):
    sandbox.set_faults(notify_duplicate=2)
    paid_order(client, sandbox, merchant, order_no)
    sandbox.wait_for(lambda: delivered(sandbox, order_no), message="delivery")
    got = merchant.notifies(order_no)
    assert len(got) == 3 and len({n["notify_id"] for n in got}) == 1
    log = attempts(sandbox, order_no)
    assert sorted(a["copy"] for a in log) == [0, 1, 2] and {a["attempt"] for a in log} == {1}


def test_corrupt_signature_then_resend(client, sandbox, merchant, order_no):
    sandbox.set_faults(notify_corrupt_signature=True)
    paid_order(client, sandbox, merchant, order_no)
    sandbox.wait_for(lambda: merchant.notifies(order_no), message="notify")
    [bad] = merchant.notifies(order_no)
    assert not verify_callback(client, bad)

    sandbox.reset_faults()
    sandbox.resend_notify(order_no)
    sandbox.wait_for(lambda: len(merchant.notifies(order_no)) == 2, message="re-sent notify")
    good = merchant.notifies(order_no)[1]
    assert verify_callback(client, good) and good["notify_id"] == bad["notify_id"]


def test_trade_status_override_and_delay(client, sandbox, merchant, order_no):
    sandbox.set_faults(notify_trade_status="TRADE_FINISHED", notify_delay=0.4)
    started = time.monotonic()
    paid_order(client, sandbox, merchant, order_no)
    [notify] = sandbox.wait_for(lambda: merchant.notifies(order_no), message="notify")
    assert time.monotonic() - started >= 0.4
    assert notify["trade_status"] == "TRADE_FINISHED" and verify_callback(client, notify)


def test_gives_up_after_eight_attempts(tmp_path, merchant_keys):
    merchant = Merchant()
    merchant.mode = "fail"
    try:
        # The whole 25 h schedule at 0.00002 is under 2 s.
        with run_sandbox(data_dir=tmp_path, app_id=APP_ID, app_public_key_file=merchant_keys[1],
                         time_scale=0.00002) as fast:
            client = make_client(fast, merchant_keys[0])
            paid_order(client, fast, merchant, "GIVEUP1")
            fast.wait_for(lambda: fast.trade("GIVEUP1")["notifications"][0]["state"] == "failed",
                          message="give up")
            assert len(merchant.notifies("GIVEUP1")) == 8
            assert len({n["notify_id"] for n in merchant.notifies("GIVEUP1")}) == 1
            numbers = [a["attempt"] for a in fast.trade("GIVEUP1")["notify_attempts"]]
            assert numbers == list(range(1, 9))

            merchant.mode = "success"
            fast.resend_notify("GIVEUP1")  # a manual re-send after giving up: one more attempt
            fast.wait_for(lambda: fast.trade("GIVEUP1")["notifications"][0]["state"] == "delivered")
            assert len(merchant.notifies("GIVEUP1")) == 9
    finally:
        merchant.close()


def test_fault_control_validates(sandbox):
    from lib.al_pay.sandbox.testing import http

    for bad in (b'{"nope": 1}', b'{"notify_drop": true}', b'{"notify_drop": -1}',
                b'{"notify_trade_status": "PAID"}', b"[1]", b"{bad json"):
        status, _, body = http("POST", sandbox.url + "/control/faults", bad,
                               {"Content-Type": "application/json"})
        assert status == 400 and b"error" in body, bad
    assert sandbox.set_faults(query_fail=1)["query_fail"] == 1
    assert sandbox.set_faults(notify_delay=0.5) == dict(sandbox.faults(), notify_delay=0.5)
    assert sandbox.faults()["query_fail"] == 1  # merged, not replaced
    assert sandbox.reset_faults()["query_fail"] == 0

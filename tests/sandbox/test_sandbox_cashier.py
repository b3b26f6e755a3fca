"""Page pay through the real SDK: the cashier page, its error pages, Pay and Cancel."""
import urllib.parse
from datetime import timedelta

import pytest
from sandbox_helpers import APP_ID, SELLER_ID, make_client, page_pay_url, verify_callback

from lib.al_pay.keys import ensure_key_pair
from lib.al_pay.sandbox import times
from lib.al_pay.sandbox.testing import http

pytestmark = pytest.mark.sandbox


def test_cashier_shows_subject_amount_and_buttons(client, sandbox, order_no):
    status, html = sandbox.open(page_pay_url(client, sandbox, order_no, "12.30",
                                             subject='<script>alert("x")</script> 课程 & co'))
    assert status == 200
    assert "<title>支付宝 沙箱收银台</title>" in html
    assert "¥12.30" in html and order_no in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; 课程 &amp; co" in html
    assert "<script>" not in html
    assert 'id="pay-button"' in html and 'id="cancel-button"' in html
    assert f'action="/cashier/{order_no}/pay"' in html
    assert sandbox.trade(order_no)["status"] == "WAIT_BUYER_PAY"


def test_page_pay_by_post_form(client, sandbox, order_no):
    query = client.api_alipay_trade_page_pay("Form post", order_no, "1.00")
    status, _, body = http("POST", sandbox.gateway, query.encode(),
                           {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and "Form post" in body.decode()


def test_bad_signature_is_an_error_page(client, sandbox, order_no):
    url = page_pay_url(client, sandbox, order_no).replace("99.00", "0.01")
    status, html = sandbox.open(url)
    assert status == 400
    assert "错误代码" in html and "invalid-signature" in html
    assert sandbox.trade(order_no) is None


def test_key_of_another_merchant_is_rejected(sandbox, tmp_path, order_no):
    ensure_key_pair(tmp_path / "other.pem", tmp_path / "other.pub")
    stranger = make_client(sandbox, tmp_path / "other.pem")
    status, html = sandbox.open(page_pay_url(stranger, sandbox, order_no))
    assert status == 400 and "isv.invalid-signature" in html


def test_unknown_app_id(sandbox, merchant_keys, order_no):
    other_app = make_client(sandbox, merchant_keys[0], app_id="2021000000000999")
    status, html = sandbox.open(page_pay_url(other_app, sandbox, order_no))
    assert status == 400 and "invalid-app-id" in html


def test_expired_time_expire(client, sandbox, order_no):
    past = times.fmt(times.now() - timedelta(minutes=1))
    status, html = sandbox.open(page_pay_url(client, sandbox, order_no, time_expire=past))
    assert status == 400 and "ACQ.TRADE_HAS_CLOSE" in html


def test_malformed_biz_content_and_missing_fields(client, sandbox, order_no):
    data = client.build_body("alipay.trade.page.pay", {})
    data["biz_content"] = "{not json"
    status, html = sandbox.open(sandbox.gateway + "?" + client.sign_data(data))
    assert status == 400 and "isv.invalid-parameter" in html

    data = client.build_body("alipay.trade.page.pay", {
        "out_trade_no": order_no, "total_amount": "1.00", "product_code": "FAST_INSTANT_TRADE_PAY"})
    status, html = sandbox.open(sandbox.gateway + "?" + client.sign_data(data))
    assert status == 400 and "isv.missing-parameter" in html and "subject" in html

    status, html = sandbox.open(page_pay_url(client, sandbox, order_no, amount="1.001"))
    assert status == 400 and "total_amount" in html


def test_reopen_same_order_and_inconsistent_amount(client, sandbox, order_no):
    assert sandbox.open(page_pay_url(client, sandbox, order_no, return_url="http://a.test/1"))[0] == 200
    assert sandbox.open(page_pay_url(client, sandbox, order_no, return_url="http://a.test/2"))[0] == 200
    assert sandbox.trade(order_no)["return_url"] == "http://a.test/2"  # latest opening wins
    status, html = sandbox.open(page_pay_url(client, sandbox, order_no, amount="98.00"))
    assert status == 400 and "ACQ.CONTEXT_INCONSISTENT" in html


def test_pay_redirects_to_signed_return_url(client, sandbox, order_no):
    sandbox.open(page_pay_url(client, sandbox, order_no, "45.60",
                              return_url="http://shop.test/pay/success?from=alipay"))
    location = sandbox.pay(order_no)
    split = urllib.parse.urlsplit(location)
    assert location.startswith("http://shop.test/pay/success?from=alipay&")
    params = dict(urllib.parse.parse_qsl(split.query))
    params.pop("from")  # the shop's own parameter, not Alipay's
    assert params["method"] == "alipay.trade.page.pay.return"
    assert params["out_trade_no"] == order_no and params["total_amount"] == "45.60"
    assert params["app_id"] == APP_ID and params["seller_id"] == SELLER_ID
    assert len(params["trade_no"]) == 28 and params["trade_no"][8:12] == "2200"
    assert verify_callback(client, params)
    assert not verify_callback(client, dict(params, total_amount="0.01"))

    trade = sandbox.trade(order_no)
    assert trade["status"] == "TRADE_SUCCESS" and trade["trade_no"] == params["trade_no"]
    status, html = sandbox.open(page_pay_url(client, sandbox, order_no, "45.60"))
    assert status == 400 and "交易已支付" in html and "ACQ.TRADE_HAS_SUCCESS" in html
    status, _, body = http("POST", f"{sandbox.url}/cashier/{order_no}/pay", b"")
    assert status == 400 and "ACQ.TRADE_HAS_SUCCESS" in body.decode()


def test_pay_without_return_url_shows_success_page(client, sandbox, order_no):
    sandbox.open(page_pay_url(client, sandbox, order_no))
    assert sandbox.pay(order_no) is None
    assert sandbox.trade(order_no)["status"] == "TRADE_SUCCESS"


def test_cancel_closes_and_links_back(client, sandbox, order_no):
    sandbox.open(page_pay_url(client, sandbox, order_no, return_url="http://shop.test/back"))
    html = sandbox.cancel(order_no)
    assert "已取消支付" in html and "返回商户" in html
    assert f'href="http://shop.test/back?out_trade_no={order_no}&amp;cancelled=1"' in html
    assert sandbox.trade(order_no)["status"] == "TRADE_CLOSED"
    status, _, body = http("POST", f"{sandbox.url}/cashier/{order_no}/pay", b"")
    assert status == 400 and "ACQ.TRADE_HAS_CLOSE" in body.decode()


def test_pay_after_time_expire_fails(client, sandbox, order_no):
    # Whole seconds on the wire: at least 1 s of margin to open the cashier first.
    soon = times.fmt(times.now().replace(microsecond=0) + timedelta(seconds=2))
    assert sandbox.open(page_pay_url(client, sandbox, order_no, time_expire=soon))[0] == 200
    sandbox.wait_for(lambda: sandbox.trade(order_no)["status"] == "TRADE_CLOSED", timeout=5)
    status, _, body = http("POST", f"{sandbox.url}/cashier/{order_no}/pay", b"")
    assert status == 400 and "ACQ.TRADE_HAS_CLOSE" in body.decode()


def test_reopening_a_paid_trade_links_back_to_the_shop(client, sandbox, order_no):
    url = page_pay_url(client, sandbox, order_no, return_url="http://shop.test/course/paysuccess")
    sandbox.open(url)
    sandbox.pay(order_no)
    status, html = sandbox.open(url)  # the buyer pressed Back after paying
    assert status == 400 and "TRADE_HAS_SUCCESS" in html
    assert f'href="http://shop.test/course/paysuccess?out_trade_no={order_no}"' in html


def test_a_forged_request_gets_no_link_anywhere(client, sandbox, order_no):
    url = page_pay_url(client, sandbox, order_no, return_url="http://evil.test/")
    status, html = sandbox.open(url.replace("99.00", "0.01"))
    assert status == 400 and "invalid-signature" in html and "evil.test" not in html

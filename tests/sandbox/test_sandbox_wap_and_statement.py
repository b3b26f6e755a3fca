"""The mobile-web cashier (alipay.trade.wap.pay) and the daily statement, through the real SDK."""
import csv
import io
import time
import urllib.parse
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from sandbox_helpers import page_pay_url, verify_callback

from lib.al_pay.sandbox import times
from lib.al_pay.sandbox.statement import Bills
from lib.al_pay.sandbox.testing import http
from lib.al_pay.statement import parse_statement

pytestmark = pytest.mark.sandbox
QUIT = "http://shop.test/course/7"


def wap_pay_url(client, sandbox, out_trade_no, amount="49.90", product_code="QUICK_WAP_WAY",
                **kwargs):
    return sandbox.gateway + "?" + client.api_alipay_trade_wap_pay(
        "手机上买的课", out_trade_no, amount, product_code=product_code, quit_url=QUIT,
        return_url="http://shop.test/course/paysuccess", **kwargs)


def test_wap_cashier_is_phone_sized_with_pay_cancel_and_back(client, sandbox, order_no):
    status, html = sandbox.open(wap_pay_url(client, sandbox, order_no))
    assert status == 200
    assert "手机收银台" in html and 'name="viewport"' in html and 'class="wap"' in html
    assert "¥49.90" in html and order_no in html
    assert 'id="pay-button"' in html and 'id="cancel-button"' in html
    assert f'id="quit-link" href="{QUIT}"' in html
    trade = sandbox.trade(order_no)
    assert trade["status"] == "WAIT_BUYER_PAY" and trade["method"] == "alipay.trade.wap.pay"


def test_wap_pay_returns_signed_and_notifies_like_page_pay(client, sandbox, merchant, order_no):
    sandbox.open(wap_pay_url(client, sandbox, order_no, notify_url=merchant.url))
    back = sandbox.pay(order_no)
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(back).query))
    assert params["method"] == "alipay.trade.wap.pay.return"
    assert params["total_amount"] == "49.90" and verify_callback(client, params)
    notify = sandbox.wait_for(lambda: merchant.notifies(order_no), message="the notify")[0]
    assert notify["trade_status"] == "TRADE_SUCCESS" and notify["total_amount"] == "49.90"
    notify_sign = notify.pop("sign")
    assert client.verify(notify, notify_sign)


def test_wap_pay_needs_quick_wap_way(client, sandbox, order_no):
    status, html = sandbox.open(wap_pay_url(client, sandbox, order_no,
                                            product_code="QUICK_WAP_PAY"))
    assert status == 400 and "QUICK_WAP_WAY" in html
    assert sandbox.trade(order_no) is None


def bill(client, day: str, bill_type="trade") -> dict:
    return client.server_api("alipay.data.dataservice.bill.downloadurl.query",
                             biz_content={"bill_type": bill_type, "bill_date": day})


def download(url) -> bytes:
    status, headers, body = http("GET", url)
    assert status == 200 and headers["Content-Type"] == "application/octet-stream"
    return body


def test_statement_of_today_lists_trades_and_refunds_in_alipays_format(client, sandbox, merchant,
                                                                        order_no):
    sandbox.open(page_pay_url(client, sandbox, order_no, "99.00", notify_url=merchant.url))
    sandbox.pay(order_no)
    client.api_alipay_trade_refund(refund_amount="20.00", out_trade_no=order_no,
                                   out_request_no="r1")
    today = times.now().date().isoformat()

    answer = bill(client, today)
    assert answer["code"] == "10000"
    body = download(answer["bill_download_url"])

    archive = zipfile.ZipFile(io.BytesIO(body))
    names = [info.filename for info in archive.infolist()]
    assert all(not info.flag_bits & 0x800 for info in archive.infolist())  # GBK, no UTF-8 flag
    decoded = [name.encode("cp437").decode("gbk") for name in names]
    assert any(name.endswith("_业务明细.csv") for name in decoded)
    assert any(name.endswith("_业务明细(汇总).csv") for name in decoded)
    detail = archive.read(names[decoded.index(next(n for n in decoded if n.endswith("明细.csv")))])
    text = detail.decode("gbk")
    lines = text.splitlines()
    assert lines[0] == "#支付宝业务明细查询" and lines[-1].startswith("#导出时间")
    rows = list(csv.reader(line for line in lines if not line.startswith("#")))
    assert rows[0][:6] == ["支付宝交易号", "商户订单号", "业务类型", "商品名称", "创建时间", "完成时间"]
    mine = [row for row in rows[1:] if row[1].strip() == order_no]
    assert [(row[2], row[11]) for row in mine] == [("交易", "99.00"), ("退款", "-20.00")]
    assert mine[0][0].endswith("\t") and mine[1][21] == "r1\t"

    statement = parse_statement(body)  # and the app's parser reads it back
    ours = [line for line in statement.lines if line.out_trade_no == order_no]
    assert [(line.kind, line.amount, line.out_request_no) for line in ours] == [
        ("trade", Decimal("99.00"), ""), ("refund", Decimal("20.00"), "r1")]
    assert statement.trade_count >= 1 and statement.refund_count >= 1


def test_a_trade_the_shop_never_created_appears_on_the_statement(client, sandbox):
    yesterday = times.now() - timedelta(days=1)
    extra = sandbox.add_extra_trade(out_trade_no="NOT_OURS_1", total_amount="66.00",
                                    gmt_payment=times.fmt(yesterday))
    statement = parse_statement(download(bill(client, yesterday.date().isoformat())
                                         ["bill_download_url"]))
    assert [(line.out_trade_no, line.trade_no, line.amount) for line in statement.lines
            if line.out_trade_no == "NOT_OURS_1"] == [("NOT_OURS_1", extra["trade_no"],
                                                       Decimal("66.00"))]
    status, _, body = http("POST", sandbox.url + "/control/statement", b'{"extra_trade": {}}')
    assert status == 400


def test_statement_url_is_short_lived_and_dates_are_checked(client, sandbox):
    url = bill(client, times.now().date().isoformat())["bill_download_url"]
    token = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["token"][0]
    assert http("GET", url.replace(token, "forged"))[0] == 404
    tomorrow = (times.now() + timedelta(days=1)).date().isoformat()
    assert bill(client, tomorrow)["sub_code"] == "isp.bill_not_exist"
    assert bill(client, "2026-13-01")["code"] == "40002"
    assert bill(client, "2026-12", )["code"] == "40002"
    assert bill(client, "2026-12-01", bill_type="signcustomer")["code"] == "40002"


def test_a_statement_link_dies_after_its_lifetime():
    bills = Bills(lifetime=0.05)
    token = bills.publish("x.csv.zip", b"zip")
    assert bills.get(token) == ("x.csv.zip", b"zip")
    time.sleep(0.06)
    assert bills.get(token) is None

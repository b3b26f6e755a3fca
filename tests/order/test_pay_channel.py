"""Buy now on a phone: `channel` "wap" answers Alipay's mobile-web cashier (alipay.trade.wap.pay)."""
import json

import pytest
from django.conf import settings

from apps.order.constants import PayChannel
from apps.order.models import Order, OrderDetail
from lib.al_pay.times import BEIJING
from tests.order.test_pay import ALIPAY_TIME, assert_signed_by_us, pay, pay_url_params, payload

pytestmark = pytest.mark.django_db


def test_wap_channel_answers_a_signed_wap_pay_url_back_to_the_course_page(student_api, courses):
    response = pay(student_api, payload(courses[1:2], channel="wap"))

    assert response.status_code == 201, response.content
    order = Order.objects.get(out_trade_no=response.json()["out_trade_no"])
    assert order.channel == PayChannel.WAP
    params = pay_url_params(response.json()["pay_url"])
    assert params["method"] == "alipay.trade.wap.pay"
    assert params["return_url"] == settings.ALIPAY_RETURN_URL
    assert params["notify_url"] == settings.ALIPAY_NOTIFY_URL
    biz = json.loads(params["biz_content"])
    assert biz["product_code"] == "QUICK_WAP_WAY"  # not the SDK's default QUICK_WAP_PAY
    assert biz["quit_url"].endswith(f"/course/{courses[1].pk}")
    assert biz["quit_url"].split("/course/")[0] == settings.ALIPAY_RETURN_URL.split("/course/")[0]
    assert biz["total_amount"] == "199.00" and biz["out_trade_no"] == order.out_trade_no
    assert biz["time_expire"] == order.expire_time.astimezone(BEIJING).strftime(ALIPAY_TIME)
    assert_signed_by_us(params)


def test_several_courses_on_a_phone_back_out_to_the_course_list(student_api, courses):
    params = pay_url_params(pay(student_api, payload(courses[:2], channel="wap")).json()["pay_url"])
    assert json.loads(params["biz_content"])["quit_url"].endswith("/courses")


def test_page_is_the_default_channel(student_api, courses):
    body = pay(student_api, payload(courses[:1])).json()
    assert Order.objects.get(out_trade_no=body["out_trade_no"]).channel == PayChannel.PAGE
    params = pay_url_params(body["pay_url"])
    assert params["method"] == "alipay.trade.page.pay"
    assert "quit_url" not in json.loads(params["biz_content"])


@pytest.mark.parametrize("channel", ["app", "WAP", "", 1, None, ["wap"]])
def test_an_unknown_channel_is_a_400_and_writes_nothing(student_api, courses, channel):
    response = pay(student_api, payload(courses[:1], channel=channel))
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["status"] != 0 and "channel" in body["errors"]
    assert Order.objects.count() == 0 and OrderDetail.objects.count() == 0


def test_continuing_an_open_order_on_a_phone_records_the_new_channel(student_api, courses):
    first = pay(student_api, payload(courses[:1])).json()
    again = pay(student_api, payload(courses[:1], channel="wap"))
    assert again.status_code == 200 and again.json()["out_trade_no"] == first["out_trade_no"]
    assert pay_url_params(again.json()["pay_url"])["method"] == "alipay.trade.wap.pay"
    assert Order.objects.get().channel == PayChannel.WAP
    assert student_api.get(f"/api/order/{first['out_trade_no']}/").json()["order"]["channel"] == "wap"


def test_without_a_return_url_the_wap_cashier_gets_no_quit_url(student_api, courses, settings):
    settings.ALIPAY_RETURN_URL = ""
    params = pay_url_params(pay(student_api, payload(courses[:1], channel="wap")).json()["pay_url"])
    assert "quit_url" not in json.loads(params["biz_content"]) and "return_url" not in params

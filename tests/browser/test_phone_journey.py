"""A student on a phone (375 px, touch) pays through Alipay's mobile-web cashier."""
import re

import pytest
from playwright.sync_api import expect

from apps.order.constants import OrderStatus, PayChannel
from apps.order.models import Order
from tests.browser.conftest import fill, shot
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, site, username):
    page.goto(site + "/login")
    fill(page, "login-username", username)
    fill(page, "login-password", "pass-word-123")
    page.locator("[data-test=login-submit]").tap()
    expect(page.locator("[data-test=header-username]")).to_have_text(username)


def test_a_phone_pays_through_the_mobile_web_cashier(phone, site, sandbox):
    course = CourseFactory(name="Vue 3 前端工程化", price="149.50")
    UserFactory(username="xiaomei")
    log_in(phone, site, "xiaomei")
    phone.goto(f"{site}/course/{course.pk}")
    expect(phone.locator("[data-test=course-price]")).to_contain_text("149.50")
    phone.locator("[data-test=buy-now]").tap()

    phone.wait_for_url(re.compile(re.escape(sandbox.url) + r".*method=alipay\.trade\.wap\.pay"))
    expect(phone.locator("#amount")).to_have_text("¥149.50")
    expect(phone.locator("#quit-link")).to_have_attribute("href", f"{site}/course/{course.pk}")
    # One column that fits the screen: nothing wider than the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone, "21-phone-cashier")
    phone.locator("#pay-button").tap()

    phone.wait_for_url(re.compile(r"/course/paysuccess\?"))
    expect(phone.locator("[data-test=pay-result-status]")).to_have_text("支付成功")
    shot(phone, "22-phone-paid")
    order = Order.objects.get(user__username="xiaomei")
    assert order.order_status == OrderStatus.PAID and order.channel == PayChannel.WAP
    assert sandbox.trade(order.out_trade_no)["method"] == "alipay.trade.wap.pay"
    assert phone.errors == []


def test_backing_out_of_the_mobile_cashier_returns_to_the_course(phone, site, sandbox):
    course = CourseFactory(name="Python 全栈开发入门", price="99.00")
    UserFactory(username="xiaozhi")
    log_in(phone, site, "xiaozhi")
    phone.goto(f"{site}/course/{course.pk}")
    phone.locator("[data-test=buy-now]").tap()
    phone.wait_for_url(re.compile(re.escape(sandbox.url)))
    phone.locator("#quit-link").tap()

    phone.wait_for_url(f"{site}/course/{course.pk}")
    expect(phone.locator("[data-test=buy-now]")).to_be_visible()
    order = Order.objects.get(user__username="xiaozhi")
    assert order.order_status == OrderStatus.UNPAID  # backing out is not cancelling
    assert sandbox.trade(order.out_trade_no)["status"] == "WAIT_BUYER_PAY"
    assert phone.errors == []

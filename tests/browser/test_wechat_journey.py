"""A student pays by WeChat Pay in Chromium: the QR dialog at a desktop, the H5 page on a phone
(paying, or cancelling and being asked on return), and inside WeChat's own browser the notice
that offers Alipay instead."""
import re
import time

import pytest
from playwright.sync_api import expect

from apps.course.models import UserCourse
from apps.order.constants import OrderStatus, PayChannel, PayType
from apps.order.models import Order, PaymentEvent
from tests.browser.conftest import checked_page, fill, shot
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
IN_WECHAT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
             "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI "
             "Language/zh_CN")


def settled_shot(page, name):
    """A screenshot once CSS transitions (the dialog fading in, the picker's colours) are done."""
    # A cancelled animation (its element left the page) rejects `finished`: it is settled too.
    page.evaluate("Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)))")
    shot(page, name)


def log_in(page, site, username, *, tap=False):
    page.goto(site + "/login")
    fill(page, "login-username", username)
    fill(page, "login-password", "pass-word-123")
    submit = page.locator("[data-test=login-submit]")
    submit.tap() if tap else submit.click()
    expect(page.locator("[data-test=header-username]")).to_have_text(username)


def test_a_desktop_pays_by_scanning_the_qr_code_in_the_dialog(page, site, wechat_shop):
    course = CourseFactory(name="Vue 3 前端工程化", price="149.50")
    UserFactory(username="xiaowei")
    log_in(page, site, "xiaowei")
    page.goto(f"{site}/course/{course.pk}")
    page.locator("[data-test=pay-method-wechat]").click()
    with page.expect_response(re.compile(r"/api/order/pay/$")) as answer:
        page.click("[data-test=buy-now]")
    bought = answer.value.json()
    assert bought["pay_type"] == 2 and bought["channel"] == "native"

    dialog = page.locator("[data-test=wechat-qr-dialog]")
    expect(dialog.locator("[data-test=wechat-qr-amount]")).to_have_text("¥149.50")
    qr = dialog.locator("[data-test=wechat-qr-image]")
    expect(qr).to_have_attribute("src", re.compile(r"^data:image/svg\+xml;charset=utf-8,"))
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # it renders
    countdown = dialog.locator("[data-test=wechat-qr-countdown]")
    expect(countdown).to_have_text(re.compile(r"^\d{2}:\d{2}$"))
    first = countdown.inner_text()
    expect(countdown).not_to_have_text(first)  # it ticks
    order = Order.objects.get(user__username="xiaowei")
    assert (order.pay_type, order.channel) == (PayType.WECHAT, PayChannel.NATIVE)
    assert order.out_trade_no == bought["out_trade_no"]
    settled_shot(page, "31-wechat-qr-dialog")

    # Closed unpaid, the order stays open: buying again shows the same order's code.
    dialog.locator(".el-dialog__headerbtn").click()
    expect(page.locator(".el-message")).to_contain_text("订单尚未支付")
    expect(dialog).to_have_count(0)
    with page.expect_response(re.compile(r"/api/order/pay/$")) as answer:
        page.click("[data-test=buy-now]")
    again = answer.value.json()
    assert again["out_trade_no"] == bought["out_trade_no"] and again["code_url"]
    expect(dialog.locator("[data-test=wechat-qr-image]")).to_be_visible()
    bought = again

    # The buyer scans: the sandbox's code_url page stands in for WeChat on the phone.
    scan = page.context.new_page()
    scan.goto(bought["code_url"])
    expect(scan.locator(".amount")).to_have_text("¥149.50")
    scan.get_by_role("button", name="模拟扫码支付").click()
    expect(scan.locator("body")).to_contain_text("支付成功")
    scan.close()

    # The dialog's poll sees it paid and moves on by itself.
    page.wait_for_url(re.compile(r"/course/paysuccess\?out_trade_no="))
    expect(page.locator("[data-test=pay-result-status]")).to_have_text("支付成功")
    expect(dialog).to_have_count(0)
    expect(page.locator("[data-test=pay-result-out-trade-no]")).to_have_text(order.out_trade_no)
    shot(page, "32-wechat-paid")
    page.click("[data-test=start-learning]")
    expect(page.locator("[data-test=my-course]")).to_contain_text("Vue 3 前端工程化")
    order.refresh_from_db()
    assert order.order_status == OrderStatus.PAID
    assert UserCourse.objects.filter(user=order.user, course=course).exists()

    # The choice is remembered: the next course page offers WeChat already.
    page.goto(f"{site}/course/{CourseFactory(price='9.90').pk}")
    expect(page.locator("[data-test=pay-method-wechat]")).to_have_class(re.compile(r"is-active"))
    assert page.errors == []


@pytest.fixture
def phone(browser, site):
    with checked_page(browser, site, **PHONE) as page:
        yield page


def test_a_phone_pays_on_wechats_h5_page_and_comes_back_paid(phone, site, wechat_shop):
    course = CourseFactory(name="Python 全栈开发入门", price="99.00")
    UserFactory(username="xiaoxin")
    log_in(phone, site, "xiaoxin", tap=True)
    phone.goto(f"{site}/course/{course.pk}")
    phone.locator("[data-test=pay-method-wechat]").tap()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    settled_shot(phone, "33-phone-wechat-chosen")

    # The cart's bar shows the same, remembered choice, and still fits the phone.
    phone.goto(site + "/courses")
    phone.locator("[data-test=course-select]").first.tap()
    bar = phone.locator("[data-test=selection-bar]")
    expect(bar.locator("[data-test=pay-method-wechat]")).to_have_class(re.compile(r"is-active"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    settled_shot(phone, "33b-phone-cart-wechat")
    bar.locator("[data-test=selection-clear]").tap()

    phone.goto(f"{site}/course/{course.pk}")
    phone.locator("[data-test=buy-now]").tap()

    phone.wait_for_url(re.compile(re.escape(wechat_shop.url) + r"/wechat/h5/"))
    expect(phone.locator(".amount")).to_have_text("¥99.00")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone, "34-phone-wechat-h5")
    phone.get_by_role("button", name="确认支付").tap()

    phone.wait_for_url(re.compile(r"/course/paysuccess\?out_trade_no="))
    expect(phone.locator("[data-test=pay-result-status]")).to_have_text("支付成功")
    shot(phone, "35-phone-wechat-paid")
    order = Order.objects.get(user__username="xiaoxin")
    assert (order.pay_type, order.channel) == (PayType.WECHAT, PayChannel.H5)
    assert order.order_status == OrderStatus.PAID
    assert phone.errors == []


def test_a_phone_that_cancels_at_h5_is_asked_at_once_and_can_pay_again(phone, site, wechat_shop):
    course = CourseFactory(name="Django 进阶", price="59.00")
    UserFactory(username="xiaoyu")
    log_in(phone, site, "xiaoyu", tap=True)
    phone.goto(f"{site}/course/{course.pk}")
    phone.locator("[data-test=pay-method-wechat]").tap()
    phone.locator("[data-test=buy-now]").tap()
    phone.wait_for_url(re.compile(re.escape(wechat_shop.url) + r"/wechat/h5/"))
    order = Order.objects.get(user__username="xiaoyu")

    # WeChat's redirect says nothing: the page asks after one poll, not after a minute.
    phone.get_by_role("button", name="取消").tap()
    phone.wait_for_url(re.compile(r"/course/paysuccess\?out_trade_no=\w+&via=wechat_h5$"))
    returned = time.monotonic()
    status = phone.locator("[data-test=pay-result-status]")
    expect(status).to_have_text("请确认微信支付是否已完成", timeout=5000)
    assert time.monotonic() - returned < 5
    expect(phone.locator("[data-test=pay-result-confirm]")).to_contain_text("已完成支付")
    expect(phone.locator("[data-test=pay-result-wechat-done]")).to_have_text("已完成支付")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    settled_shot(phone, "37-phone-wechat-h5-confirm")
    order.refresh_from_db()
    assert order.order_status == OrderStatus.UNPAID  # the question changes nothing
    assert PaymentEvent.objects.filter(order=order, kind="query", provider="wechat").exists()

    # 重新支付: the same order, at a fresh h5_url; paid there, the page ends 支付成功.
    phone.locator("[data-test=pay-result-wechat-repay]").tap()
    phone.wait_for_url(re.compile(re.escape(wechat_shop.url) + r"/wechat/h5/"))
    expect(phone.locator(".amount")).to_have_text("¥59.00")
    phone.get_by_role("button", name="确认支付").tap()
    phone.wait_for_url(re.compile(r"/course/paysuccess\?out_trade_no=\w+&via=wechat_h5$"))
    expect(status).to_have_text("支付成功")
    expect(phone.locator("[data-test=pay-result-out-trade-no]")).to_have_text(order.out_trade_no)
    assert Order.objects.filter(user__username="xiaoyu").count() == 1
    order.refresh_from_db()
    assert order.order_status == OrderStatus.PAID
    assert UserCourse.objects.filter(user=order.user, course=course).exists()
    assert phone.errors == []


def test_inside_wechats_browser_the_phone_is_offered_alipay_instead(browser, site, wechat_shop):
    course = CourseFactory(name="Go 语言入门", price="49.90")
    UserFactory(username="xiaoqi")
    with checked_page(browser, site, user_agent=IN_WECHAT, **PHONE) as page:
        log_in(page, site, "xiaoqi", tap=True)
        page.goto(f"{site}/course/{course.pk}")
        page.locator("[data-test=pay-method-wechat]").tap()
        page.locator("[data-test=buy-now]").tap()

        notice = page.locator("[data-test=wechat-browser-notice]")
        expect(notice).to_contain_text("微信内置浏览器不支持微信 H5 支付")
        expect(notice).to_contain_text("在浏览器打开")
        assert not Order.objects.exists()  # nothing was ordered for a payment WeChat refuses
        settled_shot(page, "36-in-wechat-notice")
        page.locator("[data-test=wechat-browser-alipay]").tap()

        page.wait_for_url(re.compile(r".*method=alipay\.trade\.wap\.pay"))
        order = Order.objects.get(user__username="xiaoqi")
        assert (order.pay_type, order.channel) == (PayType.ALIPAY, PayChannel.WAP)
        assert page.errors == []


def test_with_wechat_pay_off_the_course_page_offers_no_wechat_pay(page, site, sandbox):
    """PAYMENT_PROVIDERS = Alipay alone (the test settings, production's default): the student
    who chose 微信支付 on an earlier visit is not offered it, and buys with Alipay."""
    course = CourseFactory(name="Go 语言入门", price="49.90")
    UserFactory(username="xiaobai")
    log_in(page, site, "xiaobai")
    page.evaluate("localStorage.setItem('luffy.payMethod', 'wechat')")
    with page.expect_response(re.compile(r"/api/order/pay-methods/$")) as methods:
        page.goto(f"{site}/course/{course.pk}")
    assert [m["provider"] for m in methods.value.json()["methods"]] == ["alipay"]
    expect(page.locator("[data-test=buy-now]")).to_be_visible()
    expect(page.locator("[data-test=pay-method]")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("微信支付")
    settled_shot(page, "wechat-05-course-alipay-only")

    with page.expect_response(re.compile(r"/api/order/pay/$")) as answer:
        page.click("[data-test=buy-now]")
    assert answer.value.status == 201
    page.wait_for_url(re.compile(re.escape(sandbox.url)))  # Alipay's cashier
    expect(page.locator("body")).to_contain_text("¥49.90")
    order = Order.objects.get(user__username="xiaobai")
    assert (order.pay_type, order.channel) == (PayType.ALIPAY, PayChannel.PAGE)

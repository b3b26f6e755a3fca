"""A student's whole journey in Chromium: register, log in, buy, pay at the cashier, learn."""
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from apps.course.models import UserCourse
from apps.order.constants import OrderStatus
from apps.order.models import Order
from tests.browser.conftest import fill, shot
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shelf():
    return [CourseFactory(name="Python 全栈开发入门", price="99.00", teacher="Alex"),
            CourseFactory(name="Vue 3 前端工程化", price="149.50", teacher="Lqz")]


def log_in(page, username, password):
    fill(page, "login-username", username)
    fill(page, "login-password", password)
    page.click("[data-test=login-submit]")
    expect(page.locator("[data-test=header-username]")).to_have_text(username)


def test_register_buy_pay_and_start_learning(page, site, sandbox, shelf):
    page.goto(site + "/")
    expect(page.locator("[data-test=course-card]")).to_have_count(2)
    expect(page.locator("[data-test=course-card]").first).to_contain_text("¥99.00")
    shot(page, "01-course-list")

    page.click("[data-test=header-register]")
    fill(page, "register-username", "xiaoming")
    fill(page, "register-password", "luffy-pass-2026")
    fill(page, "register-password2", "luffy-pass-2026")
    page.click("[data-test=register-submit]")
    expect(page.locator("[data-test=header-username]")).to_have_text("xiaoming")
    page.click("[data-test=header-logout]")  # and back in through the login form
    page.click("[data-test=header-login]")
    log_in(page, "xiaoming", "luffy-pass-2026")
    page.reload()  # the token survives a reload
    expect(page.locator("[data-test=header-username]")).to_have_text("xiaoming")

    page.goto(f"{site}/course/{shelf[1].pk}")
    expect(page.locator("[data-test=course-name]")).to_have_text("Vue 3 前端工程化")
    expect(page.locator("[data-test=course-price]")).to_contain_text("149.50")
    shot(page, "02-course-detail")
    page.click("[data-test=buy-now]")

    # Alipay's cashier (the sandbox, another origin)
    page.wait_for_url(re.compile(re.escape(sandbox.url)))
    expect(page.locator("body")).to_contain_text("¥149.50")
    shot(page, "03-cashier")
    page.click("#pay-button")

    page.wait_for_url(re.compile(r"/course/paysuccess\?"))
    expect(page.locator("[data-test=pay-result-status]")).to_have_text("支付成功")
    order = Order.objects.get(user__username="xiaoming")
    assert order.order_status == OrderStatus.PAID
    expect(page.locator("[data-test=pay-result-out-trade-no]")).to_have_text(order.out_trade_no)
    expect(page.locator("[data-test=pay-result-trade-no]")).to_have_text(order.trade_no)
    expect(page.locator("[data-test=pay-result-pay-time]")).to_have_text(
        re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"))
    shot(page, "04-pay-success")

    page.click("[data-test=start-learning]")
    expect(page.locator("[data-test=my-course]")).to_have_count(1)
    expect(page.locator("[data-test=my-course]")).to_contain_text("Vue 3 前端工程化")
    shot(page, "05-my-courses")

    page.goto(site + "/my/orders")
    row = page.locator("[data-test=order-row]")
    expect(row).to_have_count(1)
    expect(row.locator("[data-test=order-status]")).to_have_text("已支付")
    shot(page, "06-my-orders")

    page.goto(f"{site}/course/{shelf[1].pk}")
    expect(page.locator("[data-test=purchased]")).to_have_text("已购买")
    expect(page.locator("[data-test=buy-now]")).to_have_count(0)
    assert UserCourse.objects.filter(user=order.user, course=shelf[1]).exists()
    assert page.errors == []


def test_cancelled_payment_can_be_paid_later_or_cancelled(page, site, sandbox, shelf):
    UserFactory(username="xiaohong")
    page.goto(site + "/login")
    log_in(page, "xiaohong", "pass-word-123")

    page.goto(f"{site}/course/{shelf[0].pk}")
    page.click("[data-test=buy-now]")
    page.wait_for_url(re.compile(re.escape(sandbox.url)))
    page.click("#cancel-button")
    page.click("text=返回商户")
    expect(page.locator("[data-test=pay-result-status]")).to_have_text("支付已取消")
    shot(page, "07-pay-cancelled")

    page.goto(site + "/my/orders")
    row = page.locator("[data-test=order-row]").first
    expect(row.locator("[data-test=order-status]")).to_have_text("未支付")
    row.locator("[data-test=order-continue-pay]").click()  # the old trade is closed: new order
    page.wait_for_url(re.compile(re.escape(sandbox.url)))
    expect(page.locator("body")).to_contain_text("¥99.00")
    page.go_back()

    page.goto(site + "/my/orders")
    open_row = page.locator("[data-test=order-row]", has_text="未支付").first
    open_row.locator("[data-test=order-cancel]").click()
    page.locator(".el-message-box").get_by_role("button", name="取消订单").click()
    # The first order was cancelled when its closed trade was found; now the second one too.
    expect(page.locator("[data-test=order-row]", has_text="未支付")).to_have_count(0)
    expect(page.locator("[data-test=order-row]", has_text="已取消")).to_have_count(2)
    assert Order.objects.filter(order_status=OrderStatus.CANCELLED).count() == 2
    shot(page, "08-order-cancelled")
    assert not Order.objects.filter(order_status=OrderStatus.PAID).exists()
    assert page.errors == []


def test_logged_out_buy_asks_to_log_in_and_comes_back(page, site, shelf):
    UserFactory(username="xiaogang")
    page.goto(f"{site}/course/{shelf[0].pk}")
    page.click("[data-test=buy-now]")
    expect(page.locator(".el-message")).to_contain_text("请先登录")
    page.wait_for_url(re.compile(r"/login\?redirect="))
    shot(page, "09-login-required")
    assert Order.objects.count() == 0

    log_in(page, "xiaogang", "pass-word-123")
    page.wait_for_url(re.compile(rf"/course/{shelf[0].pk}$"))
    expect(page.locator("[data-test=buy-now]")).to_be_visible()
    assert page.errors == []


def test_two_courses_bought_together_in_one_payment(page, site, sandbox, shelf):
    UserFactory(username="xiaoli")
    page.goto(site + "/login")
    log_in(page, "xiaoli", "pass-word-123")
    page.goto(site + "/courses")
    expect(page.locator("[data-test=course-card]")).to_have_count(2)
    for card in page.locator("[data-test=course-card]").all():
        card.locator("[data-test=course-select]").click()
    expect(page.locator("[data-test=selection-total]")).to_contain_text("248.50")
    shot(page, "10-selection")
    page.click("[data-test=checkout]")

    page.wait_for_url(re.compile(re.escape(sandbox.url)))
    expect(page.locator("body")).to_contain_text("¥248.50")
    page.click("#pay-button")
    page.wait_for_url(re.compile(r"/course/paysuccess\?"))
    expect(page.locator("[data-test=pay-result-status]")).to_have_text("支付成功")
    expect(page.locator("[data-test=pay-result-count]")).to_contain_text("2 门课程")
    order = Order.objects.get(user__username="xiaoli")
    assert order.total_amount == Decimal("248.50") and order.lines.count() == 2

    page.goto(site + "/courses")
    expect(page.locator("[data-test=purchased]")).to_have_count(2)
    expect(page.locator("[data-test=buy-now]")).to_have_count(0)
    shot(page, "11-owned-on-list")
    assert page.errors == []

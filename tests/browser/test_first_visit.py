"""A brand-new student's first visit to every page of the SPA, at desktop and at phone size.

They register through the SPA, then open every route: the course list, a course, an unknown
course, 我的订单 and 我的课程 with nothing in them, the pay result page without an order number
and with an unknown one, an order they cancelled (in 我的订单 and on the result page), a page
that does not exist, and login/register while logged in. On each: the empty state a person
reads, a way forward, no console error, no uncaught exception, no 5xx (and, from checked_page,
no CSP violation).
"""
import re

import pytest
import requests
from playwright.sync_api import expect

from apps.order.constants import OrderStatus
from apps.order.models import Order
from tests.browser.conftest import DESKTOP, PHONE, checked_page, fill, shot
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "luffy-pass-2026"
UNKNOWN_ORDER = "2026010108000000000012345678"
UNKNOWN_COURSE = 999999
# What Chromium itself logs for an answer >= 400. It is an error only where no 404 is expected.
NOT_FOUND_LOG = "console: Failed to load resource: the server responded with a status of 404 " \
                "(Not Found) @ {url}"


@pytest.fixture(params=["desktop", "phone"])
def screen(request, browser, site):
    with checked_page(browser, site, **{"desktop": DESKTOP, "phone": PHONE}[request.param]) as page:
        page.size = request.param
        page.server_errors = []
        page.not_found = []  # API URLs answered 404
        page.on("response", lambda r: page.server_errors.append(f"{r.status} {r.url}")
                if r.status >= 500 else None)
        page.on("response", lambda r: page.not_found.append(r.url)
                if r.status == 404 and "/api/" in r.url else None)
        yield page


class Visits:
    """Opens routes one by one and checks each leaves nothing wrong behind."""

    def __init__(self, page, site):
        self.page, self.site = page, site

    def open(self, path):
        self.page.goto(self.site + path)

    def settled(self, route, *, expected_404=()):
        """No error of any kind since the last check, except Chromium's log of a 404 expected here."""
        page = self.page
        expected = {self.site + url for url in expected_404}
        assert expected <= set(page.not_found), (route, page.not_found)
        unexpected_404 = set(page.not_found) - expected
        allowed = {NOT_FOUND_LOG.format(url=url) for url in expected}
        errors = [e for e in page.errors if e not in allowed]
        assert (errors, page.server_errors, sorted(unexpected_404)) == ([], [], []), route
        if page.size == "phone":  # one column that fits the screen
            assert page.evaluate("document.documentElement.scrollWidth") <= 375, route
        page.errors.clear()
        page.server_errors.clear()
        page.not_found.clear()

    def shot(self, name):
        shot(self.page, f"first-visit-{self.page.size}-{name}")


def register(page, site, username):
    page.goto(site + "/register")
    fill(page, "register-username", username)
    fill(page, "register-password", PASSWORD)
    fill(page, "register-password2", PASSWORD)
    page.locator("[data-test=register-submit]").click()
    expect(page.locator("[data-test=header-username]")).to_have_text(username)


def buy_over_the_api(site, page, course):
    """An unpaid order, placed with the token the SPA holds (as if bought in another tab)."""
    token = page.evaluate("localStorage.getItem('luffy.token')")
    answer = requests.post(f"{site}/api/order/pay/", timeout=10,
                           headers={"Authorization": f"JWT {token}"},
                           json={"subject": course.name, "total_amount": "99.00", "pay_type": 1,
                                 "courses": [course.pk]})
    assert answer.status_code == 201, answer.text
    return answer.json()["out_trade_no"]


def test_a_new_students_first_visit_to_every_page(screen, site):
    page = screen
    course = CourseFactory(name="Python 全栈开发入门", price="99.00")
    username = f"newcomer_{page.size}"
    visits = Visits(page, site)

    register(page, site, username)  # lands on the course list
    expect(page.locator("[data-test=course-card]")).to_have_count(1)
    expect(page.locator("[data-test=course-card]")).to_contain_text("Python 全栈开发入门")
    visits.settled("register → course list")

    visits.open(f"/course/{course.pk}")
    expect(page.locator("[data-test=course-name]")).to_have_text("Python 全栈开发入门")
    expect(page.locator("[data-test=buy-now]")).to_be_visible()
    visits.settled("a course")

    visits.open(f"/course/{UNKNOWN_COURSE}")
    expect(page.get_by_text("课程不存在或已下架")).to_be_visible()
    expect(page.get_by_role("button", name="浏览全部课程")).to_be_visible()
    visits.settled("an unknown course", expected_404=[f"/api/course/{UNKNOWN_COURSE}/"])

    visits.open("/my/orders")
    expect(page.get_by_text("还没有订单")).to_be_visible()
    expect(page.get_by_role("button", name="去选课")).to_be_visible()
    expect(page.locator("[data-test=order-row]")).to_have_count(0)
    visits.shot("my-orders-empty")
    visits.settled("我的订单, none yet")

    visits.open("/my/courses")
    expect(page.get_by_text("还没有购买课程")).to_be_visible()
    visits.shot("my-courses-empty")
    page.get_by_role("button", name="去选课").click()  # the way forward leads to the courses
    page.wait_for_url(f"{site}/courses")
    expect(page.locator("[data-test=course-card]")).to_have_count(1)
    visits.settled("我的课程, none yet")

    visits.open("/course/paysuccess")
    expect(page.locator("[data-test=pay-result-status]")).to_have_text("缺少订单信息")
    expect(page.get_by_text("链接中没有订单号")).to_be_visible()
    expect(page.locator("[data-test=pay-result-browse]")).to_be_visible()
    expect(page.locator("[data-test=pay-result-my-orders]")).to_be_visible()
    visits.shot("pay-result-no-order")
    visits.settled("the pay result page without an order number")

    visits.open(f"/course/paysuccess?out_trade_no={UNKNOWN_ORDER}")
    expect(page.locator("[data-test=pay-result-status]")).to_have_text("没有找到这个订单")
    expect(page.locator("[data-test=pay-result-unknown]")).to_contain_text("订单不存在")
    expect(page.locator("[data-test=pay-result-browse]")).to_be_visible()
    expect(page.locator("[data-test=pay-result-my-orders]")).to_be_visible()
    visits.shot("pay-result-unknown-order")
    visits.settled("the pay result page for an unknown order",
                   expected_404=[f"/api/order/success/?out_trade_no={UNKNOWN_ORDER}"])

    # An order bought (elsewhere) and cancelled in 我的订单.
    out_trade_no = buy_over_the_api(site, page, course)
    visits.open("/my/orders")
    row = page.locator("[data-test=order-row]")
    expect(row).to_have_count(1)
    expect(row.locator("[data-test=order-status]")).to_have_text("未支付")
    row.locator("[data-test=order-cancel]").click()
    page.locator(".el-message-box").get_by_role("button", name="取消订单").click()
    expect(row.locator("[data-test=order-status]")).to_have_text("已取消")
    expect(row.locator("[data-test=order-continue-pay]")).to_have_count(0)
    expect(row.locator("[data-test=order-cancel]")).to_have_count(0)
    assert Order.objects.get(out_trade_no=out_trade_no).order_status == OrderStatus.CANCELLED
    visits.settled("我的订单 with a cancelled order")

    visits.open(f"/course/paysuccess?out_trade_no={out_trade_no}")
    expect(page.locator("[data-test=pay-result-status]")).to_have_text("订单已取消")
    expect(page.locator("[data-test=pay-result-closed]")).to_contain_text("不会扣款")
    expect(page.locator("[data-test=pay-result-out-trade-no]")).to_have_text(out_trade_no)
    expect(page.locator("[data-test=pay-result-browse]")).to_be_visible()
    expect(page.locator(".pay-result__spinner")).to_have_count(0)  # not polling a closed order
    visits.shot("pay-result-cancelled-order")
    visits.settled("the pay result page for a cancelled order")

    visits.open(f"/course/paysuccess?out_trade_no={out_trade_no}&cancelled=1")
    expect(page.locator("[data-test=pay-result-status]")).to_have_text("支付已取消")
    expect(page.locator("[data-test=pay-result-my-orders]")).to_be_visible()
    expect(page.locator("[data-test=pay-result-continue-pay]")).to_have_count(0)
    visits.settled("the cashier's cancel return for a cancelled order")

    visits.open("/my/courses")  # a cancelled order grants nothing
    expect(page.get_by_text("还没有购买课程")).to_be_visible()
    visits.settled("我的课程 after a cancelled order")

    visits.open("/no/such/page")
    expect(page.locator("[data-test=not-found]")).to_contain_text("页面不存在（404）")
    page.get_by_role("button", name="返回首页").click()
    expect(page.locator("[data-test=course-card]")).to_have_count(1)
    visits.settled("a page that does not exist")

    for path in ("/login", "/register"):  # already logged in: back to the shop
        visits.open(path)
        page.wait_for_url(re.compile(rf"^{re.escape(site)}/(courses)?$"))
        expect(page.locator("[data-test=header-username]")).to_have_text(username)
        expect(page.locator("[data-test=course-card]")).to_have_count(1)
        visits.settled(f"{path} while logged in")

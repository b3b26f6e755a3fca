"""An operator refunds in the admin: one course of an order, then a whole order, each said first."""
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from apps.course.models import UserCourse
from apps.order.constants import OrderStatus
from apps.order.models import Order
from tests.browser.conftest import shot
from tests.conftest import client_for
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def paid_order(shop, api, courses):
    total = sum((Decimal(c.price) for c in courses), Decimal("0.00"))
    bought = api.post("/api/order/pay/", {"subject": "退款测试", "pay_type": 1, "total_amount": str(total),
                                          "courses": [c.pk for c in courses]}, format="json").json()
    shop.open(bought["pay_url"])
    shop.pay(bought["out_trade_no"])
    shop.wait_for(lambda: Order.objects.get(out_trade_no=bought["out_trade_no"]).is_paid)
    return Order.objects.get(out_trade_no=bought["out_trade_no"])


def open_refund(page, site, order):
    page.goto(f"{site}/admin/order/order/")
    page.check(f"input[name=_selected_action][value='{order.pk}']")
    page.select_option("select[name=action]", "refund_orders")
    page.click("button[name=index]")
    expect(page.locator("#refund-choose")).to_be_visible()


def test_operator_refunds_one_course_then_a_whole_order(page, site, shop, django_user_model):
    python, go, rust = (CourseFactory(name=n, price=p) for n, p in
                        (("Python 入门", "99.00"), ("Go 并发", "199.00"), ("Rust 实战", "149.50")))
    student = UserFactory(username="xiaoli")
    api = client_for(student)
    two = paid_order(shop, api, [python, go])
    whole = paid_order(shop, api, [rust])
    django_user_model.objects.create_superuser("operator", password="operator-pass-2026")
    page.goto(site + "/admin/login/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", "operator-pass-2026")
    page.click("input[type=submit]")

    # One course: nothing is ticked; an empty choice is refused.
    open_refund(page, site, two)
    boxes = page.locator("#refund-choose input[name=lines]")
    expect(boxes).to_have_count(2)
    for i in range(2):
        expect(boxes.nth(i)).not_to_be_checked()
    expect(page.locator("[data-test=refund-all]")).to_have_text("退全部 · 共 ¥298.00…")
    page.click("[data-test=refund-review]")
    expect(page.locator("[data-test=refund-error]")).to_contain_text("没有选择任何课程，未退款")
    page.locator("label", has_text="Python 入门").locator("input").check()
    page.click("[data-test=refund-review]")
    expect(page.locator("[data-test=refund-lines]")).to_contain_text("Python 入门 · ¥99.00")
    expect(page.locator("[data-test=refund-lines]")).not_to_contain_text("Go 并发")
    expect(page.locator("[data-test=refund-amount]")).to_have_text("¥99.00")
    expect(page.locator("[data-test=refund-kept]")).to_contain_text("Go 并发 · ¥199.00")
    expect(page.locator("[data-test=refund-kind]")).to_have_text("部分退款")
    assert shop.trade(two.out_trade_no)["refunds"] == []  # said first, not done yet
    shot(page, "30-refund-review-one-course")
    page.click("[data-test=refund-confirm]")
    expect(page.locator(".messagelist")).to_contain_text(f"{two.out_trade_no}: 已退款")
    assert [r["refund_amount"] for r in shop.trade(two.out_trade_no)["refunds"]] == ["99.00"]
    assert set(UserCourse.objects.filter(user=student).values_list("course__name", flat=True)) \
        == {"Go 并发", "Rust 实战"}

    # The whole order: its own button, the total shown before and on the confirmation.
    open_refund(page, site, whole)
    expect(page.locator("#refund-choose input[name=lines]")).not_to_be_checked()
    page.click("[data-test=refund-all]")
    expect(page.locator("[data-test=refund-kind]")).to_contain_text("全额退款")
    expect(page.locator("[data-test=refund-amount]")).to_have_text("¥149.50")
    expect(page.locator("[data-test=refund-kept]")).to_contain_text("无（¥0.00）")
    expect(page.locator("[data-test=refund-confirm]")).to_have_text("确认退款 ¥149.50")
    shot(page, "31-refund-review-whole-order")
    page.click("[data-test=refund-confirm]")
    expect(page.locator(".messagelist")).to_contain_text(f"{whole.out_trade_no}: 已退款")
    trade = shop.trade(whole.out_trade_no)
    assert trade["status"] == "TRADE_CLOSED" and Decimal(trade["refunded_amount"]) == Decimal("149.50")
    whole.refresh_from_db()
    two.refresh_from_db()
    assert whole.refund_amount == Decimal("149.50") and two.refund_amount == Decimal("99.00")
    assert whole.order_status == two.order_status == OrderStatus.PAID
    assert list(UserCourse.objects.filter(user=student).values_list("course__name", flat=True)) \
        == ["Go 并发"]

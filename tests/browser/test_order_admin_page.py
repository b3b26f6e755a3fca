"""An operator reads an order with many payment events at 1,280 px: short rows, raw params folded."""
import pytest
from playwright.sync_api import expect

from apps.order.models import Order, PaymentEvent
from tests.browser.conftest import shot
from tests.conftest import client_for
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_order_page_fits_1280_px_with_each_events_raw_params_one_click_away(
        page, site, shop, django_user_model):
    course = CourseFactory(name="数据结构与算法（Python 版）", price="199.00")
    api = client_for(UserFactory(username="xiaozhang"))
    bought = api.post("/api/order/pay/", {"subject": "数据结构与算法（Python 版）", "pay_type": 1,
                                          "courses": [course.pk], "total_amount": "199.00"},
                      format="json").json()
    shop.set_faults(notify_duplicate=2)  # several notifies, each with ~20 long raw parameters
    shop.open(bought["pay_url"])
    return_url = shop.pay(bought["out_trade_no"])
    order = Order.objects.get(out_trade_no=bought["out_trade_no"])
    shop.wait_for(lambda: PaymentEvent.objects.filter(order=order, kind="notify").count() >= 3)
    api.get("/api/order/success/?" + return_url.split("?", 1)[1])  # the browser's return, kept
    order.refresh_from_db()
    assert order.is_paid and order.trade_no
    notify = PaymentEvent.objects.filter(order=order, kind="notify").first()
    assert len(notify.params) >= 10 and len(notify.params["sign"]) > 300  # wide if shown as is

    django_user_model.objects.create_superuser("ops", password="ops-pass-2026")
    page.goto(site + "/admin/login/")
    page.fill("#id_username", "ops")
    page.fill("#id_password", "ops-pass-2026")
    page.click("input[type=submit]")
    page.goto(f"{site}/admin/order/order/{order.pk}/change/")

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"the order page is {width} px wide"
    rows = page.locator("#events-group tbody tr.has_original")
    expect(rows.first).to_be_visible()
    assert rows.count() == PaymentEvent.objects.filter(order=order).count()
    first = page.locator("#events-group tr", has_text="异步通知").first
    expect(first.locator("td.field-amount")).to_contain_text("¥199.00")
    expect(first.locator("td.field-amount .event-trade-no")).to_have_text(order.trade_no)
    expect(first.locator("td.field-outcome")).to_have_text("已支付")
    raw = first.locator("details.event-raw")
    expect(raw.locator("pre")).not_to_be_visible()  # folded until asked for
    # No column is squeezed to one character per line: every short fact stays on one line.
    for row in rows.all():
        for column in ("when", "kind", "outcome", "actor"):
            height = row.locator(f"td.field-{column} p").evaluate(
                "p => p.getBoundingClientRect().height")
            assert height < 30, (column, height)
        height = row.locator("td.field-amount p").evaluate(
            "p => p.getBoundingClientRect().height")
        assert height < 45, height  # the amount, and the trade number below it
        height = row.locator("td.field-status_change p").evaluate(
            "p => p.getBoundingClientRect().height")
        assert height < 60, height  # "0->1 (未支付 → 已支付)": two lines at most
    shot(page, "32-order-admin-events")

    raw.locator("summary").click()
    expect(raw.locator("pre")).to_be_visible()
    expect(raw.locator("pre")).to_contain_text(notify.params["notify_id"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    raw.locator("a", has_text="事件页").click()
    expect(page.locator("body")).to_contain_text(notify.params["notify_id"])

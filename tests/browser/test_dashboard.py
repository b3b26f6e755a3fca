"""An operator on launch day looks at the sales dashboard at 1,280 px: charts drawn, CSP intact."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.order.constants import OrderStatus
from apps.order.models import Order
from benchmarks.bench_dashboard import generate
from tests.browser.conftest import shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_dashboard_draws_both_ranges_at_1280_px(page, site, django_user_model):
    # A month of sales in the shape of a real one (the benchmark's generator, 3,000 orders).
    counts = generate(timezone.now(), orders=3000, progress=False)
    django_user_model.objects.create_superuser("ops", password="ops-pass-2026")
    page.goto(site + "/admin/login/")
    page.fill("#id_username", "ops")
    page.fill("#id_password", "ops-pass-2026")
    page.click("input[type=submit]")
    page.click("#dashboard-link a")

    expect(page.locator("#sales-dashboard")).to_have_attribute("data-drawn", "yes")
    expect(page.locator("[data-test=range-today]")).to_have_text("今天（按小时）")
    for chart in ("orders", "money", "rate", "settled"):
        box = page.locator(f"#chart-{chart}").bounding_box()
        assert box["width"] > 300 and box["height"] > 200, (chart, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert [e for e in page.errors if "favicon.ico" not in e] == []  # the admin has no icon
    shot(page, "33-dashboard-today")

    page.click("[data-test=range-30d]")
    expect(page.locator("#sales-dashboard")).to_have_attribute("data-range", "30d")
    expect(page.locator("#sales-dashboard")).to_have_attribute("data-drawn", "yes")
    expect(page.locator("[data-test=total-created]")).to_have_text(str(counts["orders"]))
    assert re.fullmatch(r"¥\d+\.\d{2}", page.locator("[data-test=total-refunds]").inner_text())
    assert re.fullmatch(r"¥\d+\.\d{2}", page.locator("[data-test=total-revenue]").inner_text())
    expect(page.locator("[data-test=total-paid]")).to_have_text(
        str(Order.objects.filter(order_status=OrderStatus.PAID).count()))
    shot(page, "34-dashboard-30-days")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.locator(".dashboard-table summary").click()
    expect(page.locator("#dashboard-rows tbody tr")).to_have_count(30)
    page.wait_for_timeout(300)  # Chart.js re-measures its boxes on resize
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280  # the table scrolls
    assert [e for e in page.errors if "favicon.ico" not in e] == []  # the admin has no icon


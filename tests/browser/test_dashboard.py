"""An operator on launch day looks at the sales dashboard at 1,280 px: charts drawn, CSP intact."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.order.constants import EventKind, OrderStatus, Outcome
from apps.order.models import Order, PaymentEvent
from tests.browser.conftest import shot
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def day_of_sales(make_order):
    """Orders over the last hours and days: most paid by notify, some by query, some lost."""
    course = CourseFactory(name="Python 入门", price=Decimal("99.00"))
    now = timezone.now()
    for i in range(60):
        order = make_order(UserFactory(), [course])
        created = now - timedelta(hours=i % 15, minutes=i) - timedelta(days=(i * 7) % 28)
        status = [OrderStatus.PAID] * 6 + [OrderStatus.TIMED_OUT, OrderStatus.CANCELLED,
                                           OrderStatus.UNPAID]
        Order.objects.filter(pk=order.pk).update(created_time=created,
                                                 order_status=status[i % len(status)])
        events = []
        if status[i % len(status)] != OrderStatus.UNPAID:
            events.append(PaymentEvent.objects.create(
                order=order, kind=EventKind.TRANSITION, outcome=Outcome.TRANSITION,
                from_status=OrderStatus.UNPAID, to_status=status[i % len(status)]))
        if status[i % len(status)] == OrderStatus.PAID:
            kind = EventKind.QUERY if i % 5 == 0 else EventKind.NOTIFY
            events.append(PaymentEvent.objects.create(order=order, kind=kind,
                                                      outcome=Outcome.PAID, verified=True))
            if i % 11 == 0:
                order.lines.update(refund_time=created + timedelta(minutes=5))
        PaymentEvent.objects.filter(pk__in=[e.pk for e in events]).update(created_time=created)


def test_the_dashboard_draws_both_ranges_at_1280_px(page, site, django_user_model,
                                                    make_order):
    day_of_sales(make_order)
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
    expect(page.locator("[data-test=total-created]")).to_have_text("60")
    expect(page.locator("[data-test=total-paid]")).to_have_text(
        str(Order.objects.filter(order_status=OrderStatus.PAID).count()))
    page.locator(".dashboard-table summary").click()
    expect(page.locator("#dashboard-rows tbody tr")).to_have_count(30)
    page.locator(".dashboard-table summary").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert [e for e in page.errors if "favicon.ico" not in e] == []  # the admin has no icon
    shot(page, "34-dashboard-30-days")

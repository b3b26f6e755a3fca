"""Finance reads a day of Alipay's statement in the admin (this module's sandbox holds only
this day's trades, so the page shows exactly what the test planted)."""
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from apps.finance.models import StatementDay
from apps.order.models import Order
from lib.al_pay.times import BEIJING
from tests.browser.conftest import shot
from tests.conftest import client_for
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_finance_reads_the_days_statement_in_the_admin(page, site, sandbox, django_user_model):
    course = CourseFactory(name="Django REST 实战", price="199.00")
    student = UserFactory(username="xiaowang")
    api = client_for(student)
    bought = api.post("/api/order/pay/", {"subject": "Django REST 实战", "pay_type": 1,
                                          "courses": [course.pk], "total_amount": "199.00"},
                      format="json").json()
    sandbox.set_faults(notify_drop=1000, query_fail=1000)  # Alipay has the money; we never hear
    sandbox.open(bought["pay_url"])
    sandbox.pay(bought["out_trade_no"])
    sandbox.add_extra_trade(out_trade_no="GHOST20261203000002", total_amount="66.00",
                            subject="不明来款")
    today = timezone.now().astimezone(BEIJING).date()
    call_command("reconcile_statement", "--date", today.isoformat(), "--provisional")
    assert Order.objects.get(out_trade_no=bought["out_trade_no"]).is_paid

    django_user_model.objects.create_superuser("finance", password="finance-pass-2026")
    page.goto(site + "/admin/login/")
    page.fill("#id_username", "finance")
    page.fill("#id_password", "finance-pass-2026")
    page.click("input[type=submit]")
    page.goto(f"{site}/admin/finance/statementday/{StatementDay.objects.get().pk}/change/")
    mismatches = page.locator("#statement-mismatches tbody tr")
    expect(mismatches).to_have_count(2)
    # Today is not over: the day reads 临时, never 一致 or 完全一致.
    expect(page.locator("#statement-state")).to_contain_text("临时")
    cells = page.locator("#statement-totals td")
    expect(cells.filter(has_text=re.compile(r"^\s*一致\s*$"))).to_have_count(0)
    expect(cells.filter(has_text=re.compile(r"^\s*临时\s*$"))).to_have_count(2)  # the refunds
    expect(page.locator("body")).not_to_contain_text("完全一致")
    expect(page.locator("#statement-mismatches")).to_contain_text("已补单")
    expect(page.locator("#statement-mismatches")).to_contain_text("GHOST20261203000002")
    shot(page, "23-statement-admin")
    page.locator("#statement-mismatches a", has_text="订单").first.click()
    expect(page.locator("body")).to_contain_text(bought["out_trade_no"])

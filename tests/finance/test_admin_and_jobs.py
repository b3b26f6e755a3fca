"""The statement's admin pages, the order filter, and how the daily job is started."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from apps.finance import services, tasks
from apps.finance.constants import MismatchKind, MismatchStatus
from apps.finance.models import StatementDay, StatementMismatch
from apps.order import providers
from apps.order.models import Order
from lib.al_pay.times import BEIJING

pytestmark = pytest.mark.django_db


@pytest.fixture
def day_with_mismatch(order):
    day = StatementDay.objects.create(bill_date=date(2026, 12, 1), provider_trade_count=2,
                                      provider_trade_amount=Decimal("364.00"), our_trade_count=1,
                                      our_trade_amount=Decimal("298.00"),
                                      provider_net_amount=Decimal("364.00"))
    mismatch = StatementMismatch.objects.create(
        day=day, kind=MismatchKind.UNKNOWN_TRADE, key="GHOST1", out_trade_no="GHOST1",
        trade_no="2026120122000001", provider_amount=Decimal("66.00"), detail="本地无此订单")
    StatementMismatch.objects.create(
        day=day, kind=MismatchKind.MISSING_IN_STATEMENT, key=order.out_trade_no, order=order,
        out_trade_no=order.out_trade_no, our_amount=order.total_amount)
    return day, mismatch


def test_statement_page_compares_totals_and_links_each_difference(admin_client, day_with_mismatch,
                                                                  order):
    day, _ = day_with_mismatch
    page = admin_client.get(f"/admin/finance/statementday/{day.pk}/change/").content.decode()
    assert "364.00" in page and "298.00" in page and "不一致" in page
    assert "本地无此订单" in page and "GHOST1" in page
    assert f'href="/admin/order/order/{order.pk}/change/"' in page
    assert f'href="/admin/order/paymentevent/?q={order.out_trade_no}"' in page
    assert admin_client.get(f"/admin/order/paymentevent/?q={order.out_trade_no}").status_code == 200
    listing = admin_client.get("/admin/finance/statementday/").content.decode()
    assert "2026" in listing and ">2<" in listing  # two open differences


def test_order_list_filters_orders_with_an_open_mismatch(admin_client, day_with_mismatch,
                                                         make_order, other_student, order):
    clean = make_order(other_student)
    page = admin_client.get("/admin/order/order/?statement_mismatch=open").content.decode()
    assert order.out_trade_no in page and clean.out_trade_no not in page
    StatementMismatch.objects.filter(order=order).update(status=MismatchStatus.RESOLVED)
    page = admin_client.get("/admin/order/order/?statement_mismatch=open").content.decode()
    assert order.out_trade_no not in page


def test_a_human_marks_a_difference_resolved(admin_client, admin_user, day_with_mismatch):
    _, mismatch = day_with_mismatch
    admin_client.post("/admin/finance/statementmismatch/",
                      {"action": "mark_resolved", "_selected_action": [mismatch.pk]})
    mismatch.refresh_from_db()
    assert mismatch.status == MismatchStatus.RESOLVED and mismatch.resolved_by == admin_user


def test_the_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("reconcile_statement", "--date", "2026-13-01")


def test_alipay_unreachable_is_an_error_and_writes_nothing(order):
    # The test settings' gateway is a closed port.
    with pytest.raises(CommandError, match="not reconciled"):
        call_command("reconcile_statement", "--date", "2026-12-01")
    assert not StatementDay.objects.exists()


@pytest.mark.sandbox
@pytest.mark.django_db(transaction=True)
def test_the_job_loop_runs_yesterday_once_a_day_after_the_hour(shop, settings, student):
    settings.STATEMENT_RECONCILE_HOUR = 24  # not yet
    assert services.statement_reconcile_due() is None
    assert not StatementDay.objects.exists()

    settings.STATEMENT_RECONCILE_HOUR = 0
    report = services.statement_reconcile_due()
    assert report["bill_date"] == services.beijing_yesterday().isoformat()
    assert services.statement_reconcile_due() is None  # done for today
    assert StatementDay.objects.count() == 1

    today = timezone.now().astimezone(BEIJING).date().isoformat()
    # What Celery beat runs: every enabled provider's statement (Alipay alone here).
    assert [r["bill_date"] for r in tasks.reconcile_statement(today)] == [today]
    assert Order.objects.count() == 0

    # A day Alipay has no statement for (isp.bill_not_exist) is an empty statement.
    tomorrow = date.fromisoformat(today) + timedelta(days=1)
    assert providers.named("alipay").statement(bill_date=tomorrow).lines == []

"""Statement days that cannot lie: no future day, today only as 临时, a failed download as failed."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.test import Client

from apps.finance import services
from apps.finance.constants import DayState
from apps.finance.models import StatementDay, StatementLine
from apps.order.models import PaymentEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/finance/statementday/"
RECONCILE = "/admin/finance/statementday/reconcile/"


def nothing_written():
    assert not StatementDay.objects.exists() and not PaymentEvent.objects.exists()


@pytest.fixture
def finance_client():
    user = UserFactory(username="finance", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_statementday", "reconcile_statementday"]))
    client = Client()
    client.force_login(user)
    return client


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize("days_ahead", [1, 30, 3650])
def test_the_command_refuses_a_future_day_and_writes_nothing(days_ahead):
    future = services.beijing_today() + timedelta(days=days_ahead)
    with pytest.raises(CommandError, match="未来的日期"):
        call_command("reconcile_statement", "--date", future.isoformat())
    with pytest.raises(CommandError, match="未来的日期"):  # provisional or not
        call_command("reconcile_statement", "--date", future.isoformat(), "--provisional")
    nothing_written()


def test_the_command_refuses_today_without_provisional():
    today = services.beijing_today()
    with pytest.raises(CommandError, match="还没有结束.*--provisional"):
        call_command("reconcile_statement", "--date", today.isoformat())
    nothing_written()


def test_the_admin_refuses_a_future_day_and_today_without_provisional(finance_client):
    tomorrow = services.beijing_today() + timedelta(days=1)
    response = finance_client.post(RECONCILE, {"bill_date": tomorrow.isoformat(),
                                               "provisional": "1"}, follow=True)
    assert any("未对账" in m and "未来的日期" in m for m in messages_of(response))
    response = finance_client.post(RECONCILE, {"bill_date": services.beijing_today().isoformat()},
                                   follow=True)
    assert any("未对账" in m and "还没有结束" in m for m in messages_of(response))
    nothing_written()
    page = finance_client.get(LIST).content.decode()
    assert 'id="statement-reconcile"' in page
    assert f'max="{services.beijing_today().isoformat()}"' in page  # the form offers no future


def test_the_admin_form_needs_its_own_permission(finance_client):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_statementday"))
    client = Client()
    client.force_login(viewer)
    assert 'id="statement-reconcile"' not in client.get(LIST).content.decode()
    yesterday = services.beijing_yesterday().isoformat()
    assert client.post(RECONCILE, {"bill_date": yesterday}).status_code == 403
    nothing_written()


def test_a_failed_download_through_the_admin_is_shown_as_failed(finance_client):
    # The test gateway is a closed port: today's provisional run cannot download anything.
    today = services.beijing_today()
    response = finance_client.post(RECONCILE, {"bill_date": today.isoformat(), "provisional": "1"},
                                   follow=True)
    assert any("下载失败" in m for m in messages_of(response))
    day = StatementDay.objects.get(bill_date=today)
    assert day.state == DayState.FAILED
    page = finance_client.get(f"{LIST}{day.pk}/change/").content.decode()
    assert "下载失败" in page and "完全一致" not in page


@pytest.mark.parametrize("state, verdict", [(DayState.PROVISIONAL, "临时对账"),
                                            (DayState.FAILED, "账单下载失败"),
                                            (DayState.COMPLETE, "账单与本地记录完全一致")])
def test_only_a_complete_day_without_differences_reads_as_matching(admin_client, state, verdict):
    day = StatementDay.objects.create(bill_date=services.beijing_yesterday(), state=state,
                                      provider_net_amount=Decimal("0.00"))
    page = admin_client.get(f"{LIST}{day.pk}/change/").content.decode()
    assert verdict in page
    assert ("完全一致" in page) == (state == DayState.COMPLETE)
    assert (" 一致</td>" in page) == (state == DayState.COMPLETE)
    assert day.get_state_display() in admin_client.get(LIST).content.decode()


@pytest.mark.parametrize("state", [DayState.PROVISIONAL, DayState.FAILED])
def test_the_daily_job_redoes_a_day_that_is_not_complete(settings, monkeypatch, state):
    settings.STATEMENT_RECONCILE_HOUR = 0
    yesterday = services.beijing_yesterday()
    day = StatementDay.objects.create(bill_date=yesterday, state=state)
    calls = []
    monkeypatch.setattr(services, "statement_reconcile",
                        lambda **kwargs: calls.append(kwargs) or {"bill_date": yesterday})
    assert services.statement_reconcile_due() == {"bill_date": yesterday}
    # A regular run (not provisional) of the provider asked about (Alipay by default).
    assert calls == [{"bill_date": yesterday, "provider": "alipay"}]
    StatementDay.objects.filter(pk=day.pk).update(state=DayState.COMPLETE)
    assert services.statement_reconcile_due() is None
    assert len(calls) == 1
    assert not StatementLine.objects.exists()


def test_the_admin_form_offers_each_enabled_provider_and_refuses_another(finance_client):
    page = finance_client.get(LIST).content.decode()
    assert '<option value="alipay">' in page and 'value="wechat"' not in page  # Alipay alone
    response = finance_client.post(RECONCILE, {"bill_date": services.beijing_yesterday().isoformat(),
                                               "provider": "wechat"}, follow=True)
    assert any("未对账" in m and "未启用" in m for m in messages_of(response))
    nothing_written()


def test_each_enabled_provider_fails_on_its_own_day(finance_client, settings):
    # Both test gateways are closed ports: each provider's day is marked failed, separately.
    settings.PAYMENT_PROVIDERS = ["alipay", "wechat"]
    yesterday = services.beijing_yesterday()
    response = finance_client.post(RECONCILE, {"bill_date": yesterday.isoformat()}, follow=True)
    assert sum("下载失败" in m for m in messages_of(response)) == 2
    assert set(StatementDay.objects.values_list("provider", "bill_date", "state")) == {
        ("alipay", yesterday, DayState.FAILED), ("wechat", yesterday, DayState.FAILED)}

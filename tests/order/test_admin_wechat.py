"""The order admin with WeChat orders: listed, filtered and found by WeChat's transaction id, and
queried at WeChat (through the provider seam), never at Alipay."""
from datetime import datetime

import pytest
from django.urls import reverse

from apps.order.constants import EventKind, OrderStatus, Outcome, PayType
from apps.order.models import Order, PaymentEvent
from apps.order.providers.alipay import AlipayProvider
from apps.order.providers.base import Trade, TradeState
from apps.order.providers.wechat import WechatProvider
from apps.order.services.orders import order_create
from lib.al_pay.times import BEIJING
from tests.alipay_fake import signed_notify
from tests.conftest import post_notify
from tests.wechat_fake import body_of, headers_for, post_wechat_notify, transaction

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:order_order_changelist")
TRANSACTION_ID = "4200002026120400000000000001"


@pytest.fixture(autouse=True)
def wechat_on(settings):
    settings.PAYMENT_PROVIDERS = ["alipay", "wechat"]


def buy(user, course, pay_type):
    order, _ = order_create(user=user, course_ids=[course.pk], subject="测试订单",
                            total_amount=course.price, pay_type=pay_type)
    return order


@pytest.fixture
def orders(api, student, other_student, courses):
    """alice paid with WeChat and with Alipay; mallory has an unpaid WeChat order."""
    wechat = buy(student, courses[0], PayType.WECHAT)
    body = body_of(transaction(wechat, transaction_id=TRANSACTION_ID))
    assert post_wechat_notify(api, body, headers_for(body)).status_code == 204
    alipay = buy(student, courses[1], PayType.ALIPAY)
    assert post_notify(api, signed_notify(alipay, trade_no="2026120422001400000000001234")
                       ).content == b"success"
    unpaid = buy(other_student, courses[2], PayType.WECHAT)
    return {"wechat": wechat, "alipay": alipay, "unpaid": unpaid}


def listed(admin_client, **query):
    response = admin_client.get(CHANGELIST, query)
    assert response.status_code == 200
    return {order.out_trade_no for order in response.context["cl"].result_list}


def test_wechat_orders_are_filtered_by_pay_type_and_found_by_their_transaction_id(
        admin_client, orders):
    assert listed(admin_client, pay_type__exact="2") == {orders["wechat"].out_trade_no,
                                                         orders["unpaid"].out_trade_no}
    assert listed(admin_client, pay_type__exact="1") == {orders["alipay"].out_trade_no}
    assert listed(admin_client, q=TRANSACTION_ID) == {orders["wechat"].out_trade_no}
    page = admin_client.get(CHANGELIST).content.decode()
    assert '<td class="field-pay_type">微信支付</td>' in page


def test_a_wechat_order_page_shows_the_transaction_id_and_no_alipay_wording(admin_client, orders):
    order = orders["wechat"]
    page = admin_client.get(reverse("admin:order_order_change", args=[order.pk])).content.decode()
    assert TRANSACTION_ID in page and "支付平台交易号" in page and "微信支付" in page
    assert "支付宝" not in page


@pytest.fixture
def provider_queries(monkeypatch):
    """WeChat answers that the unpaid order is paid; Alipay must not be asked at all."""
    asked = []

    def wechat_query(self, *, out_trade_no):
        asked.append(("wechat", out_trade_no))
        order = Order.objects.get(out_trade_no=out_trade_no)
        return Trade(state=TradeState.PAID, out_trade_no=out_trade_no,
                     trade_no="4200002026120400000000000002", amount=order.total_amount,
                     paid_at=datetime(2026, 12, 4, 21, 0, tzinfo=BEIJING), status_text="SUCCESS",
                     params={"trade_state": "SUCCESS", "out_trade_no": out_trade_no})

    def alipay_query(self, *, out_trade_no):
        asked.append(("alipay", out_trade_no))
        raise AssertionError("a WeChat order was asked of Alipay")
    monkeypatch.setattr(WechatProvider, "query", wechat_query)
    monkeypatch.setattr(AlipayProvider, "query", alipay_query)
    return asked


def test_the_query_action_asks_wechat_for_a_wechat_order_and_says_so(admin_client, orders,
                                                                      provider_queries):
    order = orders["unpaid"]
    page = admin_client.post(CHANGELIST, {"action": "query_orders",
                                          "_selected_action": [order.pk]}, follow=True)

    assert provider_queries == [("wechat", order.out_trade_no)]
    assert f"{order.out_trade_no}: 已向微信支付查询 (paid)" in page.content.decode()
    order.refresh_from_db()
    assert order.order_status == OrderStatus.PAID
    assert order.trade_no == "4200002026120400000000000002"
    audit = PaymentEvent.objects.get(order=order, kind=EventKind.ADMIN)
    assert audit.detail == "query_orders: 已向微信支付查询 (paid)" and audit.actor is not None


def test_the_query_action_refuses_an_order_of_a_disabled_provider_and_asks_nothing(
        admin_client, orders, provider_queries, settings):
    settings.PAYMENT_PROVIDERS = ["alipay"]
    order = orders["unpaid"]
    page = admin_client.post(CHANGELIST, {"action": "query_orders",
                                          "_selected_action": [order.pk]}, follow=True)

    assert f"{order.out_trade_no}: 微信支付未启用，未查询" in page.content.decode()
    assert provider_queries == []
    order.refresh_from_db()
    assert order.order_status == OrderStatus.UNPAID and order.last_query_time is None
    assert not PaymentEvent.objects.filter(order=order, kind=EventKind.QUERY).exists()
    assert PaymentEvent.objects.get(order=order, kind=EventKind.ADMIN).outcome == \
        Outcome.ADMIN_REFUSED  # the attempt itself is audited, like every admin action

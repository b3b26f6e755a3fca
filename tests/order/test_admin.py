"""Order admin: list, filters, search, no N+1, read-only money and inlines, no adding."""
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.order.constants import OrderStatus, PayType
from apps.order.models import Order
from apps.order.services.orders import order_create
from tests.alipay_fake import signed_notify
from tests.conftest import post_notify
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:order_order_changelist")


def change_url(order):
    return reverse("admin:order_order_change", args=[order.pk])


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    return client


def buy(user, *chosen):
    order, _ = order_create(user=user, course_ids=[c.pk for c in chosen], subject="测试订单",
                            total_amount=sum((c.price for c in chosen), Decimal("0.00")),
                            pay_type=PayType.ALIPAY)
    return order


def orders_for_new_users(n):
    course = CourseFactory(price=Decimal("50.00"))
    return [buy(UserFactory(), course) for _ in range(n)]


def listed(response):
    """The order numbers on the changelist page, as the admin computed them."""
    assert response.status_code == 200, response.content[:500]
    return {o.out_trade_no for o in response.context["cl"].result_list}


@pytest.fixture
def three_orders(api, student, other_student, courses):
    """alice: a paid order and an unpaid one; mallory: a WeChat-typed unpaid order."""
    paid = buy(student, courses[0])
    assert post_notify(api, signed_notify(paid, trade_no="2026112622001400000000007777")).content \
        == b"success"
    unpaid = buy(student, courses[1])
    wechat = buy(other_student, courses[2])
    Order.objects.filter(pk=wechat.pk).update(pay_type=PayType.WECHAT)
    return {"paid": paid, "unpaid": unpaid, "wechat": wechat}


def nos(orders, *names):
    return {orders[n].out_trade_no for n in names}


# --- list, filters, search ------------------------------------------------------------------

def test_changelist_lists_orders_with_their_columns(admin_client, three_orders):
    response = admin_client.get(CHANGELIST)

    assert listed(response) == nos(three_orders, "paid", "unpaid", "wechat")
    html = response.content.decode()
    for order in three_orders.values():
        assert order.out_trade_no in html
    assert "alice" in html and "mallory" in html
    assert "已支付" in html and "未支付" in html and "微信支付" in html


@pytest.mark.parametrize("query, expected", [
    ("order_status__exact=1", ["paid"]),
    ("order_status__exact=0", ["unpaid", "wechat"]),
    ("order_status__exact=2", []),
    ("pay_type__exact=1", ["paid", "unpaid"]),
    ("pay_type__exact=2", ["wechat"]),
    ("order_status__exact=0&pay_type__exact=1", ["unpaid"]),
])
def test_changelist_filters(admin_client, three_orders, query, expected):
    assert listed(admin_client.get(f"{CHANGELIST}?{query}")) == nos(three_orders, *expected)


def test_changelist_filters_by_created_date(admin_client, three_orders):
    Order.objects.filter(pk=three_orders["wechat"].pk).update(
        created_time=timezone.now() - timedelta(days=30))
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    past_7_days = {"created_time__gte": str(midnight - timedelta(days=7)),
                   "created_time__lt": str(midnight + timedelta(days=1))}  # the filter's own link

    response = admin_client.get(CHANGELIST, past_7_days)

    assert listed(response) == nos(three_orders, "paid", "unpaid")


@pytest.mark.parametrize("term, expected", [
    (lambda o: o["unpaid"].out_trade_no, ["unpaid"]),
    (lambda o: "2026112622001400000000007777", ["paid"]),
    (lambda o: "alice", ["paid", "unpaid"]),
    (lambda o: "mallory", ["wechat"]),
    (lambda o: "nobody-like-this", []),
], ids=["out_trade_no", "trade_no", "username", "other-username", "no-match"])
def test_changelist_search(admin_client, three_orders, term, expected):
    response = admin_client.get(CHANGELIST, {"q": term(three_orders)})
    assert listed(response) == nos(three_orders, *expected)


def test_changelist_query_count_does_not_grow_with_orders(admin_client):
    orders_for_new_users(3)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(CHANGELIST).status_code == 200
    orders_for_new_users(9)
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(CHANGELIST)
    assert len(listed(response)) == 12
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_changelist_offers_query_close_and_refund_actions(admin_client, three_orders):
    """PRODUCT.md (Admin): actions to query Alipay, close, and refund a paid order."""
    response = admin_client.get(CHANGELIST)
    action_form = response.context.get("action_form")
    assert action_form is not None, "the order changelist offers no actions at all"
    actions = [name for name, _ in action_form.fields["action"].choices if name]
    assert len(actions) >= 3, actions


def test_admin_needs_staff(client, three_orders):
    response = client.get(CHANGELIST)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(UserFactory(username="plain"))
    assert client.get(CHANGELIST).status_code == 302


# --- one order ------------------------------------------------------------------------------

MONEY_FIELDS = ["total_amount", "order_status", "trade_no", "pay_time", "pay_type",
                "out_trade_no", "user", "expire_time", "course_key"]


def test_change_page_shows_lines_and_events_read_only(admin_client, three_orders, courses):
    paid = three_orders["paid"]

    response = admin_client.get(change_url(paid))

    assert response.status_code == 200
    html = response.content.decode()
    assert paid.out_trade_no in html and "2026112622001400000000007777" in html
    assert courses[0].name in html
    formsets = {f.formset.prefix: f for f in response.context["inline_admin_formsets"]}
    assert len(formsets["lines"].formset.forms) == 1
    events = paid.events.count()
    assert events >= 2  # the notify and the 0 -> 1 transition
    assert len(formsets["events"].formset.forms) == events
    assert "0-&gt;1" in html or "0->1" in html
    # Nothing in the form may change money, status, or what Alipay told us.
    inputs = set(re.findall(r'name="([^"]+)"', html))
    for field in MONEY_FIELDS:
        assert field not in inputs, field
    assert not [n for n in inputs if re.match(r"(lines|events)-\d+-(?!id$|order$)", n)]


def test_posting_the_change_form_cannot_change_money(admin_client, three_orders):
    order = three_orders["unpaid"]
    page = admin_client.get(change_url(order))
    data = {"subject": "改过的标题", "total_amount": "0.01", "order_status": "1",
            "trade_no": "forged", "pay_type": "2", "_save": "Save"}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()})
        for i, form in enumerate(formset.forms):
            data[f"{formset.prefix}-{i}-id"] = form.instance.pk
            data[f"{formset.prefix}-{i}-order"] = order.pk

    response = admin_client.post(change_url(order), data)

    assert response.status_code == 302, response.content[:2000]
    before = Order.objects.get(pk=order.pk)
    assert before.subject == "改过的标题"  # the one editable field
    assert before.total_amount == order.total_amount
    assert before.order_status == OrderStatus.UNPAID
    assert before.trade_no is None and before.pay_type == PayType.ALIPAY


def test_adding_or_deleting_an_order_is_forbidden(admin_client, three_orders):
    assert admin_client.get(reverse("admin:order_order_add")).status_code == 403
    assert admin_client.post(reverse("admin:order_order_add"), {"subject": "x"}).status_code == 403
    delete = reverse("admin:order_order_delete", args=[three_orders["unpaid"].pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Order.objects.count() == 3
    html = admin_client.get(CHANGELIST).content.decode()
    assert reverse("admin:order_order_add") not in html


def test_payment_events_are_read_only_in_admin(admin_client, three_orders):
    event = three_orders["paid"].events.first()
    url = reverse("admin:order_paymentevent_change", args=[event.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert 'name="outcome"' not in response.content.decode()
    admin_client.post(url, {"outcome": "edited"})
    event.refresh_from_db()
    assert event.outcome != "edited"

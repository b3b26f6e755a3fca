"""Admin actions by permission: offered and run only with their own permission, always audited."""
from decimal import Decimal

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from apps.course.models import UserCourse
from apps.order.constants import EventKind, OrderStatus, Outcome
from apps.order.models import Order, PaymentEvent
from tests.alipay_fake import signed_notify
from tests.conftest import post_notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:order_order_changelist")


def staff_client(username, *codenames):
    user = UserFactory(username=username, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="order",
                                                        codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client, user


def offered(client):
    form = client.get(CHANGELIST).context["action_form"]
    return {name for name, _ in form.fields["action"].choices if name} if form else set()


def run_action(client, action, order, **extra):
    return client.post(CHANGELIST, {"action": action, "_selected_action": [order.pk], **extra},
                       follow=True)


@pytest.fixture
def paid_order(api, make_order, student, courses):
    order = make_order(student, courses[:1])
    assert post_notify(api, signed_notify(order)).content == b"success"
    return Order.objects.get(pk=order.pk)


def test_view_only_staff_is_offered_no_action(paid_order):
    client, _ = staff_client("viewer", "view_order")
    assert client.get(CHANGELIST).status_code == 200
    assert offered(client) == set()


@pytest.mark.parametrize("codename, action", [("query_order", "query_orders"),
                                              ("close_order", "close_orders"),
                                              ("refund_order", "refund_orders")])
def test_each_action_is_offered_only_with_its_own_permission(paid_order, codename, action):
    client, _ = staff_client("clerk", "view_order", codename)
    assert offered(client) == {action}


def test_change_order_alone_grants_no_money_action(paid_order):
    client, _ = staff_client("editor", "view_order", "change_order")
    assert offered(client) == set()


def test_view_only_staff_cannot_refund_even_by_posting_the_action(paid_order, student):
    client, _ = staff_client("viewer", "view_order")
    events_before = PaymentEvent.objects.count()

    run_action(client, "refund_orders", paid_order, confirm="yes")

    paid_order.refresh_from_db()
    assert paid_order.is_paid and paid_order.refund_amount == Decimal("0.00")
    assert UserCourse.objects.filter(user=student).exists()  # course access kept
    assert PaymentEvent.objects.count() == events_before
    assert not LogEntry.objects.exists()


def test_view_only_staff_cannot_close_another_students_order(make_order, other_student, courses):
    unpaid = make_order(other_student, courses[1:2])
    client, _ = staff_client("viewer", "view_order", "refund_order")  # refund is not close

    run_action(client, "close_orders", unpaid)

    assert Order.objects.get(pk=unpaid.pk).order_status == OrderStatus.UNPAID
    assert not PaymentEvent.objects.filter(kind=EventKind.ADMIN).exists()


def test_an_allowed_close_writes_an_event_naming_the_staff_member_and_a_log_entry(
        make_order, other_student, courses):
    unpaid = make_order(other_student, courses[1:2])
    client, clerk = staff_client("clerk", "view_order", "close_order")

    page = run_action(client, "close_orders", unpaid).content.decode()

    assert "已关闭" in page
    assert Order.objects.get(pk=unpaid.pk).order_status == OrderStatus.CANCELLED
    event = PaymentEvent.objects.get(order=unpaid, kind=EventKind.ADMIN)
    assert event.actor == clerk and event.outcome == Outcome.ADMIN_DONE
    assert event.detail.startswith("close_orders")
    entry = LogEntry.objects.get()
    assert entry.user == clerk and entry.action_flag == CHANGE
    assert entry.object_id == str(unpaid.pk) and "close_orders" in entry.get_change_message()


def test_a_refused_action_is_audited_too(paid_order):
    client, clerk = staff_client("clerk", "view_order", "close_order")

    page = run_action(client, "close_orders", paid_order).content.decode()

    assert "只能取消未支付的订单" in page
    event = PaymentEvent.objects.get(order=paid_order, kind=EventKind.ADMIN)
    assert event.actor == clerk and event.outcome == Outcome.ADMIN_REFUSED
    assert LogEntry.objects.filter(user=clerk, object_id=str(paid_order.pk)).exists()


def test_payment_events_cannot_be_added_changed_or_deleted_even_by_a_superuser(paid_order):
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    event = paid_order.events.first()
    change = reverse("admin:order_paymentevent_change", args=[event.pk])
    delete = reverse("admin:order_paymentevent_delete", args=[event.pk])

    assert client.get(reverse("admin:order_paymentevent_add")).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    client.post(change, {"outcome": "edited"})
    assert PaymentEvent.objects.get(pk=event.pk).outcome == event.outcome
    form = client.get(reverse("admin:order_paymentevent_changelist")).context["action_form"]
    assert form is None or "delete_selected" not in dict(form.fields["action"].choices)

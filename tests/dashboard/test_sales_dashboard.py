"""The sales dashboard: the right numbers in the right Beijing hour or day, in 4 queries."""
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.dashboard.models import SalesHour
from apps.dashboard.selectors import sales_dashboard
from apps.order.constants import EventKind, OrderStatus, Outcome
from apps.order.models import Order, PaymentEvent
from lib.al_pay.times import BEIJING
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 4, 15, 20, tzinfo=BEIJING)  # a Friday afternoon in Beijing


def at(day, hour, minute=0):
    """A Beijing time on 2026-12-`day`."""
    return datetime(2026, 12, day, hour, minute, tzinfo=BEIJING)


@pytest.fixture
def place(make_order, courses):
    users = iter(UserFactory() for _ in range(60))

    def place(created, status=OrderStatus.UNPAID, settled_by=None, chosen=None):
        """An order created at `created` that reached `status` at the same moment (the events
        a real transition writes: the settling one and the transition)."""
        order = make_order(next(users), chosen or courses[:1])  # 99.00 unless chosen
        Order.objects.filter(pk=order.pk).update(created_time=created, order_status=status)
        events = []
        if settled_by:
            events.append(PaymentEvent.objects.create(order=order, kind=settled_by,
                                                      outcome=Outcome.PAID, verified=True))
        if status != OrderStatus.UNPAID:
            events.append(PaymentEvent.objects.create(
                order=order, kind=EventKind.TRANSITION, outcome=Outcome.TRANSITION,
                from_status=OrderStatus.UNPAID, to_status=status, verified=True))
        PaymentEvent.objects.filter(pk__in=[e.pk for e in events]).update(created_time=created)
        return order
    return place


def notify_received(when, outcome=Outcome.DUPLICATE):
    event = PaymentEvent.objects.create(kind=EventKind.NOTIFY, outcome=outcome, verified=True)
    PaymentEvent.objects.filter(pk=event.pk).update(created_time=when)


def dashboard_twice(range_key):
    """The first call aggregates the closed hours and stores them; the second reads them back
    (1 query) and aggregates only the open hour (5 queries). Both must say the same."""
    with CaptureQueriesContext(connection) as cold:
        first = sales_dashboard(range_key=range_key, now=NOW)
    with CaptureQueriesContext(connection) as warm:
        second = sales_dashboard(range_key=range_key, now=NOW)
    # Cold: + the 5 aggregates of the closed hours and their insert (SQLite batches it).
    assert len(cold) <= 30 and len(warm) == 6, (len(cold), len(warm))
    assert SalesHour.objects.count() == (15 if range_key == "today" else 29 * 24 + 15)
    for name in ("created", "paid", "cancelled", "timed_out", "revenue", "refunds", "notifies",
                 "settled_notify", "settled_query", "settled_statement", "totals"):
        assert first[name] == second[name], name
    return second


def test_today_by_beijing_hour(place, courses):
    place(at(4, 0, 10), OrderStatus.PAID, EventKind.NOTIFY)        # 00:10 Beijing = 16:10 UTC the day before
    place(at(3, 23, 50), OrderStatus.PAID, EventKind.NOTIFY)       # yesterday: not today
    place(at(4, 9, 5), OrderStatus.PAID, EventKind.QUERY, chosen=courses[1:2])  # 199.00
    place(at(4, 9, 30), OrderStatus.TIMED_OUT)
    place(at(4, 9, 40), OrderStatus.CANCELLED)
    place(at(4, 9, 45))                                             # still open
    refunded = place(at(4, 10, 0), OrderStatus.PAID, EventKind.STATEMENT, chosen=courses[2:3])
    refunded.lines.update(refund_time=at(4, 14, 30))                # 149.50 back at 14:30
    notify_received(at(4, 0, 11))                                   # a duplicate is still received
    place(at(5, 0, 1), OrderStatus.PAID, EventKind.NOTIFY)          # tomorrow: not today

    data = dashboard_twice("today")

    assert data["labels"][0] == "00:00" and data["labels"][-1] == "23:00" and len(data["labels"]) == 24
    assert data["created"][0] == 1 and data["paid"][0] == 1 and data["revenue"][0] == Decimal("99.00")
    assert data["created"][9] == 4 and data["paid"][9] == 1 and data["timed_out"][9] == 1
    assert data["cancelled"][9] == 1 and data["revenue"][9] == Decimal("199.00")
    assert data["success_rate"][9] == 25.0 and data["success_rate"][1] is None  # nothing to rate
    assert data["refunds"][14] == Decimal("149.50") and sum(data["refunds"]) == Decimal("149.50")
    assert data["notifies"][0] == 2 and sum(data["notifies"]) == 2
    assert (data["settled_notify"][0], data["settled_query"][9], data["settled_statement"][10]) \
        == (1, 1, 1)
    totals = data["totals"]
    assert (totals["created"], totals["paid"], totals["timed_out"], totals["cancelled"]) == (6, 3, 1, 1)
    assert (str(totals["revenue"]), str(totals["refunds"])) == ("447.50", "149.50")  # cents, as shown
    assert totals["success_rate"] == 50.0
    assert totals["query_share"] == round(100 * 2 / 3, 1)  # 2 of 3 payments needed a query/statement


def test_the_last_30_days_by_beijing_day(place):
    place(at(4, 0, 10), OrderStatus.PAID, EventKind.NOTIFY)   # today
    place(at(3, 23, 50), OrderStatus.PAID, EventKind.NOTIFY)  # 12-03 in Beijing (15:50 UTC)
    place(at(3, 7, 59), OrderStatus.TIMED_OUT)                # 12-02 23:59 UTC, still 12-03 here
    place(datetime(2026, 11, 5, 0, 0, tzinfo=BEIJING))        # the first day of the 30
    place(datetime(2026, 11, 4, 23, 59, tzinfo=BEIJING))      # the day before: out

    data = dashboard_twice("30d")

    assert len(data["labels"]) == 30 and data["labels"][0] == "11-05" and data["labels"][-1] == "12-04"
    assert data["created"][-1] == 1 and data["created"][-2] == 2 and data["created"][0] == 1
    assert data["paid"][-2] == 1 and data["timed_out"][-2] == 1
    assert data["totals"]["created"] == 4 and data["totals"]["paid"] == 2
    assert data["settled_notify"][-1] == 1 and data["settled_notify"][-2] == 1


def test_the_query_count_does_not_grow_with_the_orders(place, admin_client):
    def view_queries():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get("/admin/dashboard/?range=30d").status_code == 200
        return len(queries)

    now = timezone.now()
    place(now - timedelta(days=3), OrderStatus.PAID, EventKind.NOTIFY)
    view_queries()  # the closed hours of the 30 days are aggregated once
    few = view_queries()
    for minute in range(20):
        place(now - timedelta(days=2, minutes=minute), OrderStatus.PAID, EventKind.QUERY)
        place(now - timedelta(seconds=minute), OrderStatus.PAID, EventKind.NOTIFY)
    assert view_queries() == few  # the open hour, live: as many queries for 21 orders as for 1


def test_only_staff_who_may_view_orders_see_it(make_order, student):
    url = "/admin/dashboard/"
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    staff = UserFactory(username="clerk", is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.get(url).status_code == 403
    assert "销售看板" not in client.get("/admin/").content.decode()
    staff.user_permissions.add(Permission.objects.get(codename="view_order"))
    page = client.get(url).content.decode()
    assert "支付成功率" in page and 'id="dashboard-data"' in page
    assert "销售看板" in client.get("/admin/").content.decode()
    # An unknown range is today, not an error.
    assert client.get(url + "?range=forever").context["current"] == "today"


def test_the_range_ends_at_beijing_midnight(place):
    data = sales_dashboard(range_key="today", now=NOW)
    span = data["range"]
    assert span.start == at(4, 0) and span.end == at(5, 0)
    assert span.end - span.start == timedelta(days=1)


def test_the_periodic_job_aggregates_closed_hours_once(place):
    from apps.dashboard.services import sales_hours_refresh
    from apps.dashboard.tasks import refresh_sales_hours
    from luffyapi.celery import app

    place(at(4, 9, 5), OrderStatus.PAID, EventKind.NOTIFY)
    assert sales_hours_refresh(now=NOW) == 31 * 24
    hour = SalesHour.objects.get(hour=at(4, 9))
    assert (hour.created, hour.paid, hour.settled_notify, hour.revenue) == (1, 1, 1, Decimal("99.00"))
    with CaptureQueriesContext(connection) as queries:
        assert sales_hours_refresh(now=NOW) == 31 * 24
    assert len(queries) == 1  # all stored: nothing aggregated again
    with CaptureQueriesContext(connection) as queries:
        sales_dashboard(range_key="30d", now=NOW)
    assert len(queries) == 6  # the dashboard then reads them back
    assert app.conf.beat_schedule["dashboard-sales-hours"]["task"] == refresh_sales_hours.name

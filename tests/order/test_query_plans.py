"""The payment path's reads find their rows through an index: none reads a whole table.

A scan costs nothing on a test database and grows with every order ever sold (make bench: the
notify's "trade number used by another order?" scanned every order once its unique index put
the provider first). SQLite's plan is read here (EXPLAIN QUERY PLAN through QuerySet.explain());
MariaDB's optimizer scans tiny tables whatever their indexes, so its plans say nothing here.
"""
import re

import pytest
from django.db import connection

from apps.course.models import UserCourse
from apps.order import selectors  # noqa: F401 -- registers its prepared reads
from apps.order.constants import OrderStatus, PayType
from apps.order.models import Order, OrderDetail
from apps.order.services import orders, payments  # noqa: F401 -- and theirs
from apps.user.models import User
from utils.prepared import PreparedQuery

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "sqlite",
                                 reason="SQLite's planner; MariaDB's scans tiny tables anyway")]

# Values of the right type for each prepared read (the plan does not depend on them).
VALUES = {
    "order.lines_with_order": {"no": "2026"},
    "order.order_with_owner": {"no": "2026"},
    "order.owner_with_order_count": {"pk": 1},
    "order.lines_of_orders": {"ids": [1, 2]},
    "order.lines_owned": {"order_id": 1, "user_id": 1, "trade_no": "T1"},
    "order.courses_with_owned": {"user_id": 1, "ids": [1, 2]},
    "order.open_orders": {"user_id": 1, "course_key": "1,2", "course_ids": [1, 2]},
    "order.orders_page": {"user_id": 1, "offset": 0, "limit": 10},
}
# ORM reads of the money path: the row locks (plain SELECTs on SQLite) and the trade check.
ORM_READS = {
    "order_lock by number": lambda: Order.objects.filter(out_trade_no="2026").order_by(),
    "order_lock by pk": lambda: Order.objects.filter(pk=1).order_by(),
    "the buyer's row": lambda: User.objects.filter(pk=1).order_by(),
    "open orders, locked by pk": lambda: Order.objects.filter(
        pk__in=[1, 2], order_status=OrderStatus.UNPAID).order_by("-created_time", "-pk"),
    "trade_no_taken (services.payments)": lambda: Order.objects.filter(pay_type=PayType.ALIPAY, trade_no="T1")
    .exclude(pk=1),
    "a line by its refund number": lambda: OrderDetail.objects.filter(order_id=1, pk=2),
    "grants of an order": lambda: UserCourse.objects.filter(order_id=1, course_id=2),
}


def scans(plan: str) -> list:
    """The plan's full-table (or full-index) scans: SQLite says SCAN, an index search SEARCH."""
    return [line.strip() for line in plan.splitlines() if re.search(r"\bSCAN\b", line)]


def test_every_prepared_read_is_planned_here():
    assert set(VALUES) == set(PreparedQuery.registry) - {
        name for name in PreparedQuery.registry if name.startswith("test.")}


@pytest.mark.parametrize("name", sorted(VALUES))
def test_a_prepared_read_searches_indexes_and_scans_no_table(name):
    plan = PreparedQuery.registry[name]._build(**VALUES[name]).explain()
    assert scans(plan) == [], plan


@pytest.mark.parametrize("name", sorted(ORM_READS))
def test_an_orm_read_of_the_money_path_scans_no_table(name):
    plan = ORM_READS[name]().explain()
    assert scans(plan) == [], plan


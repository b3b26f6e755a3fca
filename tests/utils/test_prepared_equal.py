"""Every prepared query in the code gives what its queryset gives, on generated data (Hypothesis).

Generated databases (students with 0..n orders, orders with 0..n lines, courses on and off sale,
NULLs where allowed, times on both sides of now) and generated inputs (known and unknown order
numbers and ids, odd text, lists of 1..n ids with repeats, windows of 0..n rows past the end):
each prepared query must return the same rows in the same order, with the same field values,
related objects and annotations, as `list(build(**values))` — or fail the same way. Runs on
the suite's database: SQLite in `make test`, MariaDB in `make test-mysql`.

The inventory test fails for a prepared query in the code that has no inputs here.
"""
import importlib
import pkgutil
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import apps
from apps.course.models import Course, UserCourse
from apps.order.models import Order, OrderDetail
from apps.user.models import User
from utils.prepared import PreparedQuery

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]


def _import_every_app_module():
    for module in pkgutil.walk_packages(apps.__path__, "apps."):
        if ".migrations" not in module.name and ".management" not in module.name:
            importlib.import_module(module.name)


_import_every_app_module()

# --- generated databases --------------------------------------------------------------------

_minutes = st.integers(min_value=-3 * 24 * 60, max_value=3 * 24 * 60)
_line = st.fixed_dictionaries({
    "course": st.integers(min_value=0, max_value=5),
    "refunded_minutes": st.none() | _minutes})
_order = st.fixed_dictionaries({
    "status": st.sampled_from([0, 1, 2, 3]),
    "created_minutes": st.sampled_from([0, -5]) | _minutes,  # ties too: -id breaks them
    "expire_minutes": _minutes,
    "paid_minutes": st.none() | _minutes,
    "has_trade_no": st.booleans(),
    "lines": st.lists(_line, max_size=4),
    "subject": st.text(max_size=20)})
_database = st.fixed_dictionaries({
    "courses": st.lists(st.tuples(st.integers(min_value=0, max_value=10 ** 7), st.booleans()),
                        min_size=1, max_size=6),
    "students": st.lists(st.tuples(st.booleans(), st.lists(_order, max_size=5)),
                         min_size=1, max_size=3)})


def _build(data, now):
    """Write a generated database; returns what the inputs may refer to."""
    courses = [Course.objects.create(name=f"课程{i}", brief="b", price=Decimal(cents) / 100,
                                     is_on_sale=on_sale, lessons=1, teacher="t")
               for i, (cents, on_sale) in enumerate(data["courses"])]
    users, orders = [], []
    for n, (active, their_orders) in enumerate(data["students"]):
        user = User.objects.create(username=f"gen{n}", is_active=active)
        users.append(user)
        for k, spec in enumerate(their_orders):
            chosen = {spec_line["course"] % len(courses): spec_line for spec_line in spec["lines"]}
            order = Order.objects.create(
                user=user, subject=spec["subject"], out_trade_no=f"G{n}x{k}",
                total_amount=sum((courses[i].price for i in chosen), Decimal("0.00")),
                order_status=spec["status"],
                course_key=",".join(str(courses[i].pk) for i in sorted(chosen)),
                expire_time=now + timedelta(minutes=spec["expire_minutes"]),
                trade_no=f"T{n}x{k}" if spec["has_trade_no"] else None,
                pay_time=None if spec["paid_minutes"] is None
                else now + timedelta(minutes=spec["paid_minutes"]))
            Order.objects.filter(pk=order.pk).update(
                created_time=now + timedelta(minutes=spec["created_minutes"]))
            for i, spec_line in chosen.items():
                refunded = spec_line["refunded_minutes"]
                OrderDetail.objects.create(
                    order=order, course=courses[i], price=courses[i].price,
                    real_price=courses[i].price,
                    refund_time=None if refunded is None else now + timedelta(minutes=refunded))
                if spec["status"] == 1:
                    UserCourse.objects.get_or_create(user=user, course=courses[i],
                                                     defaults={"order": order})
            orders.append(order)
    return {"users": [u.pk for u in users], "orders": [o.pk for o in orders],
            "numbers": [o.out_trade_no for o in orders],
            "course_keys": [o.course_key for o in orders], "courses": [c.pk for c in courses]}


# --- generated inputs, per prepared query ---------------------------------------------------

def _number(known):
    odd = st.text(max_size=70) | st.sampled_from(["", " ", "G0x0 ", "g0X0", "%", "_", "G0x_"])
    return (st.sampled_from(known) if known else st.nothing()) | odd


def _an_id(known):
    return (st.sampled_from(known) if known else st.nothing()) | st.integers(
        min_value=-(2 ** 70), max_value=2 ** 70) | st.integers(min_value=-2, max_value=50)


def _ids(known):
    items = _an_id(known)
    return (st.lists(items, min_size=1, max_size=8)
            | st.lists(items, min_size=1, max_size=4).map(tuple)
            | st.lists(items | st.none(), max_size=4))


INPUTS = {  # every prepared query in the code: the inputs it is tried with
    "order.lines_with_order": lambda ref: st.fixed_dictionaries({"no": _number(ref["numbers"])}),
    "order.order_with_owner": lambda ref: st.fixed_dictionaries({"no": _number(ref["numbers"])}),
    "order.owner_with_order_count": lambda ref: st.fixed_dictionaries(
        {"pk": _an_id(ref["users"])}),
    "order.lines_of_orders": lambda ref: st.fixed_dictionaries({"ids": _ids(ref["orders"])}),
    "order.lines_owned": lambda ref: st.fixed_dictionaries({
        "order_id": _an_id(ref["orders"]), "user_id": _an_id(ref["users"]),
        "trade_no": st.sampled_from(["T0x0", "T0x1", "T1x0", "t0x0", ""]) | st.text(max_size=8)}),
    "order.open_orders": lambda ref: st.fixed_dictionaries({
        "user_id": _an_id(ref["users"]), "course_ids": _ids(ref["courses"]),
        "course_key": _number(ref["course_keys"])}),
    "order.courses_with_owned": lambda ref: st.fixed_dictionaries({
        "user_id": _an_id(ref["users"]), "ids": _ids(ref["courses"])}),
    "order.orders_page": lambda ref: st.fixed_dictionaries({
        "user_id": _an_id(ref["users"]), "offset": st.integers(min_value=0, max_value=8),
        "limit": st.integers(min_value=0, max_value=8)}),
}


# --- what "the same" means ------------------------------------------------------------------

def snapshot(obj):
    """Everything a caller can read without a query: fields, annotations, related objects."""
    values = {k: v for k, v in vars(obj).items() if k != "_state"}
    related = {name: None if other is None else snapshot(other)
               for name, other in obj._state.fields_cache.items()}
    return (type(obj).__name__, values, related, sorted(obj.get_deferred_fields()),
            obj._state.db, obj._state.adding)


def outcome(run):
    """The rows' snapshots, or the error's type: a failure must be the same failure."""
    try:
        with transaction.atomic():
            return [snapshot(obj) for obj in run()]
    except Exception as exc:  # noqa: BLE001 -- compared, not swallowed
        return ("raised", type(exc).__name__)


@pytest.mark.parametrize("name", sorted(INPUTS))
@settings(max_examples=35, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_prepared_query_equals_its_queryset(name, data):
    query = PreparedQuery.registry[name]
    with transaction.atomic():
        ref = _build(data.draw(_database, label="database"), timezone.now())
        values = data.draw(INPUTS[name](ref), label="values")
        want = outcome(lambda: list(query._build(**values)))
        got = outcome(lambda: query(**values))
        # A second call runs the plan the first compiled (or reused).
        again = outcome(lambda: query(**values))
        transaction.set_rollback(True)
    assert got == want
    assert again == want


def test_every_prepared_query_in_the_code_has_generated_inputs():
    in_code = {name for name in PreparedQuery.registry if not name.startswith("test.")}
    assert in_code == set(INPUTS), "a prepared query without a differential test (INPUTS)"
    # And none is made where importing the apps would not register it (inside a function).
    sources = [p for root in ("apps", "utils", "lib") for p in (REPO / root).rglob("*.py")
               if p.name != "prepared.py"]
    made = sum(len(re.findall(r"\bPreparedQuery\(", p.read_text(encoding="utf-8")))
               for p in sources)
    assert made == len(in_code)

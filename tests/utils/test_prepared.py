"""PreparedQuery: the rows a queryset would give, from SQL compiled once."""
from unittest import mock

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import F, signals
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError

from apps.course.models import Course
from apps.order.models import Order, OrderDetail, PaymentEvent
from tests.factories import CourseFactory, UserFactory
from utils.prepared import PreparedQuery, insert, update_fields

pytestmark = pytest.mark.django_db

lines_of_order = PreparedQuery(
    lambda no: OrderDetail.objects.select_related("order__user", "course")
    .annotate(owner_active=F("order__user__is_active"))
    .filter(order__out_trade_no=no).order_by("id"), no="")
courses_by_id = PreparedQuery(lambda ids: Course.objects.filter(pk__in=ids).order_by("id"),
                              ids=[0])


def fields(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_same_objects_as_iterating_the_queryset(make_order, courses):
    order = make_order(UserFactory(), courses)
    make_order(UserFactory(), courses[:1])  # another order's lines stay out

    prepared = lines_of_order(no=order.out_trade_no)
    expected = list(OrderDetail.objects.select_related("order__user", "course")
                    .annotate(owner_active=F("order__user__is_active"))
                    .filter(order__out_trade_no=order.out_trade_no).order_by("id"))

    assert len(prepared) == 3
    for got, want in zip(prepared, expected, strict=True):
        assert fields(got) == fields(want)
        assert fields(got.order) == fields(want.order)  # decimals, aware datetimes
        assert fields(got.order.user) == fields(want.order.user)
        assert fields(got.course) == fields(want.course)
        assert got.owner_active is True
    assert lines_of_order(no="no-such-order") == []


def test_compiled_once_then_one_query_a_call(make_order, courses, django_assert_num_queries):
    first, second = make_order(UserFactory(), courses[:1]), make_order(UserFactory(), courses[1:])
    lines_of_order(no=first.out_trade_no)
    with mock.patch.object(SQLCompiler, "as_sql", side_effect=AssertionError("compiled again")):
        with django_assert_num_queries(1):
            assert [line.course_id for line in lines_of_order(no=second.out_trade_no)] == [
                c.pk for c in courses[1:]]


def test_lists_of_any_length():
    made = [CourseFactory() for _ in range(4)]
    assert [c.pk for c in courses_by_id(ids=[made[2].pk])] == [made[2].pk]
    assert [c.name for c in courses_by_id(ids=[made[3].pk, made[0].pk, 10 ** 9])] == [
        made[0].name, made[3].name]


@pytest.mark.parametrize("values", [{"ids": []}, {"ids": None}, {"ids": 3}, {"no": "x"}])
def test_values_that_do_not_fit_are_refused(values):
    with pytest.raises(TypeError):
        courses_by_id(**values)


@pytest.mark.django_db(transaction=True)
def test_a_locking_query_still_needs_a_transaction(courses):
    locked = PreparedQuery(lambda pk: Course.objects.select_for_update().filter(pk=pk), pk=0)
    with transaction.atomic():
        assert locked(pk=courses[0].pk)[0].name == courses[0].name
    with pytest.raises(TransactionManagementError):
        locked(pk=courses[0].pk)


def test_insert_writes_what_create_writes(order):
    common = dict(kind="notify", order=order, out_trade_no=order.out_trade_no,
                  params={"金额": "99.00", "nested": [1, None]}, verified=None, outcome="paid",
                  from_status=0, to_status=1, notify_id="nid-1", flagged=True)
    by_orm = PaymentEvent.objects.create(**common)
    mine, other = PaymentEvent(**common), PaymentEvent(**{**common, "outcome": "second"})

    insert(mine)
    insert(PaymentEvent(**{**common, "outcome": "two at once"}), other)

    stored = PaymentEvent.objects.get(pk=mine.pk)
    skip = {"id", "created_time"}
    assert {k: v for k, v in fields(stored).items() if k not in skip} == {
        k: v for k, v in fields(by_orm).items() if k not in skip}
    assert stored.created_time >= by_orm.created_time  # auto_now_add, as save() sets it
    assert PaymentEvent.objects.filter(outcome__in=["two at once", "second"]).count() == 2


def test_update_fields_saves_those_fields_and_refreshes_auto_now(order):
    before = Order.objects.get(pk=order.pk)
    order.trade_no, order.subject = "2026000000000000000000000001", "not saved"

    update_fields(order, ["trade_no", "updated_time"])

    after = Order.objects.get(pk=order.pk)
    assert after.trade_no == "2026000000000000000000000001" and after.subject == before.subject
    assert after.updated_time > before.updated_time


def test_update_of_a_missing_row_fails(order):
    ghost = Order.objects.get(pk=order.pk)
    ghost.pk = 10 ** 9
    with pytest.raises(DatabaseError):
        update_fields(ghost, ["subject"])


def test_writes_send_the_signals_save_sends(order):
    """insert()/update_fields() send pre_save and post_save as save() does (metrics count them)."""
    seen = []

    def receiver(signal, sender, instance, **kwargs):
        seen.append((signal, instance.pk, kwargs.get("created"), kwargs.get("update_fields")))

    for signal in (signals.pre_save, signals.post_save):
        signal.connect(receiver, sender=PaymentEvent, dispatch_uid="t1")
        signal.connect(receiver, sender=Order, dispatch_uid="t2")
    try:
        first, second = (PaymentEvent(kind="notify", order=order, outcome="paid") for _ in "12")
        insert(first, second)
        update_fields(order, ["subject"])
    finally:
        for signal in (signals.pre_save, signals.post_save):
            signal.disconnect(dispatch_uid="t1", sender=PaymentEvent)
            signal.disconnect(dispatch_uid="t2", sender=Order)
    posts = [s for s in seen if s[0] is signals.post_save]
    assert [(s[2], s[3]) for s in posts] == [(True, None), (True, None), (False, {"subject"})]
    assert len(seen) == 6
    if connection.features.can_return_rows_from_bulk_insert:
        assert posts[0][1] == first.pk and first.pk and second.pk == first.pk + 1


def test_datetimes_bind_as_the_database_reads_them(make_order, courses):
    from datetime import timedelta

    from django.utils import timezone
    order = make_order(UserFactory(), courses[:1])
    open_at = PreparedQuery(lambda now: Order.objects.filter(expire_time__gt=now), now=timezone.now())
    assert [o.pk for o in open_at(now=order.expire_time - timedelta(seconds=1))] == [order.pk]
    assert open_at(now=order.expire_time) == []

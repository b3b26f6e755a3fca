"""PreparedQuery: the rows a queryset would give, from SQL compiled once."""
from unittest import mock

import pytest
from django.db import transaction
from django.db.models import F
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError

from apps.course.models import Course
from apps.order.models import OrderDetail
from tests.factories import CourseFactory, UserFactory
from utils.prepared import PreparedQuery

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

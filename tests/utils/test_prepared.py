"""PreparedQuery: what it refuses, what it hands to the ORM, and that it compiles once.

Each case here is one way the first version differed from the ORM (issue 16); the equality of
every prepared query in the code with its queryset is proven on generated data in
test_prepared_equal.py.
"""
from datetime import date, datetime, timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.db.models import F
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from apps.course.models import Course
from apps.order.models import Order, OrderDetail
from tests.factories import CourseFactory, UserFactory
from utils.prepared import PreparedQuery

pytestmark = pytest.mark.django_db


def prepared(build, /, **kinds):
    """A PreparedQuery for one test, removed from the registry after it (the inventory test)."""
    name = f"test.{len(PreparedQuery.registry)}.{id(build)}"
    query = PreparedQuery(name, build, **{k: v for k, v in kinds.items() if k != "fixed"},
                          fixed=kinds.get("fixed", ()))
    prepared.made.append(name)
    return query


prepared.made = []


@pytest.fixture(autouse=True)
def _forget_test_queries():
    yield
    while prepared.made:
        PreparedQuery.registry.pop(prepared.made.pop(), None)


def courses_by_id():
    return prepared(lambda ids: Course.objects.filter(pk__in=ids).order_by("id"), ids=[0])


def test_compiled_once_then_one_query_a_call(make_order, courses, django_assert_num_queries):
    lines = prepared(lambda no: OrderDetail.objects.select_related("order__user", "course")
                     .annotate(owner_active=F("order__user__is_active"))
                     .filter(order__out_trade_no=no).order_by("id"), no="")
    first, second = make_order(UserFactory(), courses[:1]), make_order(UserFactory(), courses[1:])
    lines(no=first.out_trade_no)
    with mock.patch.object(SQLCompiler, "as_sql", side_effect=AssertionError("compiled again")):
        with django_assert_num_queries(1):
            got = lines(no=second.out_trade_no)
    assert [line.course_id for line in got] == [c.pk for c in courses[1:]]
    assert got[0].order.user.username and got[0].owner_active is True


@pytest.mark.parametrize("ids", [[], ()])
def test_an_empty_list_or_tuple_finds_nothing_as_the_orm_does(ids):
    CourseFactory()
    assert courses_by_id()(ids=ids) == [] == list(Course.objects.filter(pk__in=ids))


def test_a_tuple_is_a_list():
    made = [CourseFactory() for _ in range(3)]
    assert [c.pk for c in courses_by_id()(ids=(made[2].pk, made[0].pk))] == [
        made[0].pk, made[2].pk]


def test_none_in_a_list_is_dropped_as_the_orm_drops_it():
    made = CourseFactory()
    assert [c.pk for c in courses_by_id()(ids=[None, made.pk])] == [made.pk]


def test_repeated_ids_and_ints_past_32_bits_answer_as_the_orm():
    made = CourseFactory()
    query = courses_by_id()
    assert [c.pk for c in query(ids=[made.pk, made.pk])] == [made.pk]
    assert query(ids=[2 ** 63 - 1]) == list(Course.objects.filter(pk__in=[2 ** 63 - 1]))
    by_pk = prepared(lambda pk: Course.objects.filter(pk=pk), pk=0)
    assert by_pk(pk=2 ** 70) == [] == list(Course.objects.filter(pk=2 ** 70))


@pytest.mark.parametrize("value", [None, True, 1.0, "1", date(2026, 1, 1),
                                   datetime(2026, 1, 1), timezone.now()])
def test_a_value_of_another_type_is_refused(value):
    by_pk = prepared(lambda pk: Course.objects.filter(pk=pk), pk=0)
    with pytest.raises(TypeError):
        by_pk(pk=value)


def test_datetimes_cannot_be_declared():
    with pytest.raises(TypeError):
        prepared(lambda now: Order.objects.filter(expire_time__gt=now), now=timezone.now())


@pytest.mark.parametrize("values", [{"ids": None}, {"ids": 3}, {"no": "x"}, {},
                                    {"ids": [1], "no": "x"}])
def test_values_that_do_not_fit_are_refused(values):
    with pytest.raises(TypeError):
        courses_by_id()(**values)


def test_a_list_of_many_ints_compiles():
    made = [CourseFactory() for _ in range(3)]
    ids = [m.pk for m in made] + list(range(10 ** 6, 10 ** 6 + 200))
    assert [c.pk for c in courses_by_id()(ids=ids)] == [m.pk for m in made]


@pytest.mark.parametrize("lookup", ["name__iexact", "name__contains", "name__icontains",
                                    "name__startswith", "name__endswith"])
def test_a_lookup_that_escapes_its_value_is_refused(lookup):
    query = prepared(lambda name: Course.objects.filter(**{lookup: name}), name="")
    with pytest.raises(ValueError, match="not one of its declared values"):
        query(name="a_c")


def test_a_value_computed_by_the_builder_is_refused_not_frozen():
    query = prepared(lambda pk: Order.objects.filter(pk=pk, expire_time__gt=timezone.now()),
                     pk=0)
    with pytest.raises(ValueError, match="not one of its declared values"):
        query(pk=1)


def test_a_constant_or_a_setting_in_the_sql_is_refused():
    query = prepared(lambda pk: Order.objects.filter(
        pk=pk, total_amount__lt=settings.ORDER_TIMEOUT_MINUTES), pk=0)
    with pytest.raises(ValueError, match="not one of its declared values"):
        query(pk=1)


def test_sql_that_changes_between_builds_is_refused():
    calls = []

    def build(pk):
        calls.append(pk)
        queryset = Course.objects.filter(pk=pk)
        return queryset.order_by("id") if len(calls) % 2 else queryset.order_by("-id")

    with pytest.raises(ValueError, match="changes with something"):
        prepared(build, pk=0)(pk=1)


@pytest.mark.parametrize("shape", [
    lambda pk: Course.objects.filter(pk=pk).prefetch_related("usercourse_set"),
    lambda pk: Course.objects.filter(pk=pk).values("name"),
    lambda pk: Course.objects.filter(pk=pk).values_list("name", flat=True),
    lambda pk: Course.objects.select_for_update().filter(pk=pk),
    lambda pk: Course.objects.filter(pk=pk).union(Course.objects.filter(pk=pk)),
])
def test_what_it_does_not_reproduce_is_refused(shape):
    with pytest.raises(ValueError, match="cannot use"):
        prepared(shape, pk=0)(pk=1)


def test_a_zero_length_slice_is_an_empty_list_without_a_query(django_assert_num_queries):
    CourseFactory()
    page = prepared(lambda offset, limit: Course.objects.order_by("id")[offset:offset + limit],
                    fixed=("offset", "limit"))
    with django_assert_num_queries(0):
        assert page(offset=0, limit=0) == []
    assert len(page(offset=0, limit=5)) == 1 and page(offset=1, limit=5) == []


@pytest.mark.parametrize("fixed", [-1, "1", None, True])
def test_a_fixed_value_is_a_non_negative_int(fixed):
    page = prepared(lambda offset: Course.objects.order_by("id")[offset:], fixed=("offset",))
    with pytest.raises(TypeError):
        page(offset=fixed)


def test_plans_are_kept_per_database_and_vendor():
    query = courses_by_id()
    query(ids=[1])
    ((alias, vendor, fixed, lengths),) = query._plans
    assert (alias, fixed, lengths) == ("default", (), (1,))
    from django.db import connection
    assert vendor == connection.vendor


def test_names_are_unique():
    prepared(lambda pk: Course.objects.filter(pk=pk), pk=0)
    with pytest.raises(ValueError):
        PreparedQuery(prepared.made[-1], lambda pk: Course.objects.filter(pk=pk), pk=0)


def test_aware_datetimes_come_back_as_the_orm_gives_them(make_order, courses):
    order = make_order(UserFactory(), courses[:1])
    by_no = prepared(lambda no: Order.objects.filter(out_trade_no=no), no="")
    (got,) = by_no(no=order.out_trade_no)
    want = Order.objects.get(pk=order.pk)
    assert got.expire_time == want.expire_time and got.expire_time.tzinfo is not None
    assert got.expire_time - got.created_time == timedelta(minutes=settings.ORDER_TIMEOUT_MINUTES) \
        or abs(got.expire_time - want.expire_time) == timedelta(0)
    assert got.total_amount == want.total_amount

"""Course API over HTTP: the paginated list, one course with `purchased`, and seed_demo."""
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from apps.course.demo import DEMO_COURSES, DEMO_STUDENT
from apps.course.models import Course
from apps.user.models import User
from tests.alipay_fake import signed_notify
from tests.conftest import client_for, post_notify
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db

LIST = "/api/course/"


def detail(course_id):
    return f"/api/course/{course_id}/"


def assert_not_found(response):
    assert response.status_code == 404, response.content
    body = response.json()
    assert body["status"] != 0 and body["msg"].strip()
    assert "course" not in body and "results" not in body
    assert "Traceback" not in response.content.decode()


# --- list -----------------------------------------------------------------------------------

def test_list_shows_only_courses_on_sale_with_two_decimal_prices(api, courses):
    CourseFactory(name="已下架的课", price=Decimal("1.00"), is_on_sale=False)

    response = api.get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == 0
    assert body["count"] == 3 and body["next"] is None and body["previous"] is None
    assert [r["id"] for r in body["results"]] == [c.pk for c in courses]
    assert [r["price"] for r in body["results"]] == ["99.00", "199.00", "149.50"]
    assert "已下架的课" not in response.content.decode()
    first = body["results"][0]
    assert set(first) >= {"id", "name", "brief", "price", "level", "level_display", "lessons",
                          "teacher"}
    assert first["purchased"] is False  # anonymous: owns nothing


def test_list_follows_display_order(api):
    late = CourseFactory(display_order=2)
    early = CourseFactory(display_order=1)
    assert [r["id"] for r in api.get(LIST).json()["results"]] == [early.pk, late.pk]


@pytest.mark.parametrize("price, shown", [
    ("149.5", "149.50"), ("99", "99.00"), ("0.01", "0.01"), ("12345678.90", "12345678.90"),
])
def test_price_is_always_a_two_decimal_string(api, price, shown):
    course = CourseFactory(price=Decimal(price))
    assert api.get(LIST).json()["results"][0]["price"] == shown
    assert api.get(detail(course.pk)).json()["course"]["price"] == shown


@pytest.fixture
def twelve_courses(db):
    return [CourseFactory() for _ in range(12)]


def test_list_is_paginated_ten_by_default(api, twelve_courses):
    first = api.get(LIST).json()
    assert first["count"] == 12 and len(first["results"]) == 10
    assert first["previous"] is None and "page=2" in first["next"]

    second = api.get(first["next"]).json()
    assert [r["id"] for r in second["results"]] == [c.pk for c in twelve_courses[10:]]
    assert second["next"] is None and second["previous"] is not None


@pytest.mark.parametrize("query, ids_slice, has_next, has_previous", [
    ("page_size=5", slice(0, 5), True, False),
    ("page_size=5&page=2", slice(5, 10), True, True),
    ("page_size=5&page=3", slice(10, 12), False, True),
    ("page_size=12", slice(0, 12), False, False),
])
def test_page_size_parameter(api, twelve_courses, query, ids_slice, has_next, has_previous):
    body = api.get(f"{LIST}?{query}").json()
    assert body["count"] == 12
    assert [r["id"] for r in body["results"]] == [c.pk for c in twelve_courses[ids_slice]]
    assert (body["next"] is not None) is has_next
    assert (body["previous"] is not None) is has_previous


@pytest.mark.parametrize("query", ["page=4&page_size=5", "page=99"])
def test_page_beyond_range_is_404_envelope(api, twelve_courses, query):
    assert_not_found(api.get(f"{LIST}?{query}"))


@pytest.mark.parametrize("query, field", [
    ("page=abc", "page"), ("page=0", "page"), ("page=1.5", "page"), ("page=", "page"),
    ("page=%EF%BC%91", "page"),  # a fullwidth digit one
    ("page_size=abc", "page_size"), ("page_size=0", "page_size"), ("page_size=-5", "page_size"),
    ("page_size=51", "page_size"), ("page_size=2.0", "page_size"),
])
def test_a_page_or_page_size_that_is_not_a_valid_integer_is_400(api, twelve_courses, query, field):
    response = api.get(f"{LIST}?{query}")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["status"] != 0 and field in body["errors"] and body["msg"]


def test_empty_shelf_is_an_empty_first_page(api, db):
    body = api.get(LIST).json()
    assert body["status"] == 0 and body["count"] == 0 and body["results"] == []


# --- detail ---------------------------------------------------------------------------------

def test_detail_for_anonymous_visitor_is_not_purchased(api, courses):
    response = api.get(detail(courses[2].pk))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == 0
    assert body["course"]["id"] == courses[2].pk
    assert body["course"]["name"] == courses[2].name
    assert body["course"]["price"] == "149.50"
    assert body["course"]["purchased"] is False


def test_purchased_is_true_only_for_the_owner_after_payment(api, student, student_api,
                                                            other_student, order):
    owned = order.lines.first().course_id
    stranger = client_for(other_student)
    assert student_api.get(detail(owned)).json()["course"]["purchased"] is False  # unpaid yet

    assert post_notify(api, signed_notify(order)).content == b"success"

    assert student_api.get(detail(owned)).json()["course"]["purchased"] is True
    assert stranger.get(detail(owned)).json()["course"]["purchased"] is False
    assert api.get(detail(owned)).json()["course"]["purchased"] is False
    not_bought = Course.objects.exclude(
        pk__in=order.lines.values_list("course_id", flat=True)).first()
    assert student_api.get(detail(not_bought.pk)).json()["course"]["purchased"] is False


def test_unknown_course_is_404_envelope(api, courses):
    assert_not_found(api.get(detail(10 ** 6)))


def test_off_sale_course_is_404_envelope_even_for_its_owner(api, student, student_api, order):
    post_notify(api, signed_notify(order))
    course = order.lines.first().course
    Course.objects.filter(pk=course.pk).update(is_on_sale=False)
    assert_not_found(api.get(detail(course.pk)))
    assert_not_found(student_api.get(detail(course.pk)))


def test_non_numeric_course_id_is_a_json_404(api, db):
    response = api.get("/api/course/abc/")
    assert response.status_code == 404
    assert response.json()["status"] != 0


# --- seed_demo ------------------------------------------------------------------------------

def test_seed_demo_is_idempotent_and_the_demo_student_can_log_in(api, db):
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())

    assert Course.objects.count() == len(DEMO_COURSES)
    assert User.objects.filter(username=DEMO_STUDENT["username"]).count() == 1
    body = api.get(f"{LIST}?page_size=50").json()
    assert body["count"] == len(DEMO_COURSES)
    assert [r["name"] for r in body["results"]] == [c["name"] for c in DEMO_COURSES]
    assert [r["price"] for r in body["results"]] == [f"{c['price']:.2f}" for c in DEMO_COURSES]

    response = api.post("/api/user/login/", {"username": DEMO_STUDENT["username"],
                                             "password": DEMO_STUDENT["password"]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["username"] == DEMO_STUDENT["username"]


def test_seed_demo_keeps_existing_courses_and_a_changed_password(api, db):
    other = CourseFactory(name="自己加的课")
    call_command("seed_demo", stdout=StringIO())
    student = User.objects.get(username=DEMO_STUDENT["username"])
    student.set_password("changed-by-the-student-1")
    student.save()

    call_command("seed_demo", stdout=StringIO())

    assert Course.objects.filter(pk=other.pk).exists()
    assert Course.objects.count() == len(DEMO_COURSES) + 1
    student.refresh_from_db()
    assert student.check_password("changed-by-the-student-1")


def test_the_list_says_which_courses_the_caller_owns_in_constant_queries(api, student, courses,
                                                                          make_order):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.alipay_fake import signed_notify
    from tests.conftest import client_for, post_notify
    post_notify(api, signed_notify(make_order(student, courses[:1])))
    owner = client_for(student)
    with CaptureQueriesContext(connection) as queries:
        results = owner.get("/api/course/").json()["results"]
    assert {c["id"]: c["purchased"] for c in results} == {
        courses[0].pk: True, courses[1].pk: False, courses[2].pk: False}
    assert len(queries) <= 4  # user, count, page, owned ids
    assert not any(c["purchased"] for c in api.get("/api/course/").json()["results"])

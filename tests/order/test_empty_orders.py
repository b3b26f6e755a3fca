"""My orders for a student with none, and the window edges of a student with some."""
import pytest

from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ORDERS = "/api/order/"


@pytest.mark.parametrize("query", ["", "?page=1", "?page_size=1", "?page_size=50",
                                   "?page=1&page_size=7"])
def test_a_new_student_sees_an_empty_first_page(query):
    api = client_for(UserFactory(username="newcomer"))
    response = api.get(ORDERS + query)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == 0
    assert (body["count"], body["results"], body["next"], body["previous"]) == (0, [], None, None)


def test_a_new_student_asking_for_page_two_gets_a_clear_404():
    api = client_for(UserFactory(username="newcomer"))
    response = api.get(ORDERS + "?page=2")
    assert response.status_code == 404
    assert response.json()["status"] != 0


@pytest.mark.parametrize("orders,page_size,page,expected", [
    (1, 1, 1, 1), (3, 2, 2, 1), (4, 2, 2, 2), (5, 50, 1, 5), (2, 1, 2, 1)])
def test_the_last_page_holds_the_rest(student, make_order, courses, orders, page_size, page,
                                      expected):
    made = [make_order(student, [course]) for course in courses[:orders]] if orders <= 3 else None
    if made is None:  # more orders than courses: one course each from fresh courses
        from tests.factories import CourseFactory
        made = [make_order(student, [CourseFactory()]) for _ in range(orders)]
    api = client_for(student)
    body = api.get(f"{ORDERS}?page={page}&page_size={page_size}").json()
    assert body["count"] == orders
    assert len(body["results"]) == expected
    assert body["next"] is None
    newest_first = [o.out_trade_no for o in reversed(made)]
    assert [o["out_trade_no"] for o in body["results"]] == \
        newest_first[(page - 1) * page_size:(page - 1) * page_size + expected]

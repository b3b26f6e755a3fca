"""A brand-new student's first visit to every GET endpoint: no 5xx, the envelope, the right codes.

The student registers and logs in over real HTTP against the live server, then every GET
operation of the OpenAPI schema that server serves is called with the student's token and
without one. The operations come from the schema, the expectations from the table below: a GET
endpoint (or a parameter) the table does not know fails the test until someone writes down what
a newcomer should get from it. This is the test that would have seen the 500 a new student got
from GET /api/order/ (issue #16).
"""
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import requests

from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "luffy-pass-2026"
UNKNOWN_ORDER = "2026010108000000000012345678"  # shaped like ours (28 digits); no such order
UNKNOWN_COURSE = 999999


@dataclass(frozen=True)
class Visit:
    """One request, and what the new student (with their token) and a stranger (without) get."""

    url: str
    student: int
    anonymous: int
    check: Callable[[dict], bool] | None = None  # on a 200's JSON body, both callers


def empty_page(body):
    return (body["count"], body["results"], body["next"], body["previous"]) == (0, [], None, None)


def one_course_not_owned(body):
    return body["count"] == 1 and [c["purchased"] for c in body["results"]] == [False]


# The page/page_size edges every paginated list is asked for: 200 within the bounds, 400 for a
# value the paginator refuses, 404 for a page past the end (the shop has one course; the new
# student no order).
PAGE_EDGES = [("", 200), ("?page=1", 200), ("?page_size=1", 200), ("?page_size=50", 200),
              ("?page=1&page_size=50", 200), ("?page=2", 404), ("?page=2&page_size=1", 404),
              ("?page=999999999", 404), ("?page=0", 400), ("?page_size=0", 400),
              ("?page_size=51", 400), ("?page=x", 400)]


def paged(path, *, anonymous, check):
    return [Visit(path + query, code, anonymous or code, check if code == 200 else None)
            for query, code in PAGE_EDGES]


def visits(course_id):
    """Every GET operation of the schema (its path as the schema spells it) → its visits."""
    return {
        "/api/course/": paged("/api/course/", anonymous=None, check=one_course_not_owned),
        "/api/course/{course_id}/": [
            Visit(f"/api/course/{course_id}/", 200, 200, lambda b: b["course"]["purchased"] is False),
            Visit(f"/api/course/{UNKNOWN_COURSE}/", 404, 404),
            Visit("/api/course/0/", 404, 404),
        ],
        "/api/order/": paged("/api/order/", anonymous=401, check=empty_page),
        "/api/order/pay-methods/": [  # public: the test settings take Alipay alone
            Visit("/api/order/pay-methods/", 200, 200,
                  lambda b: [m["provider"] for m in b["methods"]] == ["alipay"]),
        ],
        "/api/order/{out_trade_no}/": [
            Visit(f"/api/order/{UNKNOWN_ORDER}/", 404, 401),
            Visit("/api/order/x/", 404, 401),
        ],
        "/api/order/success/": [  # the pay result page's poll
            Visit(f"/api/order/success/?out_trade_no={UNKNOWN_ORDER}", 404, 401),
            Visit(f"/api/order/success/?out_trade_no={UNKNOWN_ORDER}&sign=forged", 404, 401),
            Visit("/api/order/success/", 400, 401),
            Visit("/api/order/success/?out_trade_no=", 400, 401),
        ],
        "/api/user/courses/": [Visit("/api/user/courses/", 200, 401, lambda b: b["results"] == [])],
    }


# Served outside the schema, visited all the same: the load balancer's health check, the
# operator-only metrics (403 without the operator's credentials, whoever asks), the schema
# and its docs page.
OUTSIDE_SCHEMA = [
    Visit("/api/health/", 200, 200, lambda b: (b["database"], b["cache"]) == ("ok", "ok")),
    Visit("/metrics", 403, 403),
    Visit("/api/schema/?format=json", 200, 200, lambda b: "paths" in b),
    Visit("/api/docs/", 200, 200),
]


def register_and_log_in(base):
    """A brand-new student, through the API as the SPA does it: their access token."""
    answer = requests.post(f"{base}/api/user/register/", timeout=10,
                           json={"username": "newcomer", "password": PASSWORD})
    assert answer.status_code == 201, answer.text
    answer = requests.post(f"{base}/api/user/login/", timeout=10,
                           json={"username": "newcomer", "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return answer.json()["token"]


def get_operations(schema):
    """{path: [parameter names]} of every GET operation in the schema."""
    return {path: sorted(p["name"] for p in item["get"].get("parameters", []))
            for path, item in schema["paths"].items() if "get" in item}


def problems_with(answer, visit, expected, who):
    """What is wrong with one answer (empty when it is what a newcomer should get)."""
    where = f"GET {visit.url} ({who}) answered {answer.status_code}"
    found = []
    if answer.status_code >= 500:
        found.append(f"{where}: a server error: {answer.text[:300]}")
    elif answer.status_code != expected:
        found.append(f"{where}, expected {expected}: {answer.text[:300]}")
    if "Traceback" in answer.text:
        found.append(f"{where}: the body leaks a traceback")
    is_api = visit.url.startswith("/api/") and not visit.url.startswith(("/api/schema/",
                                                                          "/api/docs/"))
    if not answer.headers.get("Content-Type", "").startswith("application/json"):
        if is_api:
            found.append(f"{where}: not JSON: {answer.headers.get('Content-Type')}")
        return found
    body = answer.json()
    if not (isinstance(body.get("status"), int) and isinstance(body.get("msg"), str)):
        if is_api:
            found.append(f"{where}: no status/msg envelope: {answer.text[:300]}")
    elif (body["status"] == 0) != (answer.status_code < 400) or \
            (answer.status_code >= 400 and not body["msg"]):
        found.append(f"{where}: envelope status {body['status']} msg {body['msg']!r} "
                     f"disagrees with HTTP {answer.status_code}")
    if answer.status_code == 200 and visit.check and not visit.check(body):
        found.append(f"{where}: unexpected body {answer.text[:300]}")
    return found


def test_a_new_students_first_visit_to_every_get_endpoint(live_server):
    base = live_server.url
    course = CourseFactory(name="Python 全栈开发入门", price="99.00")
    token = register_and_log_in(base)
    schema = requests.get(f"{base}/api/schema/?format=json", timeout=10).json()
    expected = visits(course.pk)

    operations = get_operations(schema)
    assert sorted(operations) == sorted(expected), (
        "the schema's GET endpoints changed: say in visits() what a new student gets from "
        f"{sorted(set(operations) ^ set(expected))}")
    for path, names in operations.items():
        # Every parameter is one this table fills (path) or varies (query): a new one fails.
        filled = {"course_id", "out_trade_no", "page", "page_size"}
        assert set(names) <= filled, f"{path} has parameters nobody fills: {names}"

    problems, calls = [], 0
    for visit in [v for path in sorted(expected) for v in expected[path]] + OUTSIDE_SCHEMA:
        for who, headers, code in (("student", {"Authorization": f"JWT {token}"}, visit.student),
                                   ("anonymous", {}, visit.anonymous)):
            answer = requests.get(base + visit.url, headers=headers, timeout=10,
                                  allow_redirects=False)
            calls += 1
            problems += problems_with(answer, visit, code, who)
    assert problems == [], "\n".join(problems)
    assert calls == 2 * (sum(len(v) for v in expected.values()) + len(OUTSIDE_SCHEMA))


def test_metrics_answer_the_operator_and_no_one_else(live_server, settings):
    """/metrics is not a student's page: their token is not the operator's."""
    settings.METRICS_TOKEN = "operator-secret"
    base = live_server.url
    assert requests.get(f"{base}/metrics", timeout=10).status_code == 403
    answer = requests.get(f"{base}/metrics", timeout=10,
                          headers={"Authorization": "Bearer operator-secret"})
    assert answer.status_code == 200 and "luffy_payment_events_total" in answer.text

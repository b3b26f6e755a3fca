"""The OpenAPI schema documents the envelope, each endpoint's error answers and buy-now's 200."""
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient
    with django_db_blocker.unblock():
        response = APIClient().get(reverse("schema"), {"format": "json"})
    assert response.status_code == 200
    return response.json()


def answer_schema(schema, path, method, code):
    content = schema["paths"][path][method]["responses"][str(code)]["content"]["application/json"]
    ref = content["schema"]["$ref"].rsplit("/", 1)[-1]
    return schema["components"]["schemas"][ref]


@pytest.mark.parametrize("path, method, code", [
    ("/api/user/register/", "post", 201), ("/api/user/login/", "post", 200),
    ("/api/user/token/refresh/", "post", 200), ("/api/user/logout/", "post", 200),
    ("/api/user/courses/", "get", 200), ("/api/course/", "get", 200),
    ("/api/course/{course_id}/", "get", 200), ("/api/order/pay/", "post", 201),
    ("/api/order/pay/", "post", 200), ("/api/order/success/", "get", 200),
    ("/api/order/", "get", 200), ("/api/order/{out_trade_no}/", "get", 200),
    ("/api/order/{out_trade_no}/cancel/", "post", 200),
])
def test_every_success_answer_is_documented_in_the_envelope(schema, path, method, code):
    properties = answer_schema(schema, path, method, code)["properties"]
    assert {"status", "msg"} <= set(properties), properties


@pytest.mark.parametrize("path, method, codes", [
    ("/api/user/register/", "post", {400, 413, 415, 429}),
    ("/api/user/login/", "post", {400, 413, 415, 429}),
    ("/api/user/token/refresh/", "post", {400, 401, 413, 415}),
    ("/api/course/", "get", {400, 401, 404}),
    ("/api/course/{course_id}/", "get", {401, 404}),
    ("/api/order/pay/", "post", {400, 401, 409, 413, 415, 503}),
    ("/api/order/success/", "get", {400, 401, 403, 404}),
    ("/api/order/success/", "post", {413}),
    ("/api/order/", "get", {400, 401, 404}),
    ("/api/order/{out_trade_no}/", "get", {401, 403, 404}),
    ("/api/order/{out_trade_no}/cancel/", "post", {401, 403, 404, 409}),
])
def test_the_error_answers_each_endpoint_gives_are_documented(schema, path, method, codes):
    documented = {int(c) for c in schema["paths"][path][method]["responses"]}
    assert codes <= documented, documented
    for code in codes:
        error = answer_schema(schema, path, method, code)
        assert {"status", "msg", "code"} <= set(error["properties"])


def test_page_and_page_size_are_documented_as_bounded_integers(schema):
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/course/"]["get"]["parameters"]}
    assert parameters["page"]["type"] == "integer" and parameters["page"]["minimum"] == 1
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 50}

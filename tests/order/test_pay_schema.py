"""Buy-now's request schema says what its validator enforces: schema-valid input is never a 400.

Bodies are generated (Hypothesis), kept only when the published OpenAPI schema accepts them
(jsonschema), and sent: each must be taken (201/200) or refused for the shop's state (404 an
unknown course, 409 a price that is not today's, a course off sale or owned) — never a 400,
and a refusal writes nothing. schemathesis checks the same from outside, with few examples.
"""
from decimal import Decimal

import jsonschema
import pytest
from django.core.cache import cache
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from apps.order.models import Order, OrderDetail
from tests.conftest import client_for
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def pay_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    body = schema["paths"]["/api/order/pay/"]["post"]["requestBody"]["content"]
    return {**body["application/json"]["schema"], "components": schema["components"]}


def _bodies(course_ids, prices):
    amounts = st.one_of(
        st.from_regex(r"\A[0-9]{1,8}(\.[0-9]{1,2})?\Z"),
        st.sampled_from([f"{p:.2f}" for p in prices] + [f"{sum(prices):.2f}", "0.00", "0"]))
    return st.fixed_dictionaries({
        "subject": st.text(max_size=140) | st.sampled_from(["Python", " 课程 ", "a/b", "   "]),
        "total_amount": amounts,
        "pay_type": st.sampled_from([1, 2, 0]),
        "courses": st.lists(st.sampled_from([*course_ids, 10 ** 9]), min_size=0, max_size=4),
    }, optional={"channel": st.sampled_from(["page", "wap", "h5"])})


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
@given(data=st.data())
def test_schema_valid_buy_now_input_is_never_a_400(pay_schema, data):
    cache.clear()  # the buy-now throttle counts every example's request
    with transaction.atomic():
        courses = [CourseFactory(price=Decimal("99.00")), CourseFactory(price=Decimal("149.50")),
                   CourseFactory(price=Decimal("10.00"), is_on_sale=False)]
        body = data.draw(_bodies([c.pk for c in courses], [c.price for c in courses]))
        assume(jsonschema.Draft202012Validator(pay_schema).is_valid(body))
        api = client_for(UserFactory(username="schema-buyer"))
        before = (Order.objects.count(), OrderDetail.objects.count())
        response = api.post("/api/order/pay/", body, format="json")
        after = (Order.objects.count(), OrderDetail.objects.count())
        transaction.set_rollback(True)
    assert response.status_code in (200, 201, 404, 409), (body, response.content)
    if response.status_code >= 400:
        assert after == before and response.json()["status"] != 0

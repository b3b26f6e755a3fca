"""Buy-now's request schema says what its validator enforces: schema-valid input is never a 400.

Bodies are generated (Hypothesis), kept only when the published OpenAPI schema accepts them
(jsonschema), and sent: each must be taken (201/200) or refused for the shop's state (404 an
unknown course, 409 a price that is not today's, a course off sale or owned) — never a 400,
and a refusal writes nothing. Both pay methods are on, WeChat Pay against its local sandbox, so
a pay_type 2 body really reaches WeChat's checkout. schemathesis checks the same from outside,
with few examples.
"""
from decimal import Decimal

import jsonschema
import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from apps.order.models import Order, OrderDetail
from tests.conftest import client_for
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db


BOTH = ["alipay", "wechat"]


@pytest.fixture(scope="module")
def pay_schema():
    with override_settings(PAYMENT_PROVIDERS=BOTH):
        schema = SchemaGenerator().get_schema(request=None, public=True)
    body = schema["paths"]["/api/order/pay/"]["post"]["requestBody"]["content"]
    return {**body["application/json"]["schema"], "components": schema["components"]}


@pytest.fixture
def both_methods(wechat_sandbox, settings):
    """Alipay (its checkout is a signed URL, no call) and WeChat Pay at its sandbox."""
    settings.PAYMENT_PROVIDERS = BOTH
    settings.WECHATPAY_GATEWAY = wechat_sandbox.gateway
    settings.WECHATPAY_PUBLIC_KEY_FILE = str(wechat_sandbox.data_dir / "wechatpay_public_key.pem")
    settings.WECHATPAY_PUBLIC_KEY_ID = wechat_sandbox.public_key_id
    wechat_sandbox.reset_faults()
    return wechat_sandbox


def _bodies(course_ids, prices):
    price_of = dict(zip(course_ids, prices, strict=True))

    def with_amount(body):
        # Often the exact price of the chosen courses, so that many bodies reach a checkout.
        exact = sum((price_of.get(c, Decimal("1.00")) for c in body["courses"]), Decimal("0.00"))
        amounts = st.one_of(
            st.from_regex(r"\A[0-9]{1,8}(\.[0-9]{1,2})?\Z"),
            st.sampled_from([f"{p:.2f}" for p in prices] + [f"{sum(prices):.2f}", "0.00", "0"]),
            st.just(f"{exact:.2f}"))
        return amounts.map(lambda amount: {**body, "total_amount": amount})

    return st.fixed_dictionaries({
        "subject": st.text(max_size=140) | st.sampled_from(["Python", " 课程 ", "a/b", "   "]),
        "pay_type": st.sampled_from([1, 2, 0]),
        "courses": st.lists(st.sampled_from([*course_ids, 10 ** 9]), min_size=0, max_size=4),
    }, optional={"channel": st.sampled_from(["page", "wap", "native", "h5"])}).flatmap(with_amount)


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
@given(data=st.data())
def test_schema_valid_buy_now_input_is_never_a_400(pay_schema, both_methods, data):
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
    event(f"pay_type {body['pay_type']}: {response.status_code}")  # --hypothesis-show-statistics
    assert response.status_code in (200, 201, 404, 409), (body, response.content)
    if response.status_code >= 400:
        assert after == before and response.json()["status"] != 0
    elif body["pay_type"] == 2:  # WeChat's sandbox took the prepay
        assert both_methods.trade(response.json()["out_trade_no"]) is not None


def test_the_schema_offers_both_pay_types(pay_schema):
    """Else the bodies above would never carry pay_type 2 (jsonschema refusing them)."""
    components = pay_schema["components"]["schemas"]
    pay_order = components["PayOrder"]
    assert sorted(b["properties"]["pay_type"]["minimum"] for b in pay_order["oneOf"]) == [1, 2]
    pay_type = pay_order["properties"]["pay_type"]
    pay_type = components[pay_type["$ref"].rsplit("/", 1)[1]] if "$ref" in pay_type else pay_type
    assert pay_type["enum"] == [1, 2]
    assert jsonschema.Draft202012Validator(pay_schema).is_valid(
        {"subject": "x", "total_amount": "1.00", "pay_type": 2, "channel": "h5", "courses": [1]})

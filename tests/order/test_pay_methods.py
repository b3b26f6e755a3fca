"""GET /api/order/pay-methods/: the enabled pay methods, in PAYMENT_PROVIDERS order, for anyone;
and the published buy-now schema offers the same pay types (read when it is generated)."""
import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

ALIPAY = {"pay_type": 1, "provider": "alipay", "name": "支付宝", "channels": ["page", "wap"]}
WECHAT = {"pay_type": 2, "provider": "wechat", "name": "微信支付", "channels": ["native", "h5"]}
URL = "/api/order/pay-methods/"


@pytest.mark.parametrize(("enabled", "methods"), [
    (["alipay"], [ALIPAY]),
    (["alipay", "wechat"], [ALIPAY, WECHAT]),
    (["wechat", "alipay"], [WECHAT, ALIPAY]),
    (["wechat"], [WECHAT]),
])
def test_the_enabled_methods_in_the_configured_order(api, settings, enabled, methods):
    settings.PAYMENT_PROVIDERS = enabled
    response = api.get(URL)
    assert response.status_code == 200
    assert response.json() == {"status": 0, "msg": "ok", "methods": methods}


def test_the_test_settings_offer_alipay_alone(api):
    assert api.get(URL).json()["methods"] == [ALIPAY]


@pytest.mark.parametrize("header", ["JWT not-a-token", "Bearer expired.or.forged"])
def test_a_stale_or_forged_token_is_ignored_not_refused(api, header):
    """Nothing here depends on who asks: a logged-out tab with an old token still gets it."""
    response = api.get(URL, HTTP_AUTHORIZATION=header)
    assert response.status_code == 200 and response.json()["methods"] == [ALIPAY]


def test_it_reads_nothing_from_the_database(api, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert api.get(URL).status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_is_read_only(api, method):
    response = getattr(api, method)(URL, {}, format="json")
    assert response.status_code == 405 and response.json()["status"] != 0


def _schema():
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize(("enabled", "pay_types"), [
    (["alipay"], [1]), (["alipay", "wechat"], [1, 2]), (["wechat"], [2])])
def test_the_published_buy_now_pay_types_follow_the_settings(settings, enabled, pay_types):
    """Generated from the settings in force, not those of the process's first import."""
    settings.PAYMENT_PROVIDERS = enabled
    components = _schema()["components"]["schemas"]
    pay_order = components["PayOrder"]
    pay_type = pay_order["properties"]["pay_type"]
    if "$ref" in pay_type:  # an enum component, when drf-spectacular makes one of it
        pay_type = components[pay_type["$ref"].rsplit("/", 1)[1]]
    assert pay_type["enum"] == pay_types
    assert [branch["properties"]["pay_type"]["minimum"] for branch in pay_order["oneOf"]] == \
        pay_types


def test_the_schema_documents_the_answer():
    schema = _schema()
    operation = schema["paths"][URL]["get"]
    assert operation["security"] == [{}]  # no login
    assert set(operation["responses"]) == {"200"}
    method = schema["components"]["schemas"]["PayMethod"]
    assert set(method["required"]) == {"pay_type", "provider", "name", "channels"}

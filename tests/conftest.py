"""Shared fixtures: users, courses, an authenticated API client, orders, and notify helpers."""
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from apps.order.constants import PayType
from apps.order.services import orders
from lib.al_pay.sandbox.testing import run_sandbox
from tests.factories import CourseFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle and lock-out counters live in the cache: each test starts with none."""
    from django.core.cache import cache
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def student(db):
    return UserFactory(username="alice")


@pytest.fixture
def other_student(db):
    return UserFactory(username="mallory")


def client_for(user):
    client = APIClient()
    response = client.post("/api/user/login/", {"username": user.username,
                                                "password": "pass-word-123"}, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"JWT {response.json()['token']}")
    return client


@pytest.fixture
def student_api(student):
    return client_for(student)


@pytest.fixture
def courses(db):
    return [CourseFactory(price=Decimal(p)) for p in ("99.00", "199.00", "149.50")]


@pytest.fixture
def make_order(courses):
    """Create an unpaid order through the real service: make_order(user, [course, ...])."""
    def make(user, chosen=None):
        chosen = chosen or courses[:2]
        order, _ = orders.order_create(
            user=user, course_ids=[c.pk for c in chosen], subject="测试订单",
            total_amount=sum((c.price for c in chosen), Decimal("0.00")), pay_type=PayType.ALIPAY)
        return order
    return make


@pytest.fixture
def order(make_order, student):
    return make_order(student)


def post_notify(client, params):
    """POST a notify the way Alipay does: form-encoded, no credentials."""
    return client.generic("POST", "/api/order/success/", urlencode(params),
                          content_type="application/x-www-form-urlencoded;charset=utf-8")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """A local Alipay sandbox process that trusts our test app key (one per test module)."""
    with run_sandbox(data_dir=tmp_path_factory.mktemp("sandbox"),
                     app_id=django_settings.ALIPAY_APP_ID,
                     app_public_key_file=django_settings.ALIPAY_APP_PUBLIC_KEY_FILE,
                     seller_id=django_settings.ALIPAY_SELLER_ID, time_scale=0.0005) as running:
        yield running


@pytest.fixture
def shop(sandbox, live_server, settings):
    """Point the app at the sandbox, and the sandbox's callbacks at the live app."""
    settings.ALIPAY_GATEWAY = sandbox.gateway
    settings.ALIPAY_PUBLIC_KEY_FILE = str(sandbox.public_key_file)
    settings.ALIPAY_NOTIFY_URL = f"{live_server.url}/api/order/success/"
    settings.ALIPAY_RETURN_URL = f"{live_server.url}/course/paysuccess"
    settings.ALIPAY_QUERY_INTERVAL_SECONDS = 0
    sandbox.reset_faults()
    return sandbox


@pytest.fixture(scope="module")
def wechat_sandbox(tmp_path_factory):
    """A local WeChat Pay sandbox process that trusts our test merchant key (one per module)."""
    from lib.wx_pay.sandbox.testing import run_sandbox as run_wechat_sandbox
    with run_wechat_sandbox(data_dir=tmp_path_factory.mktemp("wechat-sandbox"),
                            mchid=django_settings.WECHATPAY_MCHID,
                            appid=django_settings.WECHATPAY_APPID,
                            merchant_public_key_file=django_settings.WECHATPAY_PUBLIC_MERCHANT_KEY_FILE,
                            apiv3_key_file=django_settings.WECHATPAY_APIV3_KEY_FILE,
                            time_scale=0.001) as running:
        yield running


@pytest.fixture
def wechat_shop(wechat_sandbox, live_server, settings):
    """WeChat Pay on, pointed at the sandbox, whose notifies reach the live app."""
    settings.PAYMENT_PROVIDERS = ["alipay", "wechat"]
    settings.WECHATPAY_GATEWAY = wechat_sandbox.gateway
    settings.WECHATPAY_PUBLIC_KEY_FILE = str(wechat_sandbox.data_dir / "wechatpay_public_key.pem")
    settings.WECHATPAY_PUBLIC_KEY_ID = wechat_sandbox.public_key_id
    settings.WECHATPAY_NOTIFY_URL = f"{live_server.url}/api/order/notify/wechat/"
    settings.WECHATPAY_REDIRECT_URL = f"{live_server.url}/course/paysuccess"
    settings.ALIPAY_QUERY_INTERVAL_SECONDS = 0
    wechat_sandbox.reset_faults()
    return wechat_sandbox
